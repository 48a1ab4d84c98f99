"""/revue in the advisers' group: the messages the assistant misread, one at a
time, to label (``cnam/review_queue.py``).

Each entry shows its masked text and what the model understood, with a
button per likely intent, "Autre intention…" (every intent), "Ignorer" and
"Donnée personnelle : supprimer". Replying to the entry with
``entité : mots`` (the person's words; or just the words when it has one
entity) corrects an entity. Any adviser can label; a second, different label marks the entry
disputed and keeps it out of the training data. Buttons go through
``bot/adviser_buttons.py`` (adviser check, tokens bound to the group).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import adviser_group, callbacks
from bot.adviser_group import ADVISERS_ONLY, is_adviser
from bot.card import clean
from cnam import review_queue
from cnam.keys import shared_key
from cnam.review_queue import Entry
from cnam.store import get_redis
from cnam.vocabulary import (
    COMMUNES,
    DOMAINES,
    INTENT,
    MODALITES,
    NIVEAUX,
    SITUATIONS,
    TRANCHES_AGE,
    label,
)
from rasa_ext.entity_values import default_table

PAYLOAD = "rv:"  # rv:<action>:<entry id>[:<intent>]
LABEL, OTHER, IGNORE, DELETE = "l", "o", "i", "d"
# The contract's values of each entity an adviser may correct (a first name: any).
ENTITIES: dict[str, list[str] | None] = {
    "niveau": NIVEAUX, "situation": SITUATIONS, "domaine": DOMAINES, "commune": COMMUNES,
    "modalite": MODALITES, "tranche_age": TRANCHES_AGE, "prenom": None,
}
NOTHING = "Rien à relire : l'assistant n'a rien mal compris depuis la dernière revue. 👍"
GONE = "Cette entrée n'existe plus (déjà traitée ou effacée)."
REASON = {
    "fallback": "non classé",
    "low_confidence": "incertain",
    "correction": "corrigé par la personne",
}
MESSAGE_TTL = 14 * 24 * 3600
_CORRECTION = re.compile(r"^\s*(?:(\w+)\s*[:=]\s*)?(.+?)\s*$", re.S)


def _message_key(chat_id: int, message_id: int) -> str:
    return shared_key("review_msg", chat_id, message_id)


def _text(entry: Entry, waiting: int) -> str:
    """One entry in at most 350 characters: the message is cut, not the rest."""
    entities = ", ".join(f"{e['entity']} = {clean(e['value'], 25)}" for e in entry.entities[:2]) or "aucune"
    lines = [
        f"🔎 À relire ({waiting}) : « {clean(entry.text, 80)} »",
        f"Compris : {label(INTENT, entry.intent) or 'rien'} ({round(100 * entry.confidence)} %), "
        f"{REASON.get(entry.reason, entry.reason)}.",
        f"Entités : {entities} (pour corriger : « entité : mots »).",
    ]
    if entry.disputed:
        lines.append("⚠️ Deux avis différents : pas d'entraînement.")
    elif entry.label:
        lines.append(f"✅ Étiqueté « {label(INTENT, entry.label)} » par {clean(entry.label_by or '', 15)}.")
    return "\n".join(lines)


async def _keyboard(chat_id: int, entry: Entry, every_intent: bool) -> InlineKeyboardMarkup:
    intents = list(INTENT) if every_intent else [i for i in entry.ranking if i in INTENT][:3]
    rows: list[tuple[str, str]] = [(label(INTENT, i) or i, f"{PAYLOAD}{LABEL}:{entry.id}:{i}") for i in intents]
    if not every_intent:
        rows.append(("Autre intention…", f"{PAYLOAD}{OTHER}:{entry.id}"))
    rows += [("Ignorer", f"{PAYLOAD}{IGNORE}:{entry.id}"),
             ("Donnée personnelle : supprimer", f"{PAYLOAD}{DELETE}:{entry.id}")]
    tokens = await callbacks.tokenize(chat_id, [p for _, p in rows], group=True)
    buttons = [InlineKeyboardButton(t, callback_data=k) for (t, _), k in zip(rows, tokens, strict=True)]
    # Two a row for the long list of every intent, one a row otherwise.
    width = 2 if every_intent else 1
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])


async def _show_next(message: Message) -> None:
    redis = get_redis()
    waiting = await review_queue.waiting(redis)
    entry = await review_queue.get(redis, waiting[0]) if waiting else None
    if entry is None:
        await message.reply_text(NOTHING, parse_mode=None)
        return
    chat_id = message.chat.id
    sent = await message.reply_text(
        _text(entry, len(waiting)), parse_mode=None,
        reply_markup=await _keyboard(chat_id, entry, every_intent=False),
    )
    await redis.set(_message_key(chat_id, sent.message_id), entry.id, ex=MESSAGE_TTL)


async def on_review(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await is_adviser(context, update.effective_user):
        await update.effective_message.reply_text(ADVISERS_ONLY, parse_mode=None)
        return
    await _show_next(update.effective_message)


async def _redraw(message: Message, entry: Entry, *, every_intent: bool = False) -> None:
    waiting = len(await review_queue.waiting(get_redis()))
    try:
        await message.edit_text(
            _text(entry, waiting), parse_mode=None,
            reply_markup=await _keyboard(message.chat.id, entry, every_intent),
        )
    except BadRequest as exc:  # "message is not modified": a second press, same text
        if "not modified" not in str(exc):
            raise


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """A button of an entry (the adviser was checked by bot/adviser_buttons.py)."""
    query = update.callback_query
    action, _, rest = payload.removeprefix(PAYLOAD).partition(":")
    eid, _, intent = rest.partition(":")
    redis = get_redis()
    entry = await review_queue.get(redis, eid)
    if entry is None:
        await query.answer(GONE, show_alert=True)
        return
    if action == OTHER:
        await query.answer()
        await _redraw(query.message, entry, every_intent=True)
        return
    if action in (IGNORE, DELETE):
        await review_queue.drop(redis, eid)
        await query.answer("Supprimée." if action == DELETE else "Ignorée.")
        await query.message.edit_text(
            "🗑 Entrée supprimée (donnée personnelle)." if action == DELETE else "Entrée ignorée.",
            parse_mode=None,
        )
        await _show_next(query.message)
        return
    if intent not in INTENT:
        await query.answer(GONE, show_alert=True)
        return
    adviser = clean(query.from_user.first_name or str(query.from_user.id), 30)
    outcome = await review_queue.label(redis, eid, intent, adviser)
    await query.answer({
        "labelled": "Merci, c'est noté.",
        "same": "Même avis que le précédent : rien ne change.",
        "disputed": "Avis différent du précédent : l'entrée est signalée.",
    }.get(outcome, GONE))
    entry = await review_queue.get(redis, eid)
    if entry is not None:
        await _redraw(query.message, entry)
    if outcome == "labelled":
        await _show_next(query.message)


async def on_group_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply in the advisers' group: to an entry, an entity correction; to
    anything else, the relay's (bot/adviser_group.py)."""
    if not await take_reply(update, context):
        await adviser_group.on_reply(update, context)


