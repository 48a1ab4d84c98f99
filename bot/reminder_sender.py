"""Sends the appointment reminders (24 h and 1 h before) kept in Redis; the
day-before one carries the confirmation buttons.

The reminders live in a sorted set (cnam/booking/reminders.py), so they survive a
restart; ``claim_each`` hands each one to a single caller, so two bot
processes never send the same reminder twice. ``run`` is the loop the bot
starts under ``bot/supervisor.py``: an exception in one pass cannot stop the
next ones.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot import outgoing, reminder_answers, render
from bot.messages import OutMessage
from cnam import clock
from cnam.booking import reminders
from cnam.booking.config import get_advisers
from cnam.logsafe import hash_id
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)


def message(reminder: reminders.DueReminder) -> OutMessage:
    """The day-before reminder asks for a confirmation (``bot/reminder_answers.py``)."""
    answers = reminder_answers.buttons(reminder.booking) if reminder.kind == "24h" else []
    return OutMessage(reminder.text, buttons=answers)


async def send_due(application: Application) -> int:
    """Send what is due now; returns how many reminders were delivered."""
    redis = get_redis()
    sent = 0
    # Put back after the pass, or this pass would claim them again at once.
    retry: list[reminders.DueReminder] = []
    try:
        async for reminder in reminders.claim_each(redis, get_advisers(), clock.now()):
            try:
                await render.deliver(application.bot, int(reminder.chat_id), [message(reminder)])
                sent += 1
            except (Forbidden, BadRequest) as error:
                # The chat blocked the bot or is gone: it would fail every minute.
                log.info("reminder dropped for %s: %s", hash_id(reminder.chat_id), type(error).__name__)
            except TelegramError as error:
                log.warning("reminder for %s put back: %s", hash_id(reminder.chat_id), error)
                retry.append(reminder)
            except Exception as error:  # a bug with this one must not cost the others
                log.error("reminder for %s put back after %s", hash_id(reminder.chat_id),
                          type(error).__name__)
                retry.append(reminder)
    finally:
        for reminder in retry:
            await reminders.release(redis, reminder)
    return sent


async def run(application: Application) -> None:
    """Every ``REMINDER_INTERVAL`` seconds: the due reminders, then the
    parked entries past the retention age."""
    with outgoing.background():  # behind the replies to people
        while True:
            await send_due(application)
            await reminders.trim_parked(get_redis(), clock.now())
            await asyncio.sleep(get_settings().reminder_interval)
