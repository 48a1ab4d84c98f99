"""Every ``REMINDER_INTERVAL``: the appointments just over get their
attendance question on their case (``bot/attendance.py``), the follow-ups
due go to the people who came (``bot/followup.py``).

The steps live in a sorted set (``cnam/booking/aftercare.py``), each claimed
by one process; a step that meets a transient failure is put back for the
next pass, one whose person blocked the bot or is gone is dropped; a
question that finds no case posted (no advisers' group) is given up after a
week. With ``ATTENDANCE_CHECK`` off the questions are dropped unasked. ``run``
is the loop the bot starts under ``bot/supervisor.py``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import NoReturn

import redis.asyncio as aioredis
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import attendance, followup, outgoing
from cnam import clock
from cnam.booking import aftercare, outcomes
from cnam.booking.reservations import find_booking
from cnam.logsafe import hash_id
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

# A question that cannot be posted (no card yet, group unreachable) is tried
# again this often, and given up once the appointment is this old.
RETRY = timedelta(minutes=5)
GIVE_UP = timedelta(days=7)


async def _attendance(bot: Bot, redis: aioredis.Redis, due: aftercare.Due, now: datetime) -> None:
    if not get_settings().attendance_check:
        return  # not asked: the step is gone with its claim, nothing piles up
    booking = await find_booking(redis, due.chat_id, due.booking_id)
    if booking is None or (await outcomes.of(redis, due.chat_id, due.booking_id)).get("attendance"):
        return  # cancelled or erased, or already marked (from the agenda)
    if booking.end > now:  # moved later since it was planned
        await aftercare.release(redis, due, at=booking.end)
        return
    if not await attendance.ask(bot, redis, booking) and now - booking.end < GIVE_UP:
        await aftercare.release(redis, due, at=now + RETRY)


async def send_due(bot: Bot, redis: aioredis.Redis, now: datetime) -> int:
    """One pass; returns how many steps were claimed."""
    claimed = await aftercare.claim_due(redis, now)
    for due in claimed:
        try:
            if due.kind == aftercare.ATTENDANCE:
                await _attendance(bot, redis, due, now)
            else:
                await followup.send(bot, redis, due.chat_id, due.booking_id)
        except (Forbidden, BadRequest) as error:
            log.info("%s dropped for %s: %s", due.kind, hash_id(due.chat_id), type(error).__name__)
        except TelegramError as error:
            log.warning("%s for %s put back: %s", due.kind, hash_id(due.chat_id), error)
            await aftercare.release(redis, due, at=now + RETRY)
        except Exception as error:  # a bug with this one must not cost the others
            log.error("%s for %s put back after %s", due.kind, hash_id(due.chat_id), type(error).__name__)
            await aftercare.release(redis, due, at=now + RETRY)
    return len(claimed)


async def run(bot: Bot) -> NoReturn:
    with outgoing.background():  # behind the replies to people
        while True:
            await send_due(bot, get_redis(), clock.now())
            await asyncio.sleep(get_settings().reminder_interval)
