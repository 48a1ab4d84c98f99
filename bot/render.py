"""OutMessage → Telegram messages, as few as reads well on a phone.

A turn's consecutive parts that belong together (a text without buttons, then
the next text) go out as one message when it stays within 350 characters. The
answer to a pressed button edits the pressed message when it can: a reply that
replaces it (``OutMessage.replace``: "Détails", "Retour"), or the choice
(✅) and the next question together when the pressed message is the latest in
the chat (or, when a long question's answer says all it still said, the choice
and the answer in its place: ``OutMessage.settles``). One Bot API call instead
of two, and no scrolling back up.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
from collections.abc import MutableMapping, Sequence
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest

from bot import callbacks
from bot.messages import OutMessage
from cnam.packing import MAX_MESSAGE

log = logging.getLogger(__name__)

# chat_data flag: a "share my number" keyboard is shown and must be removed.
REPLY_KEYBOARD_SHOWN = "reply_keyboard_shown"
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
PART_SEPARATOR = "\n\n"
# chat id → id of the latest message in the chat (the person's or the bot's), in
# this process: a chat's updates are handled by one front. Unknown: not merged.
LATEST: dict[int, int] = {}
MAX_LATEST_CHATS = 10_000


def saw(chat_id: int, message_id: int) -> None:
    """``message_id`` is now the latest message of the chat."""
    LATEST.pop(chat_id, None)
    if len(LATEST) >= MAX_LATEST_CHATS:
        LATEST.pop(next(iter(LATEST)))
    LATEST[chat_id] = message_id


def _alone(message: OutMessage) -> bool:
    """Must stay a message of its own (a choice, a file, a replacement)."""
    return bool(message.buttons or message.document or message.request_contact
                or message.replace or message.details or not message.text)


def merge(messages: Sequence[OutMessage]) -> list[OutMessage]:
    """Consecutive parts as one message: a plain text joins the next text when
    both fit in one message of 350 characters."""
    merged: list[OutMessage] = []
    for message in messages:
        before = merged[-1] if merged else None
        joined = f"{before.text}{PART_SEPARATOR}{message.text}" if before else ""
        if (before is not None and not _alone(before) and message.text and not message.replace
                and len(joined) <= MAX_MESSAGE):
            merged[-1] = dataclasses.replace(message, text=joined, settles=before.settles)
        else:
            merged.append(message)
    return merged


def _utf16_len(text: str) -> int:
    # Telegram counts message length in UTF-16 code units (an emoji counts 2).
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Chunks within Telegram's limit, cut at a paragraph, a line or a space if possible."""
    chunks: list[str] = []
    rest = text.strip()
    while _utf16_len(rest) > limit:
        window = rest[:limit]
        while _utf16_len(window) > limit:
            window = window[:-1]
        cut = len(window)
        for separator in ("\n\n", "\n", " "):
            if (found := window.rfind(separator)) > limit // 2:
                cut = found
                break
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def keyboard_rows(
    buttons: Sequence[InlineKeyboardButton], lead_row: int = 0
) -> list[list[InlineKeyboardButton]]:
    """One button per row, two or three when all titles are short (yes/no, days…);
    the first ``lead_row`` buttons side by side on a row of their own."""
    if lead_row:
        return [list(buttons[:lead_row]), *keyboard_rows(buttons[lead_row:])]
    longest = max((len(b.text) for b in buttons), default=0)
    per_row = 3 if longest <= 6 else 2 if longest <= 14 else 1
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


async def inline_keyboard(
    chat_id: int, buttons: Sequence[tuple[str, str]], lead_row: int = 0
) -> InlineKeyboardMarkup:
    tokens = await callbacks.tokenize(chat_id, [payload for _, payload in buttons])
    titles = [title for title, _ in buttons]
    return InlineKeyboardMarkup(
        keyboard_rows(
            [InlineKeyboardButton(t, callback_data=d) for t, d in zip(titles, tokens, strict=True)],
            lead_row,
        )
    )


def contact_keyboard(label: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label, request_contact=True)]],
        one_time_keyboard=True,
        resize_keyboard=True,
    )


async def deliver(
    bot: Bot,
    chat_id: int,
    messages: Sequence[OutMessage],
    chat_data: MutableMapping[str, Any] | None = None,
) -> None:
    """Send the messages in order. ``chat_data`` remembers a contact keyboard to remove."""
    state: MutableMapping[str, Any] = chat_data if chat_data is not None else {}
    for message in merge(messages):
        if message.text or message.buttons or message.request_contact:
            await _send_text(bot, chat_id, message, state)
        if message.document:
            sent = await bot.send_document(
                chat_id, document=message.document.content, filename=message.document.filename
            )
            saw(chat_id, sent.message_id)


