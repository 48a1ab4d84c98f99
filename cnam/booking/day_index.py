"""The per-day index of appointments, for the advisers' agenda.

Bookings live in each person's hash and slot keys hold only a booking id, so
listing a day needs an index: a sorted set ``shared_key("agenda", "YYYY-MM-DD")``
with members ``<chat_id>|<booking_id>`` scored by the start (epoch seconds).
The reservation scripts (``cnam/booking/reservations.py``) write it with the
booking, move the member when the appointment moves and remove it when it is
cancelled or erased, in the same atomic step. It names chat ids, so it
expires a day after its day ends, like the slot keys.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import redis.asyncio as aioredis

from cnam.booking.record import Booking
from cnam.keys import person_key, shared_key
from cnam.settings import get_settings

GRACE = timedelta(days=1)


def day_of(moment: datetime) -> date:
    return moment.astimezone(get_settings().tz).date()


def day_key(day: date) -> str:
    return shared_key("agenda", day.isoformat())


def booking_day_key(booking: Booking) -> str:
    return day_key(day_of(booking.start))


def member(chat_id: str | int, booking_id: str) -> str:
    return f"{chat_id}|{booking_id}"


def ttl(booking: Booking, now: datetime) -> int:
    """Seconds the day's index lives from ``now``: its day, then a day more."""
    end_of_day = datetime.combine(day_of(booking.start) + timedelta(days=1), time.min,
                                  tzinfo=get_settings().tz)
    return max(1, int((end_of_day + GRACE - now).total_seconds()))


async def members(redis: aioredis.Redis, day: date) -> list[tuple[str, str]]:
    """``(chat_id, booking_id)`` of the day's appointments, by start time."""
    found = await redis.zrange(day_key(day), 0, -1)
    return [(chat_id, booking_id) for chat_id, _, booking_id in (m.partition("|") for m in found)]


async def backfill(redis: aioredis.Redis, now: datetime) -> int:
    """Index the upcoming appointments booked before the index existed (the
    first start over existing data); members already there stay as they are.
    Returns how many were added."""
    added = 0
    async for key in redis.scan_iter(match=person_key("booking", "*"), count=500):
        chat_id = key.rpartition(":")[2]
        for raw in await redis.hvals(key):
            booking = Booking.from_json(raw)
            if booking.end <= now:
                continue
            index = booking_day_key(booking)
            added += await redis.zadd(index, {member(chat_id, booking.id): booking.start.timestamp()}, nx=True)
            await redis.expire(index, ttl(booking, now))
    return added
