"""The delivery queue of the adviser cards: a Redis stream, ``<prefix>:handoffs``,
read by the consumer group ``advisers`` (``bot/handoff_consumer.py``).

An entry carries only ``handoff_id`` and ``chat_id`` (the record itself is in
the person's hash, ``cnam/handoff.py``); it is acknowledged once Telegram
accepted the card, so nothing is lost while the group is unreachable or
across a restart.

A card Telegram refuses for good (bot removed from the group, bad request)
goes to the dead letters, the stream ``<prefix>:dead_cards`` (handoff id,
chat id, error, when), and its entry is acknowledged so the next cards go
out; ``requeue_dead`` puts them back once the group is fixed. Both streams
name chat ids: ``trim`` (on a timer in the bot) drops their entries past
the retention age, and erasure drops a person's (``cnam/handoff.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from cnam import clock
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

    @property
    def fields(self) -> dict[str, str]:
        return {"handoff_id": self.handoff_id, "chat_id": str(self.chat_id)}


def stream_key() -> str:
    return shared_key("handoffs")


def dead_key() -> str:
    return shared_key("dead_cards")


async def ensure_group(redis: aioredis.Redis) -> None:
    """Create the consumer group (and the stream) unless they exist."""
    try:
        await redis.xgroup_create(stream_key(), GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


async def enqueue(redis: aioredis.Redis, handoff_id: str, chat_id: int | str) -> str:
    """Queue one card; returns the stream entry id."""
    return await redis.xadd(
        stream_key(),
        {"handoff_id": handoff_id, "chat_id": str(chat_id)},
        maxlen=STREAM_MAXLEN,
        approximate=True,
    )


async def trim(redis: aioredis.Redis, now: datetime) -> None:
    """Drop the entries of both streams older than the retention age: they
    name a chat id. Exact trimming keeps that promise and costs little at a
    few handoffs a day."""
    cutoff_ms = int(now.timestamp() * 1000) - get_settings().retention_seconds * 1000
    for key in (stream_key(), dead_key()):
        await redis.xtrim(key, minid=f"{cutoff_ms}-0", approximate=False)


async def _entries(redis: aioredis.Redis, raw: list) -> list[StreamEntry]:
    """The well-formed entries; a malformed one (written by hand?) goes to the
    dead letters, or it would come back first at every restart."""
    entries = []
    for entry_id, fields in raw:
        if not fields:  # a pending entry deleted by redaction comes back without fields
            continue
        try:
            entries.append(StreamEntry(entry_id, fields["handoff_id"], int(fields["chat_id"])))
        except (KeyError, ValueError):
            await bury(redis, entry_id, fields, "malformed stream entry", clock.now())
    return entries


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
            return await _entries(redis, raw)
        await redis.xack(stream_key(), GROUP, *gone)
    response = await redis.xreadgroup(
        GROUP, consumer, {stream_key(): ">"}, count=count, block=block_ms
    )
    return await _entries(redis, response[0][1]) if response else []


async def claim_stale(
    redis: aioredis.Redis, consumer: str, min_idle_ms: int, count: int = 10
) -> list[StreamEntry]:
    """Take over entries another consumer (a crashed process) left pending
    for at least ``min_idle_ms``."""
    _next, raw, *_deleted = await redis.xautoclaim(
        stream_key(), GROUP, consumer, min_idle_ms, start_id="0-0", count=count
    )
    return await _entries(redis, raw)


async def ack(redis: aioredis.Redis, entry_id: str) -> None:
    await redis.xack(stream_key(), GROUP, entry_id)


async def _ids_naming(redis: aioredis.Redis, key: str, chat_id: int | str) -> list[str]:
    doomed: list[str] = []
    start = "-"
    while page := await redis.xrange(key, min=start, max="+", count=500):
        doomed += [eid for eid, fields in page if fields.get("chat_id") == str(chat_id)]
        start = f"({page[-1][0]}"  # exclusive: continue after the last one read
    return doomed


async def entries_of(redis: aioredis.Redis, chat_id: int | str) -> list[str]:
    """Ids of the entries about this person (erasure)."""
    return await _ids_naming(redis, stream_key(), chat_id)


async def dead_letters_of(redis: aioredis.Redis, chat_id: int | str) -> list[str]:
    """Ids of the dead letters about this person (erasure)."""
    return await _ids_naming(redis, dead_key(), chat_id)


def drop(
    pipe: aioredis.client.Pipeline, entry_ids: list[str], dead_ids: Sequence[str] = ()
) -> None:
    """Add to ``pipe`` what removes these entries, pending or not, and these dead letters."""
    if entry_ids:
        pipe.xack(stream_key(), GROUP, *entry_ids)
        pipe.xdel(stream_key(), *entry_ids)
    if dead_ids:
        pipe.xdel(dead_key(), *dead_ids)


async def bury(
    redis: aioredis.Redis, entry_id: str, fields: dict[str, str], error: str, at: datetime
) -> None:
    """A card that cannot be delivered: keep it among the dead letters and
    acknowledge its entry, in one step. ``fields``: the entry's."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(dead_key(), {
            "handoff_id": fields.get("handoff_id", ""), "chat_id": fields.get("chat_id", ""),
            "error": error, "at": at.isoformat(timespec="seconds"),
        })
        pipe.xack(stream_key(), GROUP, entry_id)
        await pipe.execute()


async def dead_letters(redis: aioredis.Redis) -> list[dict[str, Any]]:
    """The dead letters, oldest first: ``{"id", "handoff_id", "chat_id", "error", "at"}``."""
    return [{"id": eid, **fields} for eid, fields in await redis.xrange(dead_key())]


async def requeue_dead(redis: aioredis.Redis) -> int:
    """Every dead letter back on the delivery stream (the group was fixed);
    returns how many."""
    letters = await dead_letters(redis)
    for letter in letters:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.xadd(stream_key(), {"handoff_id": letter["handoff_id"], "chat_id": letter["chat_id"]},
                      maxlen=STREAM_MAXLEN, approximate=True)
            pipe.xdel(dead_key(), letter["id"])
            await pipe.execute()
    return len(letters)
