"""Live relay between a person and the adviser who took their handoff.

While ``person_key("relay", chat_id)`` exists, the person's messages go to
the advisers' group (in the case's topic when it has one, else as replies to
the card) instead of Rasa, and advisers' replies in that thread (any message
in the topic) go to the person. ``shared_key("groupmsg", "m<id>")``
maps a message of the advisers' group (card or forwarded message) to its
handoff id, so a reply to any of them finds the person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis.asyncio as aioredis
from telegram import Bot
from telegram.error import TelegramError

from bot import adviser_chat, outgoing, render
from bot.card import clean, fit
from cnam.handoff import HandoffRecord, Holder
from cnam.keys import person_key, shared_key
from cnam.logsafe import hash_id
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

# A relay nobody used for 12 hours ends by itself: a forgotten /fin must not
# keep the person away from the assistant.
RELAY_TTL = 12 * 3600
BACK_TO_ASSISTANT = "Vous reparlez avec l'assistant automatique."
ADVISER_PREFIX = "Conseiller CNAM : "

_bot: Bot | None = None


@dataclass(frozen=True)
class RelayState:
    handoff_id: str
    card_message_id: int
    thread_id: int  # 0: no topic, the card's replies are the thread
    prenom: str
    adviser: Holder


def bind(bot: Bot) -> None:
    """The bot that forwards (set when the front starts the advisers' side)."""
    global _bot
    _bot = bot


def _key(chat_id: int | str) -> str:
    return person_key("relay", chat_id)


async def open_relay(redis: aioredis.Redis, record: HandoffRecord, adviser: Holder) -> None:
    key = _key(record.chat_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        pipe.hset(key, mapping={
            "handoff_id": record.handoff_id,
            "card_message_id": record.card_message_id or 0,
            "thread_id": record.thread_id or 0,
            "prenom": record.prenom or "",
            "adviser": adviser.dump(),
        })
        pipe.expire(key, RELAY_TTL)
        await pipe.execute()


async def state(redis: aioredis.Redis, chat_id: int | str) -> RelayState | None:
    raw = await redis.hgetall(_key(chat_id))
    if not raw:
        return None
    return RelayState(
        handoff_id=raw["handoff_id"],
        card_message_id=int(raw["card_message_id"]),
        thread_id=int(raw.get("thread_id") or 0),
        prenom=raw["prenom"],
        adviser=Holder.parse(raw["adviser"]),
    )


async def touch(redis: aioredis.Redis, chat_id: int | str) -> None:
    """Each relayed message keeps the relay open for another RELAY_TTL."""
    await redis.expire(_key(chat_id), RELAY_TTL)


async def close(redis: aioredis.Redis, chat_id: int | str) -> bool:
    return bool(await redis.delete(_key(chat_id)))


def _message_key(group_message_id: int) -> str:
    # "m": a key ending in a bare number would match a person's SCAN pattern.
    return shared_key("groupmsg", f"m{group_message_id}")


async def remember_message(redis: aioredis.Redis, group_message_id: int, handoff_id: str) -> None:
    # Holds no personal data (a message id → a handoff id); expires with the records.
    await redis.set(
        _message_key(group_message_id), handoff_id, ex=get_settings().retention_seconds
    )


async def handoff_of_message(redis: aioredis.Redis, group_message_id: int) -> str | None:
    return await redis.get(_message_key(group_message_id))


async def forward_from_user(chat_id: int, text: str) -> bool:
    """When an adviser has this person live, post their message in the card's
    thread and return True (Rasa stays out); otherwise False."""
    redis = get_redis()
    current = await state(redis, chat_id)
    if current is None:
        return False
    await touch(redis, chat_id)
    name = clean(current.prenom, 40) or "La personne"
    body = fit(f"💬 {name} · {current.handoff_id}\n{text}")
    if _bot is None:
        log.error("relay has no bot bound: message of %s not forwarded", hash_id(chat_id))
        return True
    try:
        with outgoing.background():  # into the group: its 20/min, behind the replies
            sent = await adviser_chat.send(
                _bot, redis, body,
                parse_mode=None,  # plain text: nothing the person types is markup
                **adviser_chat.in_case(current.card_message_id, current.thread_id),
            )
    except TelegramError as exc:
        # The rate limiter already retried; the person is still with the adviser.
        log.error("relay to advisers failed for %s: %s", hash_id(chat_id), exc)
        return True
    await remember_message(redis, sent.message_id, current.handoff_id)
    return True


async def send_to_person(bot: Bot, chat_id: int, text: str) -> None:
    """An adviser's words, labelled so the person knows a human wrote them."""
    sent = await bot.send_message(chat_id, fit(ADVISER_PREFIX + text), parse_mode=None)
    # Now the latest message: a later answer must not be edited in above it.
    render.saw(chat_id, sent.message_id)
