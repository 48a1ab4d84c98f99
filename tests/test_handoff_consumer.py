"""Delivery of the handoff cards against the fake Bot API: retries through
Telegram errors, a restart's backlog, a dead consumer's entries, erasure,
dead letters for what Telegram refuses for good, a migrated group."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from telegram import Bot
from telegram.ext import filters

from bot import adviser_chat, handoff_consumer
from cnam import handoff, handoff_queue
from cnam.keys import person_key
from stack import health
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


@pytest.mark.parametrize(
    ("status", "error"),
    [(403, "Forbidden: bot was kicked from the supergroup chat"), (400, "BadRequest: Chat not found")],
)
async def test_refused_card_is_dead_lettered_and_the_next_cards_go_out(
    bare_bot, fake_telegram, redis, caplog, status, error
) -> None:
    refused, kept = await request_handoff(redis, 1), await request_handoff(redis, 2)
    fake_telegram.fail_next("sendMessage", status, times=1, chat_id=GROUP)
    async with consuming(bare_bot, redis, "bot-test"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert kept in card["text"]
    assert fake_telegram.failures_served == [("sendMessage", status)]  # tried once, not forever
    [letter] = await handoff_queue.dead_letters(redis)
    assert (letter["handoff_id"], letter["chat_id"], letter["error"]) == (refused, "1", error)
    alerts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT")]
    assert len(alerts) == 1 and refused in alerts[0]
    cards_check = (await health.check_background())[0]
    assert (cards_check.name, cards_check.ok) == ("Fiches des conseillers", False)
    assert f"1 fiche(s) refusée(s) par Telegram (dernière : {error}" in cards_check.detail
    # the group is fixed: the operator puts the dead letters back
    assert await handoff_queue.requeue_dead(redis) == 1
    async with consuming(bare_bot, redis, "bot-test"):
        [again] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert refused in again["text"]
    assert await handoff_queue.dead_letters(redis) == []
    assert (await health.check_background())[0].ok


async def test_unreadable_entries_are_dead_lettered_not_retried(bare_bot, fake_telegram, redis) -> None:
    await handoff_queue.ensure_group(redis)
    await redis.hset(person_key("handoff", 3), "hbroken", '{"chat_id": 3')
    await handoff_queue.enqueue(redis, "hbroken", 3)
    await redis.xadd(handoff_queue.stream_key(), {"what": "hand-made"})
    kept = await request_handoff(redis, 4)
    async with consuming(bare_bot, redis, "bot-test"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert kept in card["text"]
    letters = await handoff_queue.dead_letters(redis)
    assert sorted((d["handoff_id"], d["error"]) for d in letters) == [
        ("", "malformed stream entry"), ("hbroken", "ValidationError"),
    ]


async def test_group_migrated_to_a_supergroup_is_followed(
    bare_bot, fake_telegram, redis, monkeypatch, caplog
) -> None:
    supergroup = -1009876
    group_filter = filters.Chat(chat_id=GROUP)
    monkeypatch.setattr(adviser_chat, "_group_filter", group_filter)
    first = await request_handoff(redis, 1)
    fake_telegram.fail_next("sendMessage", 400, chat_id=GROUP, migrate_to=supergroup)
    async with consuming(bare_bot, redis, "bot-test"):
        [card] = await fake_telegram.wait_for_messages(supergroup, 1)
        second = await request_handoff(redis, 2)
        [later] = await fake_telegram.wait_for_messages(supergroup, 1)
        await _until_no_pending(redis)
    assert (first in card["text"], second in later["text"]) == (True, True)
    assert fake_telegram.messages(GROUP) == []
    assert fake_telegram.failures_served == [("sendMessage", 400)]  # the old id is not tried again
    assert await adviser_chat.current(redis) == supergroup
    assert supergroup in group_filter.chat_ids  # advisers' replies there are heard
    warnings = [r.getMessage() for r in caplog.records if "ADVISER_CHAT_ID" in r.getMessage()]
    assert warnings == [f"the advisers' group became the supergroup {supergroup}: cards and relays "
                        f"now go there; set ADVISER_CHAT_ID={supergroup}"]
    assert await handoff_queue.dead_letters(redis) == []
