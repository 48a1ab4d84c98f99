"""The day-before reminder's buttons: "Je confirme", "Je dois décaler", "J'annule".

Each is the front action ``!rappel <answer> <booking_id> <sequence>``: the
sequence (bumped when the appointment moves) tells an old reminder from the
current one, so a press on a reminder whose appointment moved or was
cancelled gets one sentence. The answer is recorded on the appointment
(``cnam/booking/outcomes.py``, ``confirmation``), counted in /stats and told
on the person's case in the advisers' group (``bot/case_thread.py``).
"Je dois décaler" goes on into Rasa's rescheduling (the booking form moves
the appointment and frees the old slot); "J'annule" asks the cancel question
of /rdv, then cancels through ``cnam/booking/appointments.cancel``.
"""

from __future__ import annotations

from telegram import Bot

from bot import case_thread
from bot.messages import OutMessage
from bot.pipeline import ToRasa
from cnam import clock, stats
from cnam.booking import appointments, outcomes, reservations, wording
from cnam.booking.dates import format_fr
from cnam.booking.record import Booking
from cnam.store import get_redis

ACTION = "!rappel"
CONFIRM, RESCHEDULE, CANCEL, CANCEL_OK, KEEP = "confirme", "decaler", "annule", "annule_ok", "garde"
RESCHEDULE_PAYLOAD = "/reschedule_appointment"

GONE = "Ce rendez-vous n'existe plus : il a été annulé. Tapez /rdv pour voir vos rendez-vous."
MOVED = "Ce rappel parle d'un ancien horaire : votre rendez-vous a été déplacé. Tapez /rdv pour le voir."
PAST = "Ce rendez-vous est déjà passé."
UNREADABLE = "Ce bouton n'est plus valable. Tapez /rdv pour voir vos rendez-vous."

_bot: Bot | None = None


def bind(bot: Bot) -> None:
    """The bot that tells the cases (none in the terminal chat)."""
    global _bot
    _bot = bot


def _payload(answer: str, booking: Booking) -> str:
    return f"{ACTION} {answer} {booking.id} {booking.sequence}"


def buttons(booking: Booking) -> list[tuple[str, str]]:
    """The three answers under the day-before reminder of ``booking``."""
    return [("Je confirme", _payload(CONFIRM, booking)),
            ("Je dois décaler", _payload(RESCHEDULE, booking)),
            ("J'annule", _payload(CANCEL, booking))]


async def _tell(chat_id: int, text: str) -> None:
    redis = get_redis()
    record = await case_thread.case_of(redis, chat_id)
    if _bot is not None and record is not None:
        await case_thread.tell(_bot, redis, record, text)


async def _record(chat_id: int, booking: Booking, value: str, event: str, told: str) -> None:
    """The first answer only: a double tap, or a press seen by two processes, counts once."""
    redis = get_redis()
    if await outcomes.put(redis, chat_id, booking.id, "confirmation", value, only_first=True):
        await stats.record(redis, event, chat_id)
        await _tell(chat_id, f"{told} ({format_fr(booking.start)}).")


async def answer(chat_id: int, arg: str) -> list[OutMessage] | ToRasa:
    """``!rappel`` pressed: ``arg`` is ``<answer> <booking_id> <sequence>``."""
    parts = arg.split()
    if len(parts) != 3:
        return [OutMessage(UNREADABLE)]
    what, booking_id, sequence = parts
    booking = await reservations.find_booking(get_redis(), chat_id, booking_id)
    if booking is None:
        return [OutMessage(GONE)]
    if str(booking.sequence) != sequence:
        return [OutMessage(MOVED)]
    if booking.start <= clock.now():
        return [OutMessage(PAST)]
    if what == CONFIRM:
        await _record(chat_id, booking, "confirmed", "confirmed", "✅ Rendez-vous confirmé par la personne")
        return [OutMessage(wording.confirmed_by_person(booking))]
    if what == RESCHEDULE:
        await _record(chat_id, booking, "reschedule", "rescheduled",
                      "🔁 La personne doit décaler son rendez-vous, elle choisit un autre moment")
        return ToRasa([], RESCHEDULE_PAYLOAD)
    if what == CANCEL:
        return [OutMessage(wording.cancel_question(booking), buttons=[
            ("Oui, annuler", _payload(CANCEL_OK, booking)), ("Non, le garder", _payload(KEEP, booking)),
        ])]
    if what == CANCEL_OK:
        return await _cancel(chat_id, booking)
    if what == KEEP:
        return [OutMessage(wording.NOTHING_CANCELLED)]
    return [OutMessage(UNREADABLE)]


async def _cancel(chat_id: int, booking: Booking) -> list[OutMessage]:
    redis = get_redis()
    if await appointments.cancel(redis, chat_id, booking.id) is None:
        return [OutMessage(GONE)]
    await outcomes.put(redis, chat_id, booking.id, "confirmation", "cancelled")
    await _tell(chat_id, f"❌ Rendez-vous annulé par la personne ({format_fr(booking.start)}).")
    return [OutMessage(wording.cancelled(booking), buttons=[
        ("Prendre un autre rendez-vous", "/book_appointment"), ("C'est tout, merci", "/goodbye"),
    ])]
