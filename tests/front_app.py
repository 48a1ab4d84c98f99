"""Fixtures of the front against the fake Bot API and the Rasa stub
(registered for every test in tests/conftest.py):

- ``front_app``: the Telegram Application fed update by update (no polling):
  when a call returns, the update was handled and every answer is in
  ``telegram.sent``::

      async def test_x(front_app):
          [reply] = await front_app.write(42, "bonjour")

- ``polling_front(settings)``: the Application polling the fake API, as
  ``run_polling`` would run it (for tests that act like Telegram does), and
  the ``front`` fixture: that, for two people (``CHAT``, ``OTHER``) who
  accepted the consent prompt;
- ``pipeline``: the transport-free pipeline, in front of the Rasa stub.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import redis.asyncio as aioredis
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, build_pipeline
from bot.pipeline import Pipeline
from cnam import privacy
from cnam.settings import Settings, get_settings

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram
    from tests.rasa_stub import RasaStub


@dataclass
class Front:
    app: Application
    telegram: FakeTelegram
    rasa: RasaStub

    async def deliver(self, update: dict[str, Any]) -> None:
        """Handle one update as the running bot would (errors go to its error handler)."""
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def write(self, chat_id: int, text: str) -> list[dict[str, Any]]:
        """The person writes ``text``; returns what the bot said back (sent or edited in)."""
        before = len(self.telegram.said(chat_id))
        await self.deliver(self.telegram.text_update(chat_id, text))
        return self.telegram.said(chat_id)[before:]

    async def press(self, chat_id: int, message_id: int, data: str) -> list[dict[str, Any]]:
        """The person presses a button carrying ``data`` on message ``message_id``."""
        before = len(self.telegram.said(chat_id))
        self.telegram.press_button(chat_id, message_id, data=data)
        while self.telegram.pending:
            await self.deliver(self.telegram.pending.pop(0))
        return self.telegram.said(chat_id)[before:]


def front_settings(telegram: FakeTelegram, rasa: RasaStub) -> Settings:
    return Settings(
        telegram_bot_token=telegram.token, telegram_api_base_url=telegram.base_url, rasa_url=rasa.url,
    )


@contextlib.asynccontextmanager
async def polling_front(settings: Settings) -> AsyncIterator[Application]:
    """The whole front (every handler), polling the fake API."""
    application = build_application(settings)
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    await application.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
    await application.start()
    yield application
    await application.updater.stop()  # type: ignore[union-attr]
    await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)  # type: ignore[misc]


CHAT = 4201
OTHER = 4202


@pytest.fixture
async def front(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis
) -> AsyncIterator[Application]:
    for chat in (CHAT, OTHER):
        await privacy.record_consent(redis, chat, privacy.ACCEPTED)
    async with polling_front(front_settings(fake_telegram, rasa_stub)) as application:
        yield application


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline buttons of a message the bot sent, row after row."""
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


@pytest.fixture
async def pipeline(rasa_stub: RasaStub, redis: aioredis.Redis) -> AsyncIterator[Pipeline]:
    built = await build_pipeline(get_settings(), "test", rasa_url=rasa_stub.url)
    yield built
    await built.rasa.close()


@pytest.fixture
async def front_app(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis
) -> AsyncIterator[Front]:
    application = build_application(front_settings(fake_telegram, rasa_stub))
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    yield Front(application, fake_telegram, rasa_stub)
    await application.post_shutdown(application)  # type: ignore[misc]
    await application.shutdown()
