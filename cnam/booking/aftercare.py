"""What comes after an appointment: the advisers are asked who came, then
the people who came are asked how useful it was (the follow-up).

One sorted set, ``shared_key("aftercare")``, scored by the due time (epoch
seconds), like the reminders (``cnam/booking/reminders.py``); a member is
``<chat_id>|<booking_id>|attendance`` (due at the appointment's end) or
``<chat_id>|<booking_id>|followup`` (due ``FOLLOWUP_DAYS`` after an attended
appointment). A due member belongs to the one process whose ZREM removed
it, so nothing is asked or sent twice. The set needs no expiry: a member
leaves when it is claimed, when its appointment is cancelled or marked
absent, and with its person's erasure (``forget_person``).

Per person, ``person_key("aftercare", chat_id)`` is a hash (retention
expiry, found by export and erasure): ``<booking_id>:case`` is the case the
attendance was asked on (the CSV export joins the answers to it), and
``<booking_id>:rebook`` / ``<booking_id>:followup`` say that the rebooking
offer or the follow-up went out, so each goes once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis

from cnam.booking.reservations import Booking
from cnam.keys import person_key, shared_key
from cnam.settings import get_settings

log = logging.getLogger(__name__)

ATTENDANCE = "attendance"
FOLLOWUP = "followup"
KINDS = (ATTENDANCE, FOLLOWUP)


def aftercare_key() -> str:
    return shared_key("aftercare")


def marks_key(chat_id: str | int) -> str:
    return person_key("aftercare", chat_id)


def _member(chat_id: str | int, booking_id: str, kind: str) -> str:
    return f"{chat_id}|{booking_id}|{kind}"


@dataclass(frozen=True)
class Due:
    chat_id: str
    booking_id: str
    kind: str
    score: float


async def plan(redis: aioredis.Redis, chat_id: str | int, booking_id: str, kind: str, due: datetime) -> None:
    """(Re)plan one step; a moved appointment's step simply gets its new time."""
    await redis.zadd(aftercare_key(), {_member(chat_id, booking_id, kind): due.timestamp()})


async def plan_attendance(redis: aioredis.Redis, booking: Booking) -> None:
    await plan(redis, booking.chat_id, booking.id, ATTENDANCE, booking.end)


async def unplan(redis: aioredis.Redis, chat_id: str | int, booking_id: str, *kinds: str) -> None:
    await redis.zrem(aftercare_key(), *(_member(chat_id, booking_id, k) for k in kinds or KINDS))


async def forget_person(redis: aioredis.Redis, chat_id: str | int) -> None:
    """Erasure: every planned step of ``chat_id`` (their marks go with their keys)."""
    members = [m async for m, _ in redis.zscan_iter(aftercare_key(), match=f"{chat_id}|*")]
    if members:
        await redis.zrem(aftercare_key(), *members)


async def claim_due(redis: aioredis.Redis, now: datetime, limit: int = 100) -> list[Due]:
    """Steps due at ``now``, each returned to one caller only. A member that
    cannot be read is dropped with one log line: it would never become due less."""
    found = await redis.zrangebyscore(
        aftercare_key(), "-inf", now.timestamp(), start=0, num=limit, withscores=True
    )
    claimed = []
    for member, score in found:
        if not await redis.zrem(aftercare_key(), member):
            continue  # another process took it
        chat_id, _, rest = member.partition("|")
        booking_id, _, kind = rest.partition("|")
        if not (chat_id and booking_id) or kind not in KINDS:
            log.error("aftercare entry dropped: not chat|booking|kind")
            continue
        claimed.append(Due(chat_id, booking_id, kind, float(score)))
    return claimed


async def release(redis: aioredis.Redis, due: Due, at: datetime | None = None) -> None:
    """Put a claimed step back (a transient failure), for its time or ``at``."""
    score = at.timestamp() if at else due.score
    await redis.zadd(aftercare_key(), {_member(due.chat_id, due.booking_id, due.kind): score})


async def _mark(redis: aioredis.Redis, chat_id: str | int, field: str, value: str, *, first: bool) -> bool:
    key = marks_key(chat_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hsetnx(key, field, value) if first else pipe.hset(key, field, value)
        pipe.expire(key, get_settings().retention_seconds)
        written, _ = await pipe.execute()
    return bool(written) or not first


async def first_time(redis: aioredis.Redis, chat_id: str | int, booking_id: str, what: str) -> bool:
    """True once per ``(booking, what)``: ``rebook`` or ``followup`` went out."""
    return await _mark(redis, chat_id, f"{booking_id}:{what}", "1", first=True)


async def done(redis: aioredis.Redis, chat_id: str | int, booking_id: str, what: str) -> bool:
    return bool(await redis.hexists(marks_key(chat_id), f"{booking_id}:{what}"))


async def link_case(redis: aioredis.Redis, chat_id: str | int, booking_id: str, handoff_id: str) -> None:
    await _mark(redis, chat_id, f"{booking_id}:case", handoff_id, first=False)


async def cases(redis: aioredis.Redis, chat_id: str | int) -> dict[str, str]:
    """booking id → the case its attendance was asked on."""
    return {
        field.removesuffix(":case"): value
        for field, value in (await redis.hgetall(marks_key(chat_id))).items()
        if field.endswith(":case")
    }
