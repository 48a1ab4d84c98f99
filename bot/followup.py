"""The follow-up: ``FOLLOWUP_DAYS`` after an appointment the person came to,
one question (how useful was it, 1 to 5), then what happens next
(inscription, réflexion, autre formation, besoin d'aide).

Never sent to someone whose data may not be kept (refused, under 16), to a
minor by their profile (under 18), nor after an erasure (the planned step
goes with the person, ``cnam/booking/aftercare.py``). The answers are the
front action ``!suivi <booking_id> note|suite|stop <value>``: they go into
the appointment's outcomes (``usefulness``, ``next``, first answer kept),
into ``/stats`` and onto the case (``bot/case_thread.tell``).
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from telegram import Bot

from bot import case_thread, render
from bot.card import clean
from bot.messages import OutMessage
from cnam import handoff, privacy, stats
from cnam.booking import aftercare, outcomes
from cnam.booking.dates import format_day
from cnam.booking.reservations import Booking, find_booking
from cnam.store import get_redis

log = logging.getLogger(__name__)

ACTION = "!suivi"
MINOR_AGES = {"moins_16", "16_17"}
NEXT = {
    "inscription": "M'inscrire",
    "reflexion": "Je réfléchis",
    "autre_formation": "Une autre formation",
    "aide": "J'ai besoin d'aide",
}
NEXT_FOR_ADVISERS = {
    "inscription": "va s'inscrire", "reflexion": "réfléchit encore",
    "autre_formation": "pense à une autre formation", "aide": "a besoin d'aide",
}
SKIP = ("Je préfère ne pas répondre", "stop")
THANKS = OutMessage(text="Merci pour votre réponse ! Bonne continuation.")
NO_ANSWER = OutMessage(text="D'accord, pas de souci. Je reste là si vous avez une question.")
HELP_NEXT = OutMessage(
    text="C'est noté : un conseiller du CNAM va revenir vers vous. Vous pouvez aussi lui écrire dès maintenant.",
    buttons=[("Parler à un conseiller", "/ask_human"), ("C'est tout, merci", "/goodbye")],
)
ALREADY = OutMessage(text="Vous avez déjà répondu, merci !")

_bot: Bot | None = None


def bind(bot: Bot) -> None:
    """The bot that tells the case (none in the terminal chat)."""
    global _bot
    _bot = bot


def _payload(booking_id: str, step: str, value: str = "") -> str:
    return f"{ACTION} {booking_id} {step} {value}".strip()


def question(booking: Booking) -> OutMessage:
    return OutMessage(
        text=(
            f"Bonjour ! Vous avez vu un conseiller du CNAM le {format_day(booking.start.date())}. "
            "Ce rendez-vous vous a-t-il été utile ? De 1 (pas du tout) à 5 (beaucoup)."
        ),
        buttons=[*((str(n), _payload(booking.id, "note", str(n))) for n in range(1, 6)),
                 (SKIP[0], _payload(booking.id, SKIP[1]))],
    )


def next_question(booking_id: str) -> OutMessage:
    return OutMessage(
        text="Merci ! Et maintenant, que pensez-vous faire ?",
        buttons=[*((title, _payload(booking_id, "suite", key)) for key, title in NEXT.items()),
                 (SKIP[0], _payload(booking_id, SKIP[1]))],
    )


async def may_ask(redis: aioredis.Redis, chat_id: str | int) -> bool:
    """Consent given, not a minor (the marker under 16, the profile under 18)."""
    if not await privacy.may_keep_data(redis, chat_id):
        return False
    return not any(r.tranche_age in MINOR_AGES for r in await handoff.records_of(redis, chat_id))


async def send(bot: Bot, redis: aioredis.Redis, chat_id: str, booking_id: str) -> bool:
    """Ask, if it may be asked and was not yet; returns whether it went out.
    Telegram errors are left to the caller (a transient one: retry)."""
    booking = await find_booking(redis, chat_id, booking_id)
    if booking is None or not await may_ask(redis, chat_id):
        return False
    if (await outcomes.of(redis, chat_id, booking_id)).get("attendance") != "attended":
        return False
    if await aftercare.done(redis, chat_id, booking_id, "followup"):
        return False
    await render.deliver(bot, int(chat_id), [question(booking)])
    await aftercare.first_time(redis, chat_id, booking_id, "followup")
    return True


async def _tell(redis: aioredis.Redis, chat_id: int, booking_id: str, text: str) -> None:
    """On the case the attendance was asked on, else the person's latest."""
    handoff_id = (await aftercare.cases(redis, chat_id)).get(booking_id)
    record = await handoff.find(redis, handoff_id) if handoff_id else await case_thread.case_of(redis, chat_id)
    if _bot is None or record is None:
        return
    who = clean(record.prenom or "", 30) or "la personne"
    await case_thread.tell(_bot, redis, record, f"{text} (pour : {who})")


async def answer(chat_id: int, arg: str) -> list[OutMessage]:
    """The front action ``!suivi``: a button of the follow-up was pressed."""
    booking_id, _, rest = arg.partition(" ")
    step, _, value = rest.partition(" ")
    redis = get_redis()
    if step == SKIP[1]:
        return [NO_ANSWER]
    attended = (await outcomes.of(redis, chat_id, booking_id)).get("attendance") == "attended"
    if not attended or not await may_ask(redis, chat_id):
        return [THANKS]
    if step == "note" and value in (outcomes.VALUES["usefulness"] or ()):
        if not await outcomes.put(redis, chat_id, booking_id, "usefulness", value, only_first=True):
            return [ALREADY]
        await stats.record(redis, "followup", chat_id, score=int(value))
        await _tell(redis, chat_id, booking_id, f"⭐ Suivi : rendez-vous jugé utile à {value}/5")
        return [next_question(booking_id)]
    if step == "suite" and value in NEXT:
        if not await outcomes.put(redis, chat_id, booking_id, "next", value, only_first=True):
            return [ALREADY]
        await stats.record(redis, "followup_next", chat_id, next=value)
        await _tell(redis, chat_id, booking_id, f"➡️ Suivi : la personne {NEXT_FOR_ADVISERS[value]}")
        return [HELP_NEXT if value == "aide" else THANKS]
    return [THANKS]
