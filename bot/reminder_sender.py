"""Sends the appointment reminders (24 h and 1 h before) kept in Redis.

The reminders live in a sorted set (cnam/booking/reminders.py), so they survive a
restart; ``claim_due`` hands each one to a single caller, so two bot
processes never send the same reminder twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.exceptions import RedisError
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from cnam import clock
from cnam.booking import reminders
from cnam.booking.config import get_advisers
from cnam.logsafe import hash_id
from cnam.store import get_redis

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
TASK = "reminders_task"


async def send_due(application: Application) -> int:
    """Send what is due now; returns how many reminders were delivered."""
    redis = get_redis()
    sent = 0
    for reminder in await reminders.claim_due(redis, get_advisers(), clock.now()):
        try:
            await application.bot.send_message(int(reminder.chat_id), reminder.text)
            sent += 1
        except Forbidden:
            log.info("reminder dropped: chat %s blocked the bot", hash_id(reminder.chat_id))
        except TelegramError as error:
            log.warning("reminder for %s put back: %s", hash_id(reminder.chat_id), error)
            await reminders.release(redis, reminder)
    return sent


async def _loop(application: Application) -> None:
    while True:
        try:
            await send_due(application)
        except RedisError as error:
            log.warning("reminders skipped this minute (Redis): %s", error)
        await asyncio.sleep(INTERVAL_SECONDS)


async def start(application: Application) -> None:
    application.bot_data[TASK] = asyncio.create_task(_loop(application))


async def stop(application: Application) -> None:
    task = application.bot_data.pop(TASK, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
