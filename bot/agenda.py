"""/agenda in the advisers' group: a day's appointments by adviser and time,
with the person's first name, the mode, the topic, whether the person
confirmed (the day-before reminder, ``bot/reminder_answers.py``) and a
button to open each case (the "Ouvrir" of ``bot/adviser_cases.py``).

``/agenda`` is today, ``/agenda demain``, ``/agenda lundi``, ``/agenda 12/12``
another day. The same text is the morning message (``bot/morning_agenda.py``).
Refused, in one sentence, to someone who is not an adviser.
"""

from __future__ import annotations

from datetime import date, datetime

import redis.asyncio as aioredis
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import attendance, callbacks, case_thread
from bot.adviser_cases import OPEN, case_name
from bot.adviser_group import ADVISERS_ONLY, is_adviser
from bot.card import fit
from cnam import clock, vocabulary
from cnam.booking import agenda
from cnam.booking.agenda import Entry
from cnam.booking.dates import format_day, format_time
from cnam.handoff import HandoffRecord
from cnam.store import get_redis
from cnam.vocabulary import label

MODES = {"site": "sur place", "telephone": "téléphone", "video": "visio"}
CONFIRMATION = {"confirmed": "✅ confirmé", "reschedule": "🔁 à décaler", "cancelled": "❌ annulé"}
ATTENDANCE = {"attended": "venu(e)", "no_show": "absent(e)"}
NOT_CONFIRMED = "pas encore confirmé"
UNREADABLE_DAY = "Je n'ai pas compris le jour. Essayez /agenda, /agenda demain, /agenda lundi ou /agenda 12/12."
MAX_BUTTONS = 20  # one per appointment; a longer day keeps its list, not all its buttons


def state(entry: Entry) -> str:
    """What became of the appointment so far: attendance once marked, else the confirmation."""
    attendance = entry.outcomes.get("attendance")
    if attendance in ATTENDANCE:
        return ATTENDANCE[attendance]
    return CONFIRMATION.get(entry.outcomes.get("confirmation", ""), NOT_CONFIRMED)


def entry_buttons(entry: Entry, case: HandoffRecord | None, now: datetime) -> list[tuple[str, str]]:
    """The buttons under one appointment, ``(title, payload)``: "Ouvrir" its
    case and, once it is over and nobody marked it, "Venu(e)" / "Absent(e)"."""
    if case is None:
        return []
    who = f"{case_name(case)} · {format_time(entry.booking.start)}"
    buttons = [(f"Ouvrir : {who}", OPEN + case.handoff_id)]
    if entry.booking.end <= now and "attendance" not in entry.outcomes:
        buttons += [
            (f"{title} : {who}", f"{attendance.PREFIX}{case.handoff_id}:{entry.booking.id}:{value}")
            for value, title in attendance.LABELS.items()
        ]
    return buttons


def _line(entry: Entry, case: HandoffRecord | None) -> str:
    name = case_name(case) if case else "Sans prénom"
    topic = label(vocabulary.SUJET, case.sujet) if case and case.sujet else "sujet non précisé"
    booking = entry.booking
    mode = MODES.get(booking.mode, booking.mode)
    return f"• {format_time(booking.start)} · {name} · {mode} · {topic} · {state(entry)}"


def render(day: date, rows: list[tuple[Entry, HandoffRecord | None]], title: str = "") -> str:
    """The agenda's text: one line when nothing is booked, else by adviser and time."""
    when = format_day(day)
    if not rows:
        return f"{title}📅 Aucun rendez-vous le {when}."
    count = f"{len(rows)} rendez-vous"
    lines = [f"{title}📅 Agenda du {when} : {count}"]
    advisers = sorted({e.booking.adviser_name for e, _ in rows})
    for adviser in advisers:
        lines.append(f"{adviser} :")
        lines += [_line(e, c) for e, c in rows if e.booking.adviser_name == adviser]
    return fit("\n".join(lines))


async def day_message(
    redis: aioredis.Redis, chat_id: int, day: date, now: datetime, title: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The agenda of ``day`` and its buttons, bound to the advisers' chat ``chat_id``."""
    rows = [(e, await case_thread.case_of(redis, e.booking.chat_id)) for e in await agenda.of_day(redis, day)]
    buttons = [b for e, c in rows for b in entry_buttons(e, c, now)][:MAX_BUTTONS]
    if not buttons:
        return render(day, rows, title), None
    tokens = await callbacks.tokenize(chat_id, [payload for _, payload in buttons], group=True)
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(t, callback_data=token)] for (t, _), token in zip(buttons, tokens, strict=True)
    ])
    return render(day, rows, title), keyboard


async def on_agenda(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if not await is_adviser(context, user):
        await message.reply_text(ADVISERS_ONLY, parse_mode=None)
        return
    now = clock.now()
    day = agenda.asked_day(" ".join(context.args or []), now)
    if day is None:
        await message.reply_text(UNREADABLE_DAY, parse_mode=None)
        return
    text, keyboard = await day_message(get_redis(), message.chat.id, day, now)
    await message.reply_text(text, parse_mode=None, reply_markup=keyboard)
