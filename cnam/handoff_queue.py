"""The delivery queue of the adviser cards: a Redis stream, ``<prefix>:handoffs``,
read by the consumer group ``advisers`` (``bot/handoff_consumer.py``).

An entry carries only ``handoff_id`` and ``chat_id`` (the record itself is in
the person's hash, ``cnam/handoff.py``); it is acknowledged once Telegram
accepted the card, so nothing is lost while the group is unreachable or
across a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from cnam.keys import shared_key
from cnam.settings import get_settings

GROUP = "advisers"
# Approximate trimming (~) lets Redis drop whole macro-nodes, which is cheap;
# 10,000 entries is years of handoffs for the CNAM Mayotte while keeping the
# stream's memory bounded even if the consumer stays down.
STREAM_MAXLEN = 10_000


@dataclass(frozen=True)
class StreamEntry:
    entry_id: str
    handoff_id: str
    chat_id: int


def stream_key() -> str:
    return shared_key("handoffs")


async def ensure_group(redis: aioredis.Redis) -> None:
    """Create the consumer group (and the stream) unless they exist."""
    try:
        await redis.xgroup_create(stream_key(), GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


async def enqueue(redis: aioredis.Redis, handoff_id: str, chat_id: int | str) -> str:
    """Queue one card; returns the stream entry id."""
    settings = get_settings()
    entry_id = await redis.xadd(
        stream_key(),
        {"handoff_id": handoff_id, "chat_id": str(chat_id)},
        maxlen=STREAM_MAXLEN,
        approximate=True,
    )
    # Entries name a chat id, so they leave at the retention age too; exact
    # trimming keeps that promise and costs little at a few handoffs a day.
    cutoff_ms = int(datetime.now(settings.tz).timestamp() * 1000) - settings.retention_seconds * 1000
    await redis.xtrim(stream_key(), minid=f"{cutoff_ms}-0", approximate=False)
    return entry_id


def _entries(raw: list) -> list[StreamEntry]:
    return [
        StreamEntry(entry_id, fields["handoff_id"], int(fields["chat_id"]))
        for entry_id, fields in raw
        if fields  # a pending entry deleted by redaction comes back without fields
    ]


async def read_new(
    redis: aioredis.Redis,
    consumer: str,
    count: int = 10,
    block_ms: int = 2000,
    backlog: bool = False,
) -> list[StreamEntry]:
    """Entries for this consumer: new ones (waits up to ``block_ms``), or with
    ``backlog`` those it was given before and has not acknowledged (restart)."""
    while backlog:
        response = await redis.xreadgroup(GROUP, consumer, {stream_key(): "0"}, count=count)
        raw = response[0][1] if response else []
        # Entries erased while pending have no fields left: acknowledge them away.
        gone = [entry_id for entry_id, fields in raw if not fields]
        if not gone:
            return _entries(raw)
        await redis.xack(stream_key(), GROUP, *gone)
    response = await redis.xreadgroup(
        GROUP, consumer, {stream_key(): ">"}, count=count, block=block_ms
    )
    return _entries(response[0][1]) if response else []


async def claim_stale(
    redis: aioredis.Redis, consumer: str, min_idle_ms: int, count: int = 10
) -> list[StreamEntry]:
    """Take over entries another consumer (a crashed process) left pending
    for at least ``min_idle_ms``."""
    _next, raw, *_deleted = await redis.xautoclaim(
        stream_key(), GROUP, consumer, min_idle_ms, start_id="0-0", count=count
    )
    return _entries(raw)


async def ack(redis: aioredis.Redis, entry_id: str) -> None:
    await redis.xack(stream_key(), GROUP, entry_id)


async def entries_of(redis: aioredis.Redis, chat_id: int | str) -> list[str]:
    """Ids of the entries about this person (erasure)."""
    doomed: list[str] = []
    start = "-"
    while page := await redis.xrange(stream_key(), min=start, max="+", count=500):
        doomed += [eid for eid, fields in page if fields.get("chat_id") == str(chat_id)]
        start = f"({page[-1][0]}"  # exclusive: continue after the last one read
    return doomed


def drop(pipe: aioredis.client.Pipeline, entry_ids: list[str]) -> None:
    """Add to ``pipe`` what removes these entries, pending or not."""
    if entry_ids:
        pipe.xack(stream_key(), GROUP, *entry_ids)
        pipe.xdel(stream_key(), *entry_ids)
