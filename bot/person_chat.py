"""A person's private chat with the bot: Telegram updates → the pipeline, and
the fixed answers to what never reaches Rasa (stickers, photos, voice…).

Private chats only: in groups the assistant speaks only in the advisers'
group (``bot/adviser_group.py``). The handlers are registered in ``bot/app.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator
from functools import partial

from redis.exceptions import RedisError
from telegram import Bot, Message, Update, User
from telegram.constants import ChatAction, ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot import callbacks, campaign_start, render
from bot.messages import OutMessage
from bot.person_commands import HELP, payload_for
from bot.pipeline import SERVICE_DOWN_TEXT, Pipeline
from cnam.keys import shared_key
from cnam.logsafe import hash_id
from cnam.store import get_redis

log = logging.getLogger(__name__)

PIPELINE = "pipeline"  # bot_data key, set in post_init
# Telegram delivers an update again when the bot did not confirm it (a webhook
# answer lost, a restart before the next getUpdates): within minutes. Keeping
# the keys longer would only fill Redis, one key per update.
DUPLICATE_WINDOW_SECONDS = 10 * 60
TYPING_REFRESH_SECONDS = 4  # Telegram shows "typing…" for 5 s
# Most answers take well under a second: "typing…" only for slower ones spares a
# Bot API call per turn, within Telegram's ~30 calls/s (BENCHMARKS.md).
TYPING_DELAY_SECONDS = 0.8

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

INVALID_BUTTON = OutMessage(
    text="Ce bouton n'est plus valable. Répondez à la dernière question, ou tapez /aide."
)
SOMETHING_WENT_WRONG = "Désolé, un problème est survenu. Réessayez dans un instant."
STICKER = OutMessage(text="Joli sticker 🙂 Je ne lis que le texte : écrivez-moi votre question.")
PHOTO = OutMessage(
    text="Je ne peux pas regarder les images. Écrivez-moi votre question, s'il vous plaît."
)
VOICE = OutMessage(
    text=(
        "Je ne peux pas encore écouter les messages vocaux. "
        "Écrivez-moi votre question, ou demandez à être rappelé."
    ),
    buttons=[("Être rappelé par un conseiller", "/ask_human")],
)
VIDEO = OutMessage(
    text="Je ne peux pas regarder les vidéos. Écrivez-moi votre question, s'il vous plaît."
)
DOCUMENT = OutMessage(
    text=(
        "Je ne peux pas ouvrir les fichiers. N'envoyez pas de papiers personnels ici : "
        "un conseiller vous dira comment les transmettre."
    )
)
LOCATION = OutMessage(
    text="Merci. Dites-moi plutôt votre commune en toutes lettres, par exemple : Koungou."
)
EDITED = OutMessage(
    text=(
        "Je ne vois pas les messages modifiés. "
        "Envoyez plutôt un nouveau message avec la correction."
    )
)
OTHER = OutMessage(text="Je ne comprends que les messages écrits. Écrivez-moi votre question.")


def _pipeline(context: ContextTypes.DEFAULT_TYPE) -> Pipeline:
    return context.bot_data[PIPELINE]


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Keep "typing…" visible while the assistant works."""

    async def keep_typing() -> None:
        await asyncio.sleep(TYPING_DELAY_SECONDS)
        while True:
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, trusted: bool = False,
    pressed: tuple[Message, str | None] | None = None,
) -> None:
    """Run one input through the pipeline and send what it says; ``pressed``: the
    message whose button (titled) it answers, edited in place when it can be."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    _saw_input(update)
    messages = await _pipeline(context).handle(
        chat_id, text, trusted=trusted, busy=partial(typing, context.bot, chat_id),
        identity=identity(update.effective_user),
    )
    if pressed is None:
        await render.deliver(context.bot, chat_id, messages, context.chat_data)
    else:
        await render.answer_press(context.bot, *pressed, messages, context.chat_data)


def _saw_input(update: Update) -> None:
    # The person's own message is now the latest: nothing is merged above it.
    if update.message is not None:
        render.saw(update.message.chat_id, update.message.message_id)


def identity(user: User | None) -> dict[str, str]:
    """The person's Telegram names, for the adviser's card (``actions/handoff.py``)."""
    if user is None:
        return {}
    names = {"telegram_first_name": user.first_name, "telegram_name": user.full_name,
             "telegram_username": user.username or ""}
    return {key: value for key, value in names.items() if value}


async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, message: OutMessage) -> None:
    """Send a fixed answer (non-text input, invalid button)."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    _saw_input(update)
    await render.deliver(context.bot, chat_id, [message], context.chat_data)


