"""The advisers' weekly digest: every Monday from 8 h (Mayotte time), one
message with the past week's figures (Monday to Sunday) and one chart, in the
advisers' group.

Every bot process runs the loop; the Monday is claimed first
(``cnam/once.py``), so the digest goes once whatever the number of
processes, and a bot that was down at 8 h sends it when it starts that
Monday. The chart is the ``/stats`` one (``bot/stats_chart.py``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from telegram import Bot
from telegram.error import TelegramError

from bot import adviser_chat
from bot.stats_chart import render_chart
from cnam import handoff, once, stats
from cnam.booking.dates import format_day_short
from cnam.packing import pack
from cnam.settings import get_settings

log = logging.getLogger(__name__)

JOB = "weekly_digest"
HOUR = 8


def period_of(now: datetime) -> str | None:
    """The Monday whose digest is due at ``now`` (ISO date), or None."""
    local = now.astimezone(get_settings().tz)
    return local.date().isoformat() if local.weekday() == 0 and local.hour >= HOUR else None


async def waiting_cases(redis: aioredis.Redis) -> int:
    """Cards posted that no adviser has taken yet."""
    return len([r async for r in handoff.all_records(redis) if r.status == "transmis"])


def digest_text(week: stats.Period, waiting: int) -> list[str]:
    """The figures, in messages of at most 350 characters (one, usually)."""
    c = week.counts
    average = week.average_score
    rate = week.attendance_rate
    return pack([
        f"📊 Bilan de la semaine, du {format_day_short(week.first_day)} au {format_day_short(week.last_day)}",
        f"Conversations : {week.people} personne(s)",
        f"Profils complets : {c['profile_completed']}",
        f"Rendez-vous pris : {c['appointment']} ({c['appointment_cancelled']} annulé(s))",
        f"Confirmés la veille : {c['confirmed']}",
        f"Présence : {c['attended']} venu(s), {c['no_show']} absent(s)"
        + (f", {rate} % de présence" if rate is not None else ""),
        "Suivi : " + (
            f"note moyenne {average:.1f}/5".replace(".", ",") + f" ({c['followup']} réponse(s))"
            if average is not None else "pas encore de réponse"
        ),
        f"Dossiers en attente d'un conseiller : {waiting}",
        # Whether the assistant improves from one review round to the next.
        f"Messages mal compris : {stats.misread_line(week)}",
    ])


async def post_if_due(bot: Bot, redis: aioredis.Redis, now: datetime) -> bool:
    """Post this Monday's digest if no process did; returns whether this one did."""
    period = period_of(now)
    if period is None or not await once.claim(redis, JOB, period):
        return False
    try:
        week = (await stats.summary(redis, (7,), now - timedelta(days=1)))[7]
        first, *rest = digest_text(week, await waiting_cases(redis))
        chart = await asyncio.to_thread(render_chart, week)
        message = await adviser_chat.send(bot, redis, first, parse_mode=None)
    except Exception:
        await once.release(redis, JOB, period)  # nothing went out: the next pass retries
        raise
    try:
        for text in rest:
            await bot.send_message(message.chat.id, text, parse_mode=None)
        await bot.send_photo(message.chat.id, chart, caption="Activité de la semaine")
    except TelegramError as exc:  # the figures went out: not sent twice for the rest
        log.warning("weekly digest not sent in full: %s", exc)
    return True
