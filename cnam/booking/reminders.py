"""Appointment reminders, 24 hours and 1 hour before, kept in Redis.

One sorted set, ``shared_key("reminders")``, scored by the due time (epoch
seconds); a member is ``<chat_id>|<booking_id>|<kind>``. It survives a
restart, and any number of bot processes may consume it: each due member is
read, then claimed alone by a Lua script that removes it only if it is still
there with the score read, so exactly one process gets each, and a member
leaves the set only once it was read.

The set has no expiry and needs no trimming job: a member leaves it when it
is claimed, when its appointment is cancelled or moved, or when its person
is erased, so it never holds more than two members per upcoming appointment.
Members left behind by a crash (appointment gone or moved) are claimed when
due like any other, then dropped instead of sent.

A member that cannot be read (not ``chat|booking|kind``, an unknown kind, a
booking record that does not parse) is moved to ``shared_key("reminders_parked")``,
a sorted set scored by when it was parked, and logged once: never sent, not
lost, and it cannot stop the others. Parked members go with their person's
erasure and at the retention age (``trim_parked``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from cnam.booking import wording
from cnam.booking.config import AdvisersConfig
from cnam.booking.reservations import Booking, find_booking
from cnam.keys import shared_key
from cnam.settings import get_settings

log = logging.getLogger(__name__)

LEADS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
# A claimed reminder whose score differs from its appointment's by more than
# this was left by an appointment that moved: dropped.
_STALE = timedelta(minutes=1)

# KEYS: the set[, the parked set]. ARGV: member, the score it was read with
# [, when parked]. Takes the member only if nobody re-planned or took it since
# it was read; with the parked set, moves it there.
_TAKE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
if KEYS[2] then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
return 1
"""


class Unreadable(ValueError):
    """A member of the set that cannot become a reminder."""


def reminders_key() -> str:
    return shared_key("reminders")


def parked_key() -> str:
    return shared_key("reminders_parked")


def _member(chat_id: str | int, booking_id: str, kind: str) -> str:
    return f"{chat_id}|{booking_id}|{kind}"


@dataclass(frozen=True)
class DueReminder:
    chat_id: str
    kind: str
    due: datetime
    booking: Booking
    text: str

    @property
    def member(self) -> str:
        return _member(self.chat_id, self.booking.id, self.kind)


async def schedule(redis: aioredis.Redis, booking: Booking, now: datetime) -> list[str]:
    """(Re)plan the reminders of ``booking``; returns the kinds planned.

    A reminder arriving soon after the booking itself is noise: one is kept
    only if it falls at least half its lead after ``now`` (no "see you
    tomorrow" an hour after booking for the next day).
    """
    planned = {
        kind: (booking.start - lead).timestamp()
        for kind, lead in LEADS.items()
        if booking.start - lead >= now + lead / 2
    }
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zrem(reminders_key(), *(_member(booking.chat_id, booking.id, k) for k in LEADS))
        if planned:
            pipe.zadd(reminders_key(), {
                _member(booking.chat_id, booking.id, k): due for k, due in planned.items()
            })
        await pipe.execute()
    return list(planned)


async def unschedule(redis: aioredis.Redis, chat_id: str | int, booking_id: str) -> None:
    await redis.zrem(reminders_key(), *(_member(chat_id, booking_id, k) for k in LEADS))


async def forget_person(redis: aioredis.Redis, chat_id: str | int) -> None:
    """Erasure: every reminder of ``chat_id``, whatever the booking."""
    for key in (reminders_key(), parked_key()):
        members = [m async for m, _ in redis.zscan_iter(key, match=f"{chat_id}|*")]
        if members:
            await redis.zrem(key, *members)


async def trim_parked(redis: aioredis.Redis, now: datetime) -> None:
    """Parked members name a chat id: they leave at the retention age."""
    cutoff = now.timestamp() - get_settings().retention_seconds
    await redis.zremrangebyscore(parked_key(), "-inf", cutoff)


async def _take(
    redis: aioredis.Redis, member: str, score: float, parked_at: datetime | None = None
) -> bool:
    if parked_at is None:
        return bool(await redis.eval(_TAKE, 1, reminders_key(), member, repr(score)))
    return bool(await redis.eval(
        _TAKE, 2, reminders_key(), parked_key(), member, repr(score), parked_at.timestamp()
    ))


async def _read(
    redis: aioredis.Redis, config: AdvisersConfig, member: str, score: float, now: datetime
) -> DueReminder | None:
    """The reminder behind a due member, or None when it is to be dropped."""
    parts = member.split("|")
    if len(parts) != 3 or not all(parts):
        raise Unreadable("not chat|booking|kind")
    chat_id, booking_id, kind = parts
    if kind not in LEADS:
        raise Unreadable("unknown kind")
    booking = await find_booking(redis, chat_id, booking_id)
    if booking is None or booking.start <= now:
        return None
    due = booking.start - LEADS[kind]
    if abs(score - due.timestamp()) > _STALE.total_seconds():
        return None
    if kind == "24h" and now >= booking.start - LEADS["1h"]:
        return None
    return DueReminder(chat_id, kind, due, booking, wording.reminder(config, booking, now))


async def _claim(
    redis: aioredis.Redis, config: AdvisersConfig, member: str, score: float, now: datetime
) -> DueReminder | None:
    try:
        reminder = await _read(redis, config, member, score, now)
    except RedisError:
        raise  # Redis, not the member: it stays for the next pass
    except Exception as exc:  # the member, its booking or its text cannot be read
        if await _take(redis, member, score, parked_at=now):
            why = str(exc) if isinstance(exc, Unreadable) else type(exc).__name__
            log.error("reminder entry parked in %s (%s): never sent", parked_key(), why)
        return None
    # Dropped ones leave the set too; None also when another process took it.
    return reminder if await _take(redis, member, score) and reminder else None


async def claim_each(
    redis: aioredis.Redis, config: AdvisersConfig, now: datetime, batch: int = 100
) -> AsyncIterator[DueReminder]:
    """The reminders due at ``now``, each claimed just before it is yielded,
    so a caller that fails midway has taken only the one in hand.

    Reminders of appointments cancelled, erased, moved or already started
    are dropped; so is a day-before reminder when the hour-before one is due
    too (the bot was down). Every member read leaves the set or changed its
    score, so this ends.
    """
    while due := await redis.zrangebyscore(
        reminders_key(), "-inf", int(now.timestamp()), start=0, num=batch, withscores=True
    ):
        for member, score in due:
            if reminder := await _claim(redis, config, member, float(score), now):
                yield reminder


async def claim_due(
    redis: aioredis.Redis, config: AdvisersConfig, now: datetime, limit: int = 100
) -> list[DueReminder]:
    """At most ``limit`` due reminders: each is returned to one caller only."""
    claimed: list[DueReminder] = []
    async with contextlib.aclosing(claim_each(redis, config, now, batch=limit)) as each:
        async for reminder in each:
            claimed.append(reminder)
            if len(claimed) == limit:
                break
    return claimed


async def release(redis: aioredis.Redis, reminder: DueReminder) -> None:
    """Put back a claimed reminder after a transient delivery failure (network,
    flood control); not when the person blocked the bot."""
    await redis.zadd(reminders_key(), {reminder.member: reminder.due.timestamp()})
