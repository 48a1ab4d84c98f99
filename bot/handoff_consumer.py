"""Delivery of the handoff cards: the Redis stream of handoffs → one card
each in the advisers' group.

The stream entry is acknowledged only once Telegram accepted the card. While
the group cannot be reached (network, 5xx, flood control) it retries with
backoff; after a restart it first delivers what it had been given and not
acknowledged, and it regularly takes over entries that another (crashed)
consumer left pending. A card Telegram refuses for good (403: the bot was
removed from the group; 400) goes to the dead letters with one ALERT line in
the log, and the next cards go out; so does an entry whose record cannot be
read. A group upgraded to a supergroup is followed (``bot/adviser_chat.py``).
``run`` and ``trim_streams`` are started under ``bot/supervisor.py``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import socket
import time
from datetime import timedelta
from typing import NoReturn

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import adviser_chat, case_topics, outgoing, relay
from bot.card import claim_keyboard, render_card
from cnam import clock, handoff, handoff_queue, routing
from cnam.booking.config import AdvisersFileError, get_advisers
from cnam.handoff import HandoffRecord
from cnam.handoff_queue import StreamEntry
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

# First wait while the group is unreachable (seconds); it doubles up to
# BACKGROUND_RETRY_MAX. Tests shorten it.
FIRST_DELAY = 1.0
# Below the Redis client's 5 s socket timeout, or every idle wait reads as an outage.
BLOCK_MS = 2000
# An entry pending this long belongs to a consumer that died.
STALE_MS = 5 * 60 * 1000
CLAIM_EVERY = 60.0
# Entries leave the streams at the retention age, checked this often.
TRIM_EVERY = 3600.0


class Refused(Exception):
    """Telegram will never accept this card as it is (403, 400)."""


def consumer_name() -> str:
    """Stable across restarts, so a restarted bot finds its own backlog."""
    return f"bot-{socket.gethostname()}"


def _seconds(retry: RetryAfter) -> float:
    value = retry.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _gist(exc: TelegramError) -> str:
    """``Forbidden: bot was kicked from the group chat``, ``BadRequest: Chat not
    found``: details after a second colon are cut (a parse error quotes a bit
    of the card)."""
    kind, text = type(exc).__name__, str(exc)
    full = text if text.startswith(kind) else f"{kind}: {text}"
    return ": ".join(full.split(": ")[:2])


async def _post_card(bot: Bot, redis: aioredis.Redis, record: HandoffRecord) -> Message:
    """Send the card (in the case's topic, if it has one), retrying transient
    errors until Telegram accepts it."""
    delay = FIRST_DELAY
    while True:
        try:
            return await adviser_chat.send(
                bot, redis, render_card(record), message_thread_id=record.thread_id,
                parse_mode=ParseMode.HTML, reply_markup=claim_keyboard(record),
            )
        except RetryAfter as exc:
            wait = _seconds(exc)
            log.info("card %s: flood control, retry in %.0f s", record.handoff_id, wait)
        except BadRequest as exc:
            if record.thread_id is None:
                raise Refused(_gist(exc)) from exc
            # The topic was deleted or closed meanwhile: the card goes to the group.
            log.warning("card %s: topic refused (%s), plain card", record.handoff_id, _gist(exc))
            record.thread_id = None
            continue
        except Forbidden as exc:
            raise Refused(_gist(exc)) from exc
        except TelegramError as exc:  # network, timeout, 5xx: the group comes back
            wait, delay = delay, min(delay * 2, get_settings().background_retry_max)
            log.warning("card %s not delivered (%s), retry in %.0f s", record.handoff_id, exc, wait)
        await asyncio.sleep(wait)


def _route(record: HandoffRecord) -> None:
    """Name on the card the advisers the case is for; a broken calendar file
    costs the mention, never the card."""
    try:
        record.routed_to = routing.route(record, get_advisers())
    except AdvisersFileError as exc:
        log.error("ALERT cases not routed, fix catalog/advisers.yaml: %s", exc)


async def _bury(redis: aioredis.Redis, entry: StreamEntry, error: str) -> None:
    await handoff_queue.bury(redis, entry.entry_id, entry.fields, error, clock.now())
    log.error(
        "ALERT card %s not delivered for good (%s): kept in %s; fix the advisers' group "
        "(is the bot still a member?), then `python -m bot requeue-cards`",
        entry.handoff_id, error, handoff_queue.dead_key(),
    )


async def deliver(bot: Bot, redis: aioredis.Redis, entry: StreamEntry) -> None:
    """One stream entry → one card, then the acknowledgement (or a dead letter)."""
    try:
        record = await handoff.load(redis, entry.chat_id, entry.handoff_id)
        # A card already posted (crash before the ack) is not posted twice.
        if record is not None and record.card_message_id is None:
            _route(record)
            await case_topics.open_topic(bot, redis, record)
            message = await _post_card(bot, redis, record)
            record.card_message_id = message.message_id
            record.status = "transmis" if record.status == "nouveau" else record.status
            await relay.remember_message(redis, message.message_id, record.handoff_id)
            await handoff.update(redis, record)
    except Refused as exc:
        await _bury(redis, entry, str(exc))
        return
    except RedisError:
        raise  # the queue, not this entry: it stays pending for the restart
    except Exception as exc:  # this entry only (a record that does not parse…)
        await _bury(redis, entry, type(exc).__name__)
        return
    # No record: erased or expired meanwhile, nothing left to deliver.
    await handoff_queue.ack(redis, entry.entry_id)


async def consume(bot: Bot, redis: aioredis.Redis, consumer: str) -> NoReturn:
    """Deliver the backlog, then new and stale entries, forever."""
    await handoff_queue.ensure_group(redis)
    await adviser_chat.warn_if_moved(redis)
    await case_topics.detect(bot, redis)
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


async def run(bot: Bot) -> NoReturn:
    """The consumer of this process (restarted by ``bot/supervisor.py``)."""
    with outgoing.background():  # behind the replies to people
        await consume(bot, get_redis(), consumer_name())


async def trim_streams() -> NoReturn:
    """Trimming on a timer, not at each publish: entries must go at the
    retention age even when no new card comes."""
    while True:
        await handoff_queue.trim(get_redis(), clock.now())
        await asyncio.sleep(TRIM_EVERY)
