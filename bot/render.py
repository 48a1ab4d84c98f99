"""OutMessage → Telegram messages."""

from __future__ import annotations

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

log = logging.getLogger(__name__)

# chat_data flag: a "share my number" keyboard is shown and must be removed.
REPLY_KEYBOARD_SHOWN = "reply_keyboard_shown"
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


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


def keyboard_rows(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """One button per row, two or three when all titles are short (yes/no, days…)."""
    longest = max((len(b.text) for b in buttons), default=0)
    per_row = 3 if longest <= 6 else 2 if longest <= 14 else 1
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


async def inline_keyboard(chat_id: int, buttons: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    tokens = await callbacks.tokenize(chat_id, [payload for _, payload in buttons])
    titles = [title for title, _ in buttons]
    return InlineKeyboardMarkup(
        keyboard_rows(
            [InlineKeyboardButton(t, callback_data=d) for t, d in zip(titles, tokens, strict=True)]
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
    for message in messages:
        if message.text or message.buttons or message.request_contact:
            await _send_text(bot, chat_id, message, state)
        if message.document:
            await bot.send_document(
                chat_id, document=message.document.content, filename=message.document.filename
            )


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
        last_markup = await inline_keyboard(chat_id, message.buttons)
    for index, chunk in enumerate(chunks):
        markup = last_markup if index == len(chunks) - 1 else None
        if markup is None and state.pop(REPLY_KEYBOARD_SHOWN, False):
            markup = ReplyKeyboardRemove()
        # Plain text: nothing an action writes is read as markup.
        await bot.send_message(chat_id, chunk, parse_mode=None, reply_markup=markup)
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
