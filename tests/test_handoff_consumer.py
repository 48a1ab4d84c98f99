"""Delivery of the handoff cards against the fake Bot API: retries through
Telegram errors, a restart's backlog, a dead consumer's entries, erasure."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot import handoff_consumer
from cnam import handoff, handoff_queue
from tests.adviser_support import ADVISER_A, GROUP, request_handoff
from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def bare_bot(fake_telegram: FakeTelegram, adviser_settings: None) -> AsyncIterator[Bot]:
    """A Bot without rate limiter: every Telegram error reaches the consumer."""
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


@contextlib.asynccontextmanager
async def consuming(bot: Bot, redis: aioredis.Redis, name: str) -> AsyncIterator[None]:
    task = asyncio.create_task(handoff_consumer.consume(bot, redis, name))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _pending(redis: aioredis.Redis) -> list[str]:
    """Consumer names of the unacknowledged entries."""
    rows = await redis.xpending_range(handoff_queue.stream_key(), handoff_queue.GROUP, "-", "+", 100)
    return [row["consumer"] for row in rows]


async def _until_no_pending(redis: aioredis.Redis) -> None:
    async with asyncio.timeout(10):
        while await _pending(redis):  # noqa: ASYNC110 (Redis state: nothing to wait on)
            await asyncio.sleep(0.02)


async def test_consumer_retries_through_500_and_429_without_loss(
    bare_bot, fake_telegram, redis
) -> None:
    first, second = await request_handoff(redis, 1), await request_handoff(redis, 2)
    fake_telegram.fail_next("sendMessage", 500, times=2)
    fake_telegram.fail_next("sendMessage", 429, times=1, retry_after=1)
    async with consuming(bare_bot, redis, "bot-test"):
        cards = await fake_telegram.wait_for_messages(GROUP, 2, timeout=20)
        await _until_no_pending(redis)
    assert fake_telegram.failures_served == [
        ("sendMessage", 500), ("sendMessage", 500), ("sendMessage", 429)
    ]
    assert [c["text"].splitlines()[0] for c in cards] == [
        f"🔔 Demande de conseiller · {first}", f"🔔 Demande de conseiller · {second}"
    ]
    assert "Prénom : Zaina <3" in cards[0]["text"]
    assert len(fake_telegram.messages(GROUP)) == 2  # each card once
    record = await handoff.find(redis, first)
    assert (record.status, record.card_message_id) == ("transmis", cards[0]["message_id"])


async def _crash_while_group_unreachable(bot: Bot, fake: FakeTelegram, redis, name: str) -> None:
    """A consumer takes the entry, cannot post it, and dies without acknowledging."""
    fake.fail_next("sendMessage", 500, times=10_000)
    async with consuming(bot, redis, name):
        await fake.wait_for(lambda: len(fake.failures_served) >= 3)
    assert await _pending(redis) == [name]
    assert fake.messages(GROUP) == []
    fake.reset()  # Telegram is back
    fake.members[GROUP] = {ADVISER_A: "member"}


async def test_restarted_consumer_delivers_its_backlog(bare_bot, fake_telegram, redis) -> None:
    handoff_id = await request_handoff(redis)
    await _crash_while_group_unreachable(bare_bot, fake_telegram, redis, "bot-host")
    async with consuming(bare_bot, redis, "bot-host"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert handoff_id in card["text"]


async def test_entries_of_a_dead_consumer_are_taken_over(
    bare_bot, fake_telegram, redis, monkeypatch
) -> None:
    handoff_id = await request_handoff(redis)
    await _crash_while_group_unreachable(bare_bot, fake_telegram, redis, "bot-old-host")
    monkeypatch.setattr(handoff_consumer, "STALE_MS", 0)
    async with consuming(bare_bot, redis, "bot-new-host"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert handoff_id in card["text"]


async def test_erased_person_is_acknowledged_not_posted(bare_bot, fake_telegram, redis) -> None:
    await request_handoff(redis, 9)
    await handoff.redact_person(redis, 9)
    kept = await request_handoff(redis, 10)
    async with consuming(bare_bot, redis, "bot-test"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert kept in card["text"]