async def _send_text(
    bot: Bot, chat_id: int, message: OutMessage, state: MutableMapping[str, Any]
) -> None:
    # A message with only buttons still needs a text for Telegram.
    chunks = split_text(message.text) or ["Choisissez :"]
    last_markup: ReplyMarkup | None = None
    if message.request_contact:
        if message.buttons:
            log.warning("buttons dropped: a contact request cannot carry inline buttons")
        last_markup = contact_keyboard(message.request_contact)
    elif message.buttons:
        last_markup = await inline_keyboard(chat_id, message.buttons, message.lead_row)
    for index, chunk in enumerate(chunks):
        markup = last_markup if index == len(chunks) - 1 else None
        if markup is None and state.pop(REPLY_KEYBOARD_SHOWN, False):
            markup = ReplyKeyboardRemove()
        # Plain text: nothing an action writes is read as markup.
        sent = await bot.send_message(chat_id, chunk, parse_mode=None, reply_markup=markup)
        saw(chat_id, sent.message_id)
    if message.request_contact:
        state[REPLY_KEYBOARD_SHOWN] = True


def pressed_title(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def close_keyboard(bot: Bot, message: Message, title: str | None) -> None:
    """Remove the pressed keyboard and show the choice, so it cannot be pressed again."""
    chat_id, message_id = message.chat_id, message.message_id
    try:
        if message.text and title:
            await bot.edit_message_text(
                f"{message.text_html}\n\n✅ {html.escape(title)}",
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
            )
            return
    except BadRequest as exc:
        log.debug("could not show the choice: %s", exc)
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except BadRequest as exc:
        log.debug("could not remove the keyboard: %s", exc)


def version(message: Message) -> str:
    """Names what a message shows (text and keyboard), to tell a press on its
    current keyboard from a late one on a keyboard it showed before."""
    markup = message.reply_markup
    data = [b.callback_data or "" for row in markup.inline_keyboard for b in row] if markup else []
    raw = "\x1f".join([message.text or "", *map(str, data)])
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def _in_place_text(pressed: Message, title: str | None, reply: OutMessage,
                   state: MutableMapping[str, Any]) -> str | None:
    """The pressed message's new text when the reply can go into it, else None."""
    if reply.document or reply.request_contact or not reply.text:
        return None
    if reply.replace:
        return reply.text if _utf16_len(reply.text) <= MessageLimit.MAX_TEXT_LENGTH else None
    # A contact keyboard to remove needs a new message; an older message would
    # put the question above what came after it.
    if (state.get(REPLY_KEYBOARD_SHOWN) or not (pressed.text and title)
            or LATEST.get(pressed.chat_id) != pressed.message_id):
        return None
    grown = f"{pressed.text}{PART_SEPARATOR}✅ {title}{PART_SEPARATOR}{reply.text}"
    if len(grown) <= MAX_MESSAGE:
        return grown
    # A long question whose answer says all it still said: the choice and the answer only.
    settled = f"✅ {title}{PART_SEPARATOR}{reply.text}"
    return settled if reply.settles and len(settled) <= MAX_MESSAGE else None


async def answer_press(
    bot: Bot, pressed: Message, title: str | None, messages: Sequence[OutMessage],
    chat_data: MutableMapping[str, Any] | None = None,
) -> None:
    """The answer to a button of ``pressed``: its first message edited into the
    pressed one when it fits (one call), else the choice shown and the answer sent."""
    state: MutableMapping[str, Any] = chat_data if chat_data is not None else {}
    parts = merge(messages)
    text = _in_place_text(pressed, title, parts[0], state) if parts else None
    if text is not None and await _edit(bot, pressed, text, parts[0]):
        parts = parts[1:]
    elif not (parts and parts[0].replace):
        await close_keyboard(bot, pressed, title)
    await deliver(bot, pressed.chat_id, parts, state)


async def _edit(bot: Bot, pressed: Message, text: str, reply: OutMessage) -> bool:
    chat_id = pressed.chat_id
    markup = await inline_keyboard(chat_id, reply.buttons, reply.lead_row) if reply.buttons else None
    try:
        edited = await bot.edit_message_text(
            text, chat_id=chat_id, message_id=pressed.message_id, parse_mode=None,
            reply_markup=markup,
        )
    except BadRequest as exc:  # too old to edit, or deleted meanwhile
        log.debug("could not edit the pressed message: %s", exc)
        return False
    if isinstance(edited, Message) and markup is not None:
        await callbacks.rearm(chat_id, pressed.message_id, version(edited))
    return True
