"""Who came: after an appointment's end its case gets "Venu(e)" / "Absent(e)"
(``attendance_keyboard``, also for the agenda), pressed by any adviser.

The mark goes into the appointment's outcomes (``attendance``,
``attendance_by``); a second press changes it and moves its count in
``/stats`` (counted on the appointment's day) rather than adding one.
"Venu(e)" plans the follow-up (``bot/followup.py``); "Absent(e)" sends the
person, once whatever the presses, a kind offer of a new slot, whose button
starts the booking flow in Rasa. The buttons are tokens bound to the
advisers' group; their payload names the case, not the person, and is
refused in one sentence to someone who is not an adviser.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import adviser_chat, callbacks, case_thread, render
from bot.adviser_group import GONE
from bot.card import clean
from bot.messages import OutMessage
from cnam import clock, handoff, privacy, stats
from cnam.booking import aftercare, outcomes
from cnam.booking.dates import format_fr
from cnam.booking.reservations import Booking, find_booking
from cnam.booking.wording import MODE_PHRASES
from cnam.handoff import HandoffRecord
from cnam.logsafe import hash_id
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

QUESTION_MARK = "🗓"  # how the attendance question starts
PREFIX = "presence:"  # presence:<handoff_id>:<booking_id>:<attended|no_show>
LABELS = {"attended": "Venu(e)", "no_show": "Absent(e)"}
NOT_YET = "Ce rendez-vous n'a pas encore eu lieu."
BOOKING_GONE = "Ce rendez-vous n'existe plus (annulé, ou données effacées)."
REBOOK = "Choisir un autre créneau"


async def attendance_keyboard(chat_id: int | str, booking_id: str) -> InlineKeyboardMarkup | None:
    """The two buttons for one appointment, bound to the advisers' group; None
    when the person has no case to name in them (nothing to mark then)."""
    redis = get_redis()
    handoff_id = (await aftercare.cases(redis, chat_id)).get(booking_id)
    if handoff_id is None:
        record = await case_thread.case_of(redis, chat_id)
        if record is None:
            return None
        handoff_id = record.handoff_id
    values = list(LABELS)
    tokens = await callbacks.tokenize(
        await adviser_chat.current(redis), [f"{PREFIX}{handoff_id}:{booking_id}:{v}" for v in values], group=True
    )
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(LABELS[v], callback_data=t) for v, t in zip(values, tokens, strict=True)
    ]])


def question(record: HandoffRecord, booking: Booking) -> str:
    who = clean(record.prenom or "", 30) or "la personne"
    return (
        f"{QUESTION_MARK} Rendez-vous passé : {who}, {format_fr(booking.start)}, {MODE_PHRASES[booking.mode]}, "
        f"avec {booking.adviser_name}. La personne est-elle venue ?"
    )


async def ask(bot: Bot, redis: aioredis.Redis, booking: Booking) -> bool:
    """Post the question on the person's case; False when it could not be
    posted (no case with a card yet, the group unreachable): to retry."""
    record = await case_thread.case_of(redis, booking.chat_id)
    if record is None:
        return False
    await aftercare.link_case(redis, booking.chat_id, booking.id, record.handoff_id)
    keyboard = await attendance_keyboard(booking.chat_id, booking.id)
    return await case_thread.tell(bot, redis, record, question(record, booking), keyboard) is not None


def rebook_offer(booking: Booking) -> OutMessage:
    return OutMessage(
        text=(
            f"Vous n'avez pas pu venir à votre rendez-vous du {format_fr(booking.start)}. "
            "Ce n'est pas grave ! Voulez-vous choisir un autre créneau avec un conseiller ?"
        ),
        buttons=[(REBOOK, "/book_appointment"), ("Non merci", "/goodbye")],
    )


async def _offer_rebooking(bot: Bot, redis: aioredis.Redis, booking: Booking) -> None:
    if not await privacy.may_keep_data(redis, booking.chat_id):
        return
    if not await aftercare.first_time(redis, booking.chat_id, booking.id, "rebook"):
        return
    try:
        await render.deliver(bot, int(booking.chat_id), [rebook_offer(booking)])
    except Forbidden:
        log.info("rebooking offer not delivered to %s: blocked", hash_id(booking.chat_id))
    except TelegramError as exc:
        log.warning("rebooking offer to %s failed: %s", hash_id(booking.chat_id), exc)


async def mark(
    bot: Bot, redis: aioredis.Redis, booking: Booking, value: str, adviser_id: int, now: datetime
) -> bool:
    """Record the mark; False when it was already this one."""
    previous = await outcomes.swap(redis, booking.chat_id, booking.id, "attendance", value)
    await outcomes.put(redis, booking.chat_id, booking.id, "attendance_by", str(adviser_id))
    if previous == value:
        return False
    if previous is None:
        await stats.record(redis, value, booking.chat_id, now=booking.start)
    else:
        await stats.recount(redis, previous, value, booking.chat_id, booking.start)
    if value == "attended":
        later = booking.end + timedelta(days=get_settings().followup_days)
        await aftercare.plan(redis, booking.chat_id, booking.id, aftercare.FOLLOWUP, max(later, now))
    else:
        await aftercare.unplan(redis, booking.chat_id, booking.id, aftercare.FOLLOWUP)
        await _offer_rebooking(bot, redis, booking)
    return True


async def on_mark(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """A press of "Venu(e)" / "Absent(e)", under the question or in the agenda
    (the adviser was checked by ``bot/adviser_buttons.py``)."""
    query = update.callback_query
    handoff_id, _, rest = payload.removeprefix(PREFIX).partition(":")
    booking_id, _, value = rest.partition(":")
    redis = get_redis()
    record = await handoff.find(redis, handoff_id)
    if record is None or value not in LABELS:
        await query.answer(GONE, show_alert=True)
        return
    booking = await find_booking(redis, record.chat_id, booking_id)
    now = clock.now()
    if booking is None:
        await query.answer(BOOKING_GONE, show_alert=True)
        return
    if booking.end > now:
        await query.answer(NOT_YET, show_alert=True)
        return
    changed = await mark(context.bot, redis, booking, value, query.from_user.id, now)
    await query.answer(f"Noté : {LABELS[value].lower()}." if changed else "C'était déjà noté.")
    # The question shows the mark; an agenda (several appointments) is left as it is.
    if changed and isinstance(query.message, Message) and (query.message.text or "").startswith(QUESTION_MARK):
        await _show_mark(context.bot, query.message, value, query.from_user.full_name)


async def _show_mark(bot: Bot, message: Message, value: str, adviser: str) -> None:
    """The question shows the current mark; its buttons stay, to change it."""
    text = (message.text or "").split("\n✅ ")[0]
    try:
        await bot.edit_message_text(
            f"{text}\n✅ {LABELS[value]} (noté par {clean(adviser, 40)})",
            chat_id=message.chat.id, message_id=message.message_id,
            parse_mode=None, reply_markup=message.reply_markup,
        )
    except TelegramError as exc:
        log.debug("attendance question not updated: %s", exc)