async def take_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """An adviser's reply to an entry corrects an entity; False when the reply
    is not to an entry (then it is the relay's)."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or not message.text:
        return False
    redis = get_redis()
    eid = await redis.get(_message_key(message.chat.id, replied.message_id))
    if eid is None:
        return False
    if not await is_adviser(context, update.effective_user):
        return True
    entry = await review_queue.get(redis, eid)
    found = _CORRECTION.match(message.text)
    name = (found.group(1) or "").lower() if found else ""
    value = found.group(2) if found else ""
    if not name and entry is not None and len(entry.entities) == 1:
        name = entry.entities[0]["entity"]
    if entry is None or name not in ENTITIES or not value:
        await message.reply_text(
            "Écrivez « entité : mots », par exemple « commune : Koungou » "
            f"(entités : {', '.join(ENTITIES)}).", parse_mode=None,
        )
        return True
    words = clean(value, 60)
    # The adviser types the person's words ("comptable"); the table of
    # rasa_ext/entity_values.yml gives the contract's value (gestion_comptabilite).
    canonical = default_table().canonical(name, words) or words
    allowed = ENTITIES[name]
    if allowed is not None and canonical not in allowed:
        await message.reply_text(
            f"Je ne reconnais pas « {words} » comme {name}. Écrivez les mots de la personne "
            f"ou une valeur, par exemple : {', '.join(allowed[:3])}.", parse_mode=None,
        )
        return True
    await review_queue.correct_entity(redis, eid, name, canonical, words)
    await message.reply_text(f"Corrigé : {name} = {canonical} (« {words} »).", parse_mode=None)
    return True
