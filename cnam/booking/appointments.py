"""Booking, cancelling and erasing an appointment together with its reminders
and its count in the advisers' statistics.

Actions and the erasure code call these, so a reservation never goes without
its reminders, nor a cancellation with reminders left behind.
"""

from __future__ import annotations

from datetime import datetime

import redis.asyncio as aioredis

from cnam import stats
from cnam.booking import aftercare, outcomes, reminders, reservations
from cnam.booking.config import AdvisersConfig


async def book(
    redis: aioredis.Redis,
    config: AdvisersConfig,
    chat_id: str | int,
    slot_id: str,
    mode: str,
    now: datetime,
    *,
    telephone: str | None = None,
    allow_second: bool = False,
    replacing: str | None = None,
) -> reservations.ReserveResult:
    """Reserve (or move, with ``replacing``) and plan the reminders."""
    result = await reservations.reserve(
        redis, config, chat_id, slot_id, mode, now,
        telephone=telephone, allow_second=allow_second, replacing=replacing,
    )
    if result.booking is not None:
        await reminders.schedule(redis, result.booking, now)
        await aftercare.plan_attendance(redis, result.booking)
        if replacing is None:  # a move is the same appointment
            await stats.record(redis, "appointment", chat_id, now)
        else:  # the day-before answer was about the old time
            await outcomes.forget(redis, chat_id, result.booking.id, ["confirmation"])
    return result


async def cancel(
    redis: aioredis.Redis, chat_id: str | int, booking_id: str
) -> reservations.Booking | None:
    """Cancel: the slot is free again at once and no reminder will come."""
    cancelled = await reservations.cancel(redis, chat_id, booking_id)
    await reminders.unschedule(redis, chat_id, booking_id)
    await aftercare.unplan(redis, chat_id, booking_id)
    if cancelled is not None:
        await stats.record(redis, "appointment_cancelled", chat_id)
    return cancelled


async def forget_person(redis: aioredis.Redis, chat_id: str | int) -> int:
    """Erasure of every appointment of ``chat_id``: slots freed, reminders gone.

    Call it before deleting the person's keys by pattern: slot keys and the
    reminders set are shared keys that such a scan does not reach.
    """
    count = await reservations.forget_person(redis, chat_id)
    await reminders.forget_person(redis, chat_id)
    await aftercare.forget_person(redis, chat_id)
    return count
