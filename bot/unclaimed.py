"""Cards nobody took are raised again: after ``UNCLAIMED_RAISE_MINUTES``
without "Je prends", one message in the case's place (its topic, or a reply
to its card: ``bot/case_thread.tell``) says how long it has waited and names
those it is meant for; again after each further delay, ``MAX_RAISES`` times
at most.

Every bot process runs this loop; a raise is claimed first in Redis
(``shared_key("raised", handoff_id, "n<round>")``, SET NX with an expiry of
two delays, holding no personal data), so each round is posted once across
processes, and a bot that was down posts the current round once, not the
ones it missed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from telegram import Bot

from bot import case_thread
from cnam import handoff
from cnam.booking.config import AdvisersFileError, get_advisers
from cnam.handoff import HandoffRecord
from cnam.keys import shared_key
from cnam.settings import get_settings

log = logging.getLogger(__name__)

MAX_RAISES = 3  # then the card waits quietly: a reminder nobody answers is noise


def _for_whom(record: HandoffRecord) -> str:
    """ "@anli_cnam, Zaïnaba": plain text, as events are posted."""
    if not record.routed_to:
        return "tous les conseillers"
    try:
        found = [a for a in map(get_advisers().adviser, record.routed_to) if a is not None]
    except AdvisersFileError:
        found = []
    names = [f"@{a.telegram_username}" if a.telegram_username else a.first_name for a in found]
    return ", ".join(names) or "tous les conseillers"


def raise_text(record: HandoffRecord, waited: timedelta) -> str:
    minutes = int(waited.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    since = f"{hours} h {rest:02d}" if hours else f"{minutes} min"
    return (
        f"⏰ Demande en attente depuis {since} : personne ne l'a encore prise. "
        f"Pour : {_for_whom(record)}. Appuyez sur « Je prends » sur la fiche."
    )


async def raise_due(bot: Bot, redis: aioredis.Redis, now: datetime) -> int:
    """Raise every card due for its next round; returns how many were posted here."""
    delay = timedelta(minutes=get_settings().unclaimed_raise_minutes)
    if delay <= timedelta(0):
        return 0
    posted = 0
    async for record in handoff.all_records(redis):
        if record.status != "transmis" or record.card_message_id is None:
            continue
        waited = now - record.created_at
        round_ = min(int(waited / delay), MAX_RAISES)
        claim = shared_key("raised", record.handoff_id, f"n{round_}")
        if round_ < 1 or not await redis.set(claim, 1, nx=True, ex=int(2 * delay.total_seconds()) + 60):
            continue
        if await case_thread.tell(bot, redis, record, raise_text(record, waited)) is not None:
            posted += 1
    return posted
