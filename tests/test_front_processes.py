"""``python -m bot`` as a process: terminal chat, long polling, webhook."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import redis.asyncio as aioredis

from cnam import privacy

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram
    from tests.rasa_stub import RasaStub


ROOT = Path(__file__).resolve().parents[1]
CHAT = 4501


def bot_env(**overrides: str) -> dict[str, str]:
    # REDIS_PREFIX and REDIS_URL come from conftest through os.environ.
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "WEBHOOK_URL": "", "PYTHONPATH": str(ROOT)}
    env.update(overrides)
    return env


async def start_bot(*args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        env=bot_env(**env), cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_terminal_chat_through_a_pipe(rasa_stub: RasaStub, redis: aioredis.Redis, tmp_path):
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    rasa_stub.answers["mon rdv"] = [{"recipient_id": str(CHAT), "custom": {
        "text": "Votre rendez-vous :",
        "document": {"filename": "rdv.ics",
                     "content_b64": base64.b64encode(b"BEGIN:VCALENDAR").decode()},
    }}]
    process = await start_bot(
        "--chat-id", str(CHAT), "--documents-dir", str(tmp_path), RASA_URL=rasa_stub.url
    )
    out, err = await asyncio.wait_for(
        process.communicate(b"bonjour\n1\n/rdv\nmon rdv\n"), timeout=60
    )
    output = out.decode()
    assert process.returncode == 0, err.decode()
    assert "Vous avez dit : bonjour" in output
    assert "1. Oui" in output and "2. Non" in output
    assert "Vous avez dit : /affirm" in output  # "1" pressed the first button
    assert "Vous avez dit : /show_booking" in output  # /rdv is the same command as on Telegram
    assert (tmp_path / "rdv.ics").read_bytes() == b"BEGIN:VCALENDAR"
    assert str(tmp_path / "rdv.ics") in output
    assert rasa_stub.messages(CHAT) == ["bonjour", "/affirm", "/show_booking", "mon rdv"]


async def test_long_polling_process(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis
):
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    process = await start_bot(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        RASA_URL=rasa_stub.url,
    )
    try:
        fake_telegram.send_text(CHAT, "bonjour")
        [reply] = await fake_telegram.wait_for_messages(CHAT, 1, timeout=60)
        assert reply["text"] == "Vous avez dit : bonjour"
        assert [c["command"] for c in fake_telegram.commands][:2] == ["start", "aide"]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    assert fake_telegram.token not in err.decode()  # the token is in every API URL
    assert "bonjour" not in err.decode()


async def wait_for_port(port: int) -> None:
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
        else:
            writer.close()
            await writer.wait_closed()
            return


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_process_checks_the_secret(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis
):
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    process = await start_bot(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        RASA_URL=rasa_stub.url,
        WEBHOOK_URL=hook,
        WEBHOOK_SECRET="s3cret-token",
        WEBHOOK_PORT=str(port),
    )
    try:
        await fake_telegram.wait_for(lambda: bool(fake_telegram.webhook), timeout=60)
        assert fake_telegram.webhook["url"] == hook
        assert fake_telegram.webhook["secret_token"] == "s3cret-token"
        # PTB calls setWebhook before its server listens (Telegram retries): wait for the port.
        await asyncio.wait_for(wait_for_port(port), timeout=30)
        update = fake_telegram.text_update(CHAT, "bonjour")
        async with aiohttp.ClientSession() as session:
            async with session.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as refused:
                assert refused.status == 403
            async with session.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            ) as accepted:
                assert accepted.status == 200
        [reply] = await fake_telegram.wait_for_messages(CHAT, 1, timeout=30)
        assert reply["text"] == "Vous avez dit : bonjour"
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    assert rasa_stub.messages(CHAT) == ["bonjour"]


def test_webhook_needs_a_secret():
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=bot_env(TELEGRAM_BOT_TOKEN="1:x", WEBHOOK_URL="https://exemple.fr/hook",
                    WEBHOOK_SECRET=""),
    )
    assert done.returncode != 0
    assert "WEBHOOK_SECRET" in done.stderr
