"""Messages the assistant handled badly, kept masked for the advisers to label.

Keys (``cnam/keys.py``):

- ``shared_key("review", id)``: a hash, the masked ``text``, the predicted
  ``intent``, ``confidence``, ``entities`` and ``ranking`` (JSON), the
  ``reason`` (``fallback``, ``low_confidence``, ``correction``), ``at``; then
  ``label``/``label_by``, and ``label2``/``label2_by``/``disputed`` when a
  second adviser disagrees. Nothing else about the person;
- ``shared_key("review_queue")``: ids waiting for a label, scored by arrival;
- ``shared_key("review_labelled")``: ids labelled once and not disputed,
  what ``python -m stack.review export`` writes;
- ``shared_key("review_seen", id)``: a day-long mark, so that a misread
  message of someone who may not be kept is counted once and stored never;
- ``person_key("review_ids", chat_id)``: the ids of one person's entries,
  so that their erasure removes them too (and their export lists them).

Everything expires after the retention; the sorted sets are trimmed of ids
whose entry is gone when they are read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import redis.asyncio as aioredis

from cnam.keys import person_key, prefix, shared_key
from cnam.settings import get_settings

REASONS = ("fallback", "low_confidence", "correction")

# KEYS: entry, queue, labelled set. ARGV: label, adviser, the entry's id.
# A first label takes the entry out of the queue; a second that differs marks
# it disputed (out of the export); the same label again changes nothing.
_LABEL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
local first = redis.call('HGET', KEYS[1], 'label')
if not first then
  redis.call('HSET', KEYS[1], 'label', ARGV[1], 'label_by', ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], redis.call('TIME')[1], ARGV[3])
  return 'labelled'
end
if first == ARGV[1] then return 'same' end
redis.call('HSET', KEYS[1], 'label2', ARGV[1], 'label2_by', ARGV[2], 'disputed', '1')
redis.call('ZREM', KEYS[3], ARGV[3])
return 'disputed'
"""


@dataclass
class Entry:
    id: str
    text: str
    intent: str
    confidence: float
    reason: str
    at: str
    entities: list[dict[str, str]] = field(default_factory=list)
    ranking: list[str] = field(default_factory=list)
    label: str | None = None
    label_by: str | None = None
    disputed: bool = False

    @classmethod
    def from_hash(cls, entry_id: str, data: dict[str, str]) -> Entry:
        return cls(
            id=entry_id, text=data.get("text", ""), intent=data.get("intent", ""),
            confidence=float(data.get("confidence") or 0), reason=data.get("reason", ""),
            at=data.get("at", ""), entities=json.loads(data.get("entities") or "[]"),
            ranking=json.loads(data.get("ranking") or "[]"), label=data.get("label"),
            label_by=data.get("label_by"), disputed=data.get("disputed") == "1",
        )


def entry_id(sender_id: str, message_id: str) -> str:
    """Stable per message (a second save of the same turn finds it), and no
    chat id can be read back from it."""
    return hashlib.sha256(f"{prefix()}:{sender_id}:{message_id}".encode()).hexdigest()[:16]


def entry_key(eid: str) -> str:
    return shared_key("review", eid)


def seen_key(eid: str) -> str:
    """A misread message of someone who may not be kept, counted once."""
    return shared_key("review_seen", eid)


def queue_key() -> str:
    return shared_key("review_queue")


def labelled_key() -> str:
    return shared_key("review_labelled")


def ids_key(chat_id: str | int) -> str:
    return person_key("review_ids", chat_id)


async def add(
    redis: aioredis.Redis, chat_id: str | int, eid: str, *, text: str, intent: str,
    confidence: float, reason: str, entities: list[dict[str, str]], ranking: list[str],
    now: datetime,
) -> bool:
    """Queue one masked message; False if this message is already there."""
    if reason not in REASONS:
        raise ValueError(f"unknown review reason: {reason}")
    ttl = get_settings().retention_seconds
    key = entry_key(eid)
    if not await redis.hsetnx(key, "text", text):
        return False
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping={
            "intent": intent, "confidence": f"{confidence:.3f}", "reason": reason,
            "at": now.isoformat(timespec="seconds"),
            "entities": json.dumps(entities, ensure_ascii=False),
            "ranking": json.dumps(ranking, ensure_ascii=False),
        })
        pipe.expire(key, ttl)
        pipe.zadd(queue_key(), {eid: now.timestamp()})
        pipe.expire(queue_key(), ttl)
        pipe.sadd(ids_key(chat_id), eid)
        pipe.expire(ids_key(chat_id), ttl)
        await pipe.execute()
    return True


async def get(redis: aioredis.Redis, eid: str) -> Entry | None:
    data = await redis.hgetall(entry_key(eid))
    return Entry.from_hash(eid, data) if data else None


async def _live_ids(redis: aioredis.Redis, key: str) -> list[str]:
    """The set's ids in order, dropping those whose entry expired or was erased."""
    ids = await redis.zrange(key, 0, -1)
    if not ids:
        return []
    async with redis.pipeline(transaction=False) as pipe:
        for eid in ids:
            pipe.exists(entry_key(eid))
        alive = await pipe.execute()
    gone = [eid for eid, ok in zip(ids, alive, strict=True) if not ok]
    if gone:
        await redis.zrem(key, *gone)
    return [eid for eid, ok in zip(ids, alive, strict=True) if ok]


async def waiting(redis: aioredis.Redis) -> list[str]:
    """Ids waiting for a label, oldest first."""
    return await _live_ids(redis, queue_key())


async def labelled(redis: aioredis.Redis) -> list[Entry]:
    entries = [await get(redis, eid) for eid in await _live_ids(redis, labelled_key())]
    return [e for e in entries if e is not None and e.label and not e.disputed]


async def label(redis: aioredis.Redis, eid: str, intent: str, adviser: str) -> str:
    """``labelled``, ``same``, ``disputed`` or ``gone``."""
    script = redis.register_script(_LABEL)
    return str(await script(keys=[entry_key(eid), queue_key(), labelled_key()], args=[intent, adviser, eid]))


async def set_entities(redis: aioredis.Redis, eid: str, entities: list[dict[str, str]]) -> bool:
    """The entry's entities as a reviewer says they are (``entity``, ``value``
    and the ``text`` of the message they are read from)."""
    if not await redis.exists(entry_key(eid)):
        return False
    await redis.hset(entry_key(eid), "entities", json.dumps(entities, ensure_ascii=False))
    return True


async def correct_entity(
    redis: aioredis.Redis, eid: str, entity: str, value: str, words: str | None = None
) -> bool:
    """Replace (or add) one entity, as an adviser gave it."""
    entry = await get(redis, eid)
    if entry is None:
        return False
    entities = [e for e in entry.entities if e.get("entity") != entity]
    entities.append({"entity": entity, "value": value, **({"text": words} if words else {})})
    return await set_entities(redis, eid, entities)


async def drop(redis: aioredis.Redis, eid: str) -> None:
    """Ignore or delete one entry: out of both sets and gone."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(entry_key(eid))
        pipe.zrem(queue_key(), eid)
        pipe.zrem(labelled_key(), eid)
        await pipe.execute()


async def forget_person(redis: aioredis.Redis, chat_id: str | int) -> int:
    """Erasure: every entry of ``chat_id``, then the list of them."""
    ids = list(await redis.smembers(ids_key(chat_id)))
    for eid in ids:
        await drop(redis, eid)
    await redis.delete(ids_key(chat_id))
    return len(ids)
