"""The advisers' group in tests: its id, two members and an outsider, a
consumer that retries fast (``adviser_settings``, registered in
tests/conftest.py), a handoff request as the actions make it, and the
clients of two bot processes (``two_bots``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot import handoff_consumer
from cnam import handoff
from cnam.settings import get_settings

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram

GROUP = -1001234
PERSON = 5301
ADVISER_A, ADVISER_B, OUTSIDER = 71, 72, 73
SLOTS = {"prenom": "Zaina <3", "commune": "Koungou", "domaine": ["btp"], "niveau": "bac"}


@pytest.fixture
def adviser_settings(monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram) -> None:
    """The advisers' group with two members, and a consumer that retries fast."""
    monkeypatch.setattr(get_settings(), "adviser_chat_id", GROUP)
    monkeypatch.setattr(get_settings(), "adviser_ids", "")
    monkeypatch.setattr(handoff_consumer, "FIRST_DELAY", 0.01)
    monkeypatch.setattr(get_settings(), "background_retry_max", 0.05)
    monkeypatch.setattr(handoff_consumer, "BLOCK_MS", 50)
    # A Monday's digest would post into the group of whichever test runs then.
    monkeypatch.setattr(get_settings(), "weekly_digest", False)
    fake_telegram.members[GROUP] = {ADVISER_A: "member", ADVISER_B: "administrator"}


async def request_handoff(redis: aioredis.Redis, chat_id: int = PERSON) -> str:
    return await handoff.request_handoff(
        redis, chat_id, "demande_conseiller", SLOTS, ["bjr", "je veux parler à qqn"],
        None, [("deust-btp", "DEUST BTP")], ["CPF"],
    )




@contextlib.asynccontextmanager
async def two_bots(fake: FakeTelegram) -> AsyncIterator[list[Bot]]:
    """Two bot processes' clients on the fake Bot API (work claimed once across processes)."""
    pair = [Bot(fake.token, base_url=fake.base_url) for _ in range(2)]
    for bot in pair:
        await bot.initialize()
    yield pair
    for bot in pair:
        await bot.shutdown()
