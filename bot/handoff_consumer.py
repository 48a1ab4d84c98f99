"""Delivery of the handoff cards: the Redis stream of handoffs → one card
each in the advisers' group.

The stream entry is acknowledged only once Telegram accepted the card. While
the group cannot be reached it retries with backoff; after a restart it first
delivers what it had been given and not acknowledged, and it regularly takes
over entries that another (crashed) consumer left pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import time
from datetime import timedelta

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application

from bot import relay
from bot.card import claim_keyboard, render_card
from cnam import handoff, handoff_queue
from cnam.handoff import HandoffRecord
from cnam.handoff_queue import StreamEntry
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

# Backoff while the group is unreachable (seconds); tests shorten these.
FIRST_DELAY = 1.0
MAX_DELAY = 300.0
# Below the Redis client's 5 s socket timeout, or every idle wait reads as an outage.
BLOCK_MS = 2000
# An entry pending this long belongs to a consumer that died.
STALE_MS = 5 * 60 * 1000
CLAIM_EVERY = 60.0

_TASK = "handoff_consumer.task"


def consumer_name() -> str:
    """Stable across restarts, so a restarted bot finds its own backlog."""
    return f"bot-{socket.gethostname()}"


def _seconds(retry: RetryAfter) -> float:
    value = retry.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _post_card(bot: Bot, record: HandoffRecord) -> Message:
    """Send the card, retrying until Telegram accepts it."""
    delay = FIRST_DELAY
    while True:
        try:
            return await bot.send_message(
                get_settings().adviser_chat_id,
                render_card(record),
                parse_mode=ParseMode.HTML,
                reply_markup=claim_keyboard(record),
            )
        except RetryAfter as exc:
            wait = _seconds(exc)
            log.info("card %s: flood control, retry in %.0f s", record.handoff_id, wait)
        except TelegramError as exc:
            wait, delay = delay, min(delay * 2, MAX_DELAY)
            log.warning("card %s not delivered (%s), retry in %.0f s", record.handoff_id, exc, wait)
        await asyncio.sleep(wait)


async def deliver(bot: Bot, redis: aioredis.Redis, entry: StreamEntry) -> None:
    """One stream entry → one card, then the acknowledgement."""
    record = await handoff.load(redis, entry.chat_id, entry.handoff_id)
    # A card already posted (crash before the ack) is not posted twice.
    if record is not None and record.card_message_id is None:
        message = await _post_card(bot, record)
        record.card_message_id = message.message_id
        record.status = "transmis" if record.status == "nouveau" else record.status
        await relay.remember_message(redis, message.message_id, record.handoff_id)
        await handoff.update(redis, record)
    # No record: erased or expired meanwhile, nothing left to deliver.
    await handoff_queue.ack(redis, entry.entry_id)


async def consume(bot: Bot, redis: aioredis.Redis, consumer: str) -> None:
    """Deliver the backlog, then new and stale entries, forever."""
    await handoff_queue.ensure_group(redis)
    while backlog := await handoff_queue.read_new(redis, consumer, backlog=True):
        for entry in backlog:
            await deliver(bot, redis, entry)
    last_claim = -math.inf
    while True:
        entries: list[StreamEntry] = []
        if time.monotonic() - last_claim >= CLAIM_EVERY:
            entries += await handoff_queue.claim_stale(redis, consumer, STALE_MS)
            last_claim = time.monotonic()
        entries += await handoff_queue.read_new(redis, consumer, block_ms=BLOCK_MS)
        for entry in entries:
            await deliver(bot, redis, entry)


async def _run_consumer(bot: Bot) -> None:
    delay = FIRST_DELAY
    while True:
        started = time.monotonic()
        try:
            await consume(bot, get_redis(), consumer_name())
        except asyncio.CancelledError:
            raise
        except RedisError as exc:
            log.warning("handoff consumer: Redis unavailable (%s), retry in %.0f s", exc, delay)
        except Exception:
            # Unexpected: keep the queue alive (entries stay pending, none lost).
            log.exception("handoff consumer failed, restart in %.0f s", delay)
        if time.monotonic() - started > MAX_DELAY:
            delay = FIRST_DELAY  # it had been working: start the backoff again
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_DELAY)


async def start(application: Application) -> None:
    if not get_settings().adviser_chat_id:
        # Nothing is lost: the records wait in the stream until the group is set.
        log.warning("ADVISER_CHAT_ID is not set: handoff cards are not delivered")
        return
    application.bot_data[_TASK] = asyncio.create_task(
        _run_consumer(application.bot), name="handoff-consumer"
    )


async def stop(application: Application) -> None:
    task = application.bot_data.pop(_TASK, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
