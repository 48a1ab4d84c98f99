"""The day's agenda posted in the advisers' group each morning at
``AGENDA_MORNING`` (7:30, Mayotte time), or later that morning when the bot
was down then, never after noon.

Every bot process runs this loop; the day is claimed first
(``cnam/once.py``), so it is posted once whatever the number of processes.
A post Telegram refuses gives the day back, for the next pass to retry.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

import redis.asyncio as aioredis
from telegram import Bot
from telegram.error import TelegramError

from bot import adviser_chat, agenda
from cnam import once
from cnam.settings import get_settings

log = logging.getLogger(__name__)

JOB = "morning_agenda"
NOON = time(12, 0)
GREETING = "☀️ Bonjour ! "


def starts_at() -> time | None:
    """``AGENDA_MORNING`` (``HH:MM``), None when ``off``."""
    setting = get_settings().agenda_morning
    return None if setting == "off" else time.fromisoformat(setting)


async def post_if_due(bot: Bot, redis: aioredis.Redis, now: datetime) -> bool:
    """Post today's agenda if it is the morning and nobody posted it yet."""
    start = starts_at()
    local = now.astimezone(get_settings().tz)
    if start is None or not start <= local.time() < NOON:
        return False
    day = local.date()
    if not await once.claim(redis, JOB, day.isoformat()):
        return False
    try:
        chat_id = await adviser_chat.current(redis)
        text, keyboard = await agenda.day_message(redis, chat_id, day, now, title=GREETING)
        await adviser_chat.send(bot, redis, text, parse_mode=None, reply_markup=keyboard)
    except TelegramError as exc:
        log.warning("morning agenda of %s not posted, retried: %s", day, exc)
        await once.release(redis, JOB, day.isoformat())
        return False
    return True
