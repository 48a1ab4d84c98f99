"""Background tasks of the bot process that outlive their failures.

A loop (reminders, card delivery, trimming) that raised would die with its
asyncio task, silently, and nothing would be sent again until a restart.
``start`` runs it under ``supervise`` instead: after any exception it is
logged and started again, with a growing delay. Only the exception's type
and where it was raised are logged: its message can carry personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from telegram import Bot
from telegram.ext import Application

from bot import outgoing
from cnam import clock
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

FIRST_DELAY = 1.0
TASKS = "supervisor.tasks"  # bot_data key: task name → asyncio task

Loop = Callable[[], Awaitable[object]]
# One pass of a periodic job: post what is due at ``now`` (agenda, digest, raise).
Step = Callable[[Bot, aioredis.Redis, datetime], Awaitable[object]]


def _where(exc: BaseException) -> str:
    """``bot/reminder_sender.py:42 in send_due``: where it was raised, no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{'/'.join(Path(last.filename).parts[-2:])}:{last.lineno} in {last.name}"


async def supervise(name: str, loop: Loop) -> NoReturn:
    """Run ``loop()`` forever; cancelling the task is the only way out."""
    delay = FIRST_DELAY
    while True:
        started = time.monotonic()
        try:
            await loop()
            log.warning("%s stopped by itself, restart in %.0f s", name, delay)
        except asyncio.CancelledError:
            raise
        except RedisError as exc:
            log.warning("%s: Redis unavailable (%s), restart in %.0f s", name, type(exc).__name__, delay)
        except Exception as exc:  # any bug must not stop the loop for good
            log.error("%s failed (%s at %s), restart in %.0f s",
                      name, type(exc).__name__, _where(exc), delay)
        longest = get_settings().background_retry_max
        if time.monotonic() - started > longest:
            delay = FIRST_DELAY  # it had been working: start the backoff again
        await asyncio.sleep(delay)
        delay = min(delay * 2, longest)


def start(application: Application, name: str, loop: Loop) -> None:
    tasks: dict[str, asyncio.Task] = application.bot_data.setdefault(TASKS, {})
    tasks[name] = asyncio.create_task(supervise(name, loop), name=name)


async def stop_all(application: Application) -> None:
    tasks: dict[str, asyncio.Task] = application.bot_data.pop(TASKS, {})
    for task in tasks.values():
        task.cancel()
    for task in tasks.values():
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def every_interval(step: Step, bot: Bot) -> NoReturn:
    """``step`` at the reminders' pace (``REMINDER_INTERVAL``), for ``start``."""
    with outgoing.background():  # behind the replies to people
        while True:
            await step(bot, get_redis(), clock.now())
            await asyncio.sleep(get_settings().reminder_interval)
