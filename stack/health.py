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


def check_catalog() -> Check:
    """The advisers' calendar and the campaigns, as the bot will read them."""
    from pathlib import Path

    from cnam.booking.config import AdvisersFileError, load_advisers
    from cnam.campaigns import CampaignsFileError, campaigns_path, load_campaigns

    try:
        load_advisers(Path(get_settings().catalog_dir) / "advisers.yaml")
        if campaigns_path().exists():
            load_campaigns(campaigns_path())
    except (AdvisersFileError, CampaignsFileError) as exc:
        return Check("Catalogue", False, f"{exc}".splitlines()[0] + " : corrigez le fichier puis relancez")
    return Check("Catalogue", True, "conseillers et campagnes lisibles")


async def check_background() -> list[Check]:
    """What the bot's background loops put aside: cards Telegram refused for
    good (dead letters), a migrated advisers' group, unreadable reminders."""
    from bot.adviser_chat import migrations_key
    from cnam import handoff_queue
    from cnam.booking.reminders import parked_key

    settings = get_settings()
    client = aioredis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2,
                               decode_responses=True)
    try:
        dead = await client.xlen(handoff_queue.dead_key())
        last = await client.xrevrange(handoff_queue.dead_key(), count=1)
        moved = await client.hget(migrations_key(), str(settings.adviser_chat_id))
        parked = await client.zcard(parked_key())
    finally:
        await client.close()
    checks = []
    if dead:
        _id, letter = last[0]
        checks.append(Check("Fiches des conseillers", False, (
            f"{dead} fiche(s) refusée(s) par Telegram (dernière : {letter['error']}, {letter['at']}) : "
            "ajoutez le bot au groupe des conseillers (ou corrigez ADVISER_CHAT_ID), "
            "puis `python -m bot requeue-cards`"
        )))
    else:
        checks.append(Check("Fiches des conseillers", True, "aucune fiche en souffrance"))
    if moved:
        checks.append(Check("Groupe des conseillers", False, (
            f"devenu le supergroupe {moved} (les fiches y vont déjà) : mettez ADVISER_CHAT_ID={moved}"
        )))
    checks.append(Check("Rappels", not parked, (
        f"{parked} rappel(s) illisible(s) mis de côté ({parked_key()}), jamais envoyés : "
        "voyez le journal du bot (ils s'effacent après RETENTION_DAYS)"
        if parked else "aucun rappel mis de côté"
    )))
    return checks


async def all_checks() -> list[Check]:
    network = await asyncio.gather(check_redis(), check_rasa(), check_actions())
    # Redis down: already said, the background checks would only repeat it.
    background = await check_background() if network[0].ok else []
    return [*network, check_model(), check_token(), check_catalog(), *background]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