# A redelivered update is the same update; one that reuses a seen id with
# other content (update ids restarted: a fresh Bot API server) is new.
# KEYS: the update's key. ARGV: its content's digest, the window (s).
_FIRST_DELIVERY = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


def delivery_key(bot_id: int, update_id: int) -> str:
    """Per bot: update ids are numbered per bot, and several bots may share a Redis.

    "b" and "u" keep the parts non-numeric: person SCANs (<prefix>:*:<chat_id>)
    never match the key.
    """
    return shared_key("update", f"b{bot_id}", f"u{update_id}")


async def drop_duplicates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    key = delivery_key(context.bot.id, update.update_id)
    digest = hashlib.blake2b(update.to_json().encode(), digest_size=12).hexdigest()
    if not await get_redis().eval(_FIRST_DELIVERY, 1, key, digest, DUPLICATE_WINDOW_SECONDS):
        log.info("update %s already handled", update.update_id)
        raise ApplicationHandlerStop


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer(update, context, update.message.text)  # type: ignore[union-attr]


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.message.text or ""  # type: ignore[union-attr]
    payload = payload_for(text)
    if payload is None:
        await say(update, context, HELP)
    else:
        # "/start <code>" from a campaign link: counted and remembered first.
        await campaign_start.arrive(update.effective_chat.id, text)  # type: ignore[union-attr]
        await answer(update, context, payload, trusted=True)


def e164(phone: str) -> str:
    """Telegram gives the number with its country code, with or without "+"."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("00"):
        digits = digits[2:]
    elif phone.strip().startswith("0"):
        digits = "262" + digits[1:]  # a local number: Mayotte
    return "+" + digits


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    number = e164(update.message.contact.phone_number)  # type: ignore[union-attr]
    payload = "/inform" + json.dumps({"rdv_telephone": number})
    await answer(update, context, payload, trusted=True)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    # Answer first: the spinner on the button stops whatever happens next.
    with contextlib.suppress(TelegramError):
        await query.answer()
    message = query.message
    if message is None:
        return
    chat_id = message.chat.id
    payload = await callbacks.resolve(chat_id, query.data or "")
    if payload is None:
        log.info("invalid button in chat %s", hash_id(chat_id))
        await say(update, context, INVALID_BUTTON)
        return
    if not isinstance(message, Message):  # too old for Telegram to say what it shows
        if await callbacks.first_press(chat_id, message.message_id):
            await answer(update, context, payload, trusted=True)
        return
    if not await callbacks.first_press(chat_id, message.message_id, render.version(message)):
        return
    title = render.pressed_title(message, query.data or "")
    await answer(update, context, payload, trusted=True, pressed=(message, title))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log, tell the person in plain French, never show a traceback."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, RedisError):
        log.error("redis unavailable: %s", type(error).__name__)
        text = SERVICE_DOWN_TEXT
    elif update is None and isinstance(error, NetworkError):
        log.warning("telegram unreachable: %s", error)
        return
    else:
        log.error(
            "error on update %s (chat %s)",
            getattr(update, "update_id", None),
            hash_id(chat.id) if chat else "-",
            exc_info=error,
        )
        text = SOMETHING_WENT_WRONG
    if chat is not None and chat.type == ChatType.PRIVATE:
        try:
            sent = await context.bot.send_message(chat.id, text)
            render.saw(chat.id, sent.message_id)
        except TelegramError as exc:
            log.warning("could not tell chat %s about the error: %s", hash_id(chat.id), exc)
    raise ApplicationHandlerStop


# Input the assistant cannot use, and its fixed answer (first match wins).
FIXED_ANSWERS = [
    (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE, VOICE),
    (filters.Sticker.ALL, STICKER),
    (filters.PHOTO, PHOTO),
    (filters.VIDEO | filters.ANIMATION, VIDEO),
    (filters.Document.ALL, DOCUMENT),
    (filters.LOCATION | filters.VENUE, LOCATION),
    (filters.ALL, OTHER),
]
