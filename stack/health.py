"""Plain checks of each piece of the stack, shared by `make run` and `make doctor`."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from urllib.parse import urlparse

import aiohttp
import redis.asyncio as aioredis

from cnam.settings import get_settings


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


async def check_redis() -> Check:
    url = get_settings().redis_url
    client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        return Check("Redis", True, f"répond sur {_safe(url)}")
    except Exception as exc:  # any failure is reported in plain words
        hint = (
            "lancez `redis-server` ou corrigez REDIS_URL"
            if shutil.which("redis-server")
            else "installez-le (`apt-get install redis-server`) ou corrigez REDIS_URL"
        )
        return Check("Redis", False, f"ne répond pas sur {_safe(url)} ({exc.__class__.__name__}) : {hint}")
    finally:
        await client.close()


async def _get(url: str) -> tuple[int, str]:
    limit = aiohttp.ClientTimeout(total=3)
    async with aiohttp.ClientSession(timeout=limit) as session, session.get(url) as response:
        return response.status, await response.text()


async def check_rasa() -> Check:
    settings = get_settings()
    try:
        status, body = await _get(f"{settings.rasa_url}/status?token={settings.rasa_token}")
    except Exception as exc:
        reason = exc.__class__.__name__
        return Check("Rasa", False, f"injoignable sur {settings.rasa_url} ({reason}) : lancez `make run`")
    if status == 401:
        return Check("Rasa", False, "refuse le jeton : RASA_TOKEN diffère de celui du serveur")
    if status != 200:
        return Check("Rasa", False, f"répond {status}")
    if '"model_file"' not in body or '"model_file":null' in body.replace(" ", ""):
        return Check("Rasa", False, "aucun modèle chargé : lancez `make train`")
    return Check("Rasa", True, f"prêt sur {settings.rasa_url}")


async def check_actions() -> Check:
    url = get_settings().action_server_url
    parsed = urlparse(url)
    health = f"{parsed.scheme}://{parsed.netloc}/health"
    try:
        status, _ = await _get(health)
    except Exception as exc:
        return Check("Serveur d'actions", False, f"injoignable sur {health} ({exc.__class__.__name__})")
    return Check("Serveur d'actions", status == 200, f"{health} répond {status}")


def check_model() -> Check:
    from stack.train import model_path

    path = model_path()
    if path.exists():
        return Check("Modèle", True, f"{path.name} correspond aux données actuelles")
    return Check("Modèle", False, "les données ont changé depuis le dernier entraînement : `make train`")


def check_token() -> Check:
    token = get_settings().telegram_bot_token
    if not token:
        return Check("Telegram", True, "pas de TELEGRAM_BOT_TOKEN : `make run` ouvre le chat dans le terminal")
    if ":" not in token:
        return Check("Telegram", False, "TELEGRAM_BOT_TOKEN n'a pas la forme 123456:ABC… donnée par @BotFather")
    if not get_settings().adviser_chat_id:
        return Check("Telegram", False, "ADVISER_CHAT_ID manque : les fiches des conseillers ne seraient pas envoyées")
    return Check("Telegram", True, "jeton et groupe des conseillers configurés")


async def all_checks() -> list[Check]:
    network = await asyncio.gather(check_redis(), check_rasa(), check_actions())
    return [*network, check_model(), check_token()]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
