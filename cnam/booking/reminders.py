"""Appointment reminders, 24 hours and 1 hour before, kept in Redis.

One sorted set, ``shared_key("reminders")``, scored by the due time (epoch
seconds); a member is ``<chat_id>|<booking_id>|<kind>``. It survives a
restart, and any number of bot processes may consume it: a reminder is
claimed by a Lua script that reads and removes the due members in one step,
so exactly one process gets each.

The set has no expiry and needs no trimming job: a member leaves it when it
is claimed, when its appointment is cancelled or moved, or when its person
is erased, so it never holds more than two members per upcoming appointment.
Members left behind by a crash (appointment gone or moved) are claimed when
due like any other, then dropped instead of sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import redis.asyncio as aioredis

from cnam.booking import wording
from cnam.booking.config import AdvisersConfig
from cnam.booking.reservations import Booking, find_booking
from cnam.keys import shared_key

LEADS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
# A claimed reminder whose score differs from its appointment's by more than
# this was left by an appointment that moved: dropped.
_STALE = timedelta(minutes=1)

# KEYS: the set. ARGV: now (epoch s), how many at most.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],
                       'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
end
return due
"""


def reminders_key() -> str:
    return shared_key("reminders")


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
    members = [m async for m, _ in redis.zscan_iter(reminders_key(), match=f"{chat_id}|*")]
    if members:
        await redis.zrem(reminders_key(), *members)


async def claim_due(
    redis: aioredis.Redis, config: AdvisersConfig, now: datetime, limit: int = 100
) -> list[DueReminder]:
    """Take the reminders due at ``now``: each is returned to one caller only.

    Reminders of appointments cancelled, erased, moved or already started
    are dropped; so is a day-before reminder when the hour-before one is due
    too (the bot was down).
    """
    flat = await redis.eval(_CLAIM, 1, reminders_key(), int(now.timestamp()), limit)
    claimed = []
    for member, score in zip(flat[::2], flat[1::2], strict=True):
        chat_id, booking_id, kind = member.split("|")
        booking = await find_booking(redis, chat_id, booking_id)
        if booking is None or kind not in LEADS or booking.start <= now:
            continue
        due = booking.start - LEADS[kind]
        if abs(float(score) - due.timestamp()) > _STALE.total_seconds():
            continue
        if kind == "24h" and now >= booking.start - LEADS["1h"]:
            continue
        text = wording.reminder(config, booking, now)
        claimed.append(DueReminder(chat_id, kind, due, booking, text))
    return claimed


async def release(redis: aioredis.Redis, reminder: DueReminder) -> None:
    """Put back a claimed reminder after a transient delivery failure (network,
    flood control); not when the person blocked the bot."""
    await redis.zadd(reminders_key(), {reminder.member: reminder.due.timestamp()})
