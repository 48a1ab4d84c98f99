"""What became of an appointment after it was booked.

One hash per person, ``person_key("outcome", chat_id)``, fields
``<booking_id>:<name>``. Names and their values:

- ``confirmation``: the answer to the day-before reminder, ``confirmed``,
  ``reschedule`` or ``cancelled``;
- ``attendance``: what an adviser marked after the time, ``attended`` or
  ``no_show``, and ``attendance_by`` (the adviser's Telegram id);
- ``usefulness`` (``1``–``5``) and ``next`` (``inscription``, ``reflexion``,
  ``autre_formation``, ``aide``): the follow-up answers.

It is a person key, so export and erasure find it with the rest; it expires
``RETENTION_DAYS`` after its last write, like the person's other records.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis

from cnam.keys import person_key
from cnam.settings import get_settings

VALUES: dict[str, frozenset[str] | None] = {
    "confirmation": frozenset({"confirmed", "reschedule", "cancelled"}),
    "attendance": frozenset({"attended", "no_show"}),
    "attendance_by": None,  # an adviser's id: any text
    "usefulness": frozenset({"1", "2", "3", "4", "5"}),
    "next": frozenset({"inscription", "reflexion", "autre_formation", "aide"}),
}


def outcome_key(chat_id: str | int) -> str:
    return person_key("outcome", chat_id)


def _check(name: str, value: str) -> None:
    if name not in VALUES:
        raise ValueError(f"unknown outcome: {name}")
    allowed = VALUES[name]
    if allowed is not None and value not in allowed:
        raise ValueError(f"unknown value for {name}: {value}")


async def put(
    redis: aioredis.Redis, chat_id: str | int, booking_id: str, name: str, value: str,
    *, only_first: bool = False,
) -> bool:
    """Write one outcome; with ``only_first``, keep an earlier answer.

    Returns whether this call wrote it (``only_first`` makes a second press,
    from another process or a double tap, a no-op that callers can tell).
    """
    _check(name, value)
    key = outcome_key(chat_id)
    field = f"{booking_id}:{name}"
    async with redis.pipeline(transaction=True) as pipe:
        if only_first:
            pipe.hsetnx(key, field, value)
        else:
            pipe.hset(key, field, value)
        pipe.expire(key, get_settings().retention_seconds)
        written, _ = await pipe.execute()
    return bool(written) or not only_first


# KEYS: the hash. ARGV: field, value, ttl. Sets the value, returns the one it replaced.
_SWAP = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return old
"""


async def swap(
    redis: aioredis.Redis, chat_id: str | int, booking_id: str, name: str, value: str
) -> str | None:
    """Write one outcome and return the one it replaced, atomically: a changed
    answer (Venu(e), then Absent(e)) moves its count instead of adding one."""
    _check(name, value)
    old = await redis.eval(
        _SWAP, 1, outcome_key(chat_id), f"{booking_id}:{name}", value, get_settings().retention_seconds
    )
    return old or None


async def of(redis: aioredis.Redis, chat_id: str | int, booking_id: str) -> dict[str, str]:
    """Every outcome recorded for one appointment, by name."""
    head = f"{booking_id}:"
    return {
        field.removeprefix(head): value
        for field, value in (await redis.hgetall(outcome_key(chat_id))).items()
        if field.startswith(head)
    }


async def forget(
    redis: aioredis.Redis, chat_id: str | int, booking_id: str, names: Iterable[str] = VALUES,
) -> None:
    """Drop one appointment's outcomes (it was cancelled before it happened),
    or only ``names`` (a moved appointment is confirmed again)."""
    fields = [f"{booking_id}:{name}" for name in names]
    await redis.hdel(outcome_key(chat_id), *fields)
