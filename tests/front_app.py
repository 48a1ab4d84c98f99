"""The Telegram Application against the fake Bot API and the Rasa stub, fed
update by update (no polling): when a call returns, the update was handled
and every answer is in ``telegram.sent``.

    pytest_plugins = ["tests.fake_telegram", "tests.rasa_stub", "tests.front_app"]

    async def test_x(front_app):
        [reply] = await front_app.write(42, "bonjour")
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import redis.asyncio as aioredis
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from cnam.settings import Settings

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
        """The person writes ``text``; returns what the bot sent back."""
        before = len(self.telegram.messages(chat_id))
        await self.deliver(self.telegram.text_update(chat_id, text))
        return self.telegram.messages(chat_id)[before:]

    async def press(self, chat_id: int, message_id: int, data: str) -> list[dict[str, Any]]:
        """The person presses a button carrying ``data`` on message ``message_id``."""
        before = len(self.telegram.messages(chat_id))
        self.telegram.press_button(chat_id, message_id, data=data)
        while self.telegram.pending:
            await self.deliver(self.telegram.pending.pop(0))
        return self.telegram.messages(chat_id)[before:]


@pytest.fixture
async def front_app(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis
) -> AsyncIterator[Front]:
    settings = Settings(
        telegram_bot_token=fake_telegram.token,
        telegram_api_base_url=fake_telegram.base_url,
        rasa_url=rasa_stub.url,
    )
    application = build_application(settings)
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    yield Front(application, fake_telegram, rasa_stub)
    await application.post_shutdown(application)  # type: ignore[misc]
    await application.shutdown()
