"""The advisers' agenda: a day's appointments with what became of each, and
the day an adviser asks for (``/agenda``, ``/agenda demain``, ``/agenda lundi``,
``/agenda 12/12``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import redis.asyncio as aioredis

from cnam.booking import day_index, outcomes
from cnam.booking.dates import parse_wish
from cnam.booking.record import Booking
from cnam.booking.reservations import find_booking
from cnam.settings import get_settings


@dataclass(frozen=True)
class Entry:
    """One appointment of the day and its outcomes (``cnam/booking/outcomes.py``)."""

    booking: Booking
    outcomes: dict[str, str]


async def of_day(redis: aioredis.Redis, day: date) -> list[Entry]:
    """The day's appointments by start time; an index member whose booking is
    gone (its person's hash expired) or on another day is skipped."""
    entries = []
    for chat_id, booking_id in await day_index.members(redis, day):
        booking = await find_booking(redis, chat_id, booking_id)
        if booking is None or day_index.day_of(booking.start) != day:
            continue
        entries.append(Entry(booking, await outcomes.of(redis, chat_id, booking_id)))
    return entries


def asked_day(text: str, now: datetime) -> date | None:
    """The day in ``/agenda``'s argument: today when empty, None when unreadable."""
    tz = get_settings().tz
    if not text.strip():
        return now.astimezone(tz).date()
    wish = parse_wish(text, now, tz)
    return wish.day if wish else None
