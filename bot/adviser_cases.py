"""/mes_dossiers in the advisers' group: an adviser's open cases (those they
took and did not end, those meant for them that nobody took yet:
``cnam/routing.py``), each with a button that brings the case back to the
bottom of the chat: a short message answering its card, in its topic when it
has one, to which the adviser can reply as to the card.

Both are refused, in one sentence, to someone who is not an adviser; the
buttons are tokens bound to the advisers' group (``bot/callbacks.py``).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import adviser_chat, callbacks, relay
from bot.adviser_group import ADVISERS_ONLY, GONE, is_adviser
from bot.card import clean, fit, motif
from cnam import handoff, routing
from cnam.booking.config import AdvisersFileError, get_advisers
from cnam.handoff import HandoffRecord
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

OPEN = "open:"  # the payload behind a case's button: open:<handoff_id>
MAX_LISTED = 10  # buttons under one message; the rest is counted
NONE_OPEN = "Aucun dossier ouvert pour vous."


def _calendar_id(user: User) -> str | None:
    try:
        adviser = routing.adviser_of(get_advisers(), user.id, user.username)
    except AdvisersFileError as exc:
        log.error("catalog/advisers.yaml unreadable, /mes_dossiers without routed cases: %s", exc)
        return None
    return adviser.id if adviser else None


def case_name(record: HandoffRecord) -> str:
    return clean(record.prenom or "", 30) or "Sans prénom"


def _line(record: HandoffRecord) -> str:
    created = record.created_at.astimezone(get_settings().tz).strftime("%d/%m %H:%M")
    state = "vous l'avez pris" if record.status == "pris" else "à prendre, pour vous"
    return f"• {case_name(record)} · {motif(record)} · reçue le {created} · {state}"


async def on_my_cases(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.effective_message, update.effective_user
    if not await is_adviser(context, user):
        await message.reply_text(ADVISERS_ONLY, parse_mode=None)
        return
    cases = await routing.open_cases(get_redis(), user.id, _calendar_id(user))
    if not cases:
        await message.reply_text(NONE_OPEN, parse_mode=None)
        return
    shown = cases[:MAX_LISTED]
    lines = [f"📂 Vos dossiers ouverts ({len(cases)}) :", *map(_line, shown)]
    if len(cases) > MAX_LISTED:
        lines.append(f"… et {len(cases) - MAX_LISTED} autres, plus récents.")
    tokens = await callbacks.tokenize(
        message.chat.id, [OPEN + r.handoff_id for r in shown], group=True
    )
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(f"Ouvrir : {case_name(r)} ({r.handoff_id})", callback_data=token)]
        for r, token in zip(shown, tokens, strict=True)
    ])
    await message.reply_text(fit("\n".join(lines)), parse_mode=None, reply_markup=keyboard)


async def open_case(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """ "Ouvrir": a pointer to the case's card, at the bottom of the chat or topic."""
    query = update.callback_query
    redis = get_redis()
    record = await handoff.find(redis, payload.removeprefix(OPEN))
    if record is None or record.card_message_id is None:
        await query.answer(GONE, show_alert=True)
        return
    text = f"📌 Dossier de {case_name(record)} ({record.handoff_id}) : {motif(record)}. Répondez ici pour lui écrire."
    try:
        pointer = await adviser_chat.send(
            context.bot, redis, fit(text), parse_mode=None, message_thread_id=record.thread_id,
            reply_parameters=ReplyParameters(record.card_message_id, allow_sending_without_reply=True),
        )
    except TelegramError as exc:
        log.warning("case %s not reopened: %s", record.handoff_id, exc)
        await query.answer("Telegram ne répond pas, réessayez dans un instant.", show_alert=True)
        return
    await relay.remember_message(redis, pointer.message_id, record.handoff_id)
    await query.answer("Le dossier est en bas de la discussion.")
