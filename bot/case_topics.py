"""One forum topic per case, when the advisers' chat is a supergroup with topics.

Which kind of chat it is, is asked once when the card consumer starts
(``getChat``: ``is_forum``). In a forum each new case gets its own topic,
named with the person's first name and the subject only (the whole group sees
topic names: no surname, no phone number); its thread id is kept on the
record (``thread_id``) so the card, the relay and the case's events go there.
In a plain group, or when a topic cannot be made (the bot may not manage
topics, topics were turned off), the card goes to the group as before: a
case never waits for its topic.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from telegram import Bot
from telegram.error import TelegramError

from bot import adviser_chat, relay
from bot.card import clean
from cnam import handoff, vocabulary
from cnam.handoff import HandoffRecord

log = logging.getLogger(__name__)

MAX_NAME = 128  # Telegram's limit for a topic name

_forum = False


def is_forum() -> bool:
    """What the last ``detect`` found (False before it ran)."""
    return _forum


async def detect(bot: Bot, redis: aioredis.Redis) -> bool:
    """Ask Telegram whether the advisers' chat has topics; any failure means a plain group."""
    global _forum
    try:
        chat = await bot.get_chat(await adviser_chat.current(redis))
    except TelegramError as exc:
        log.warning("advisers' chat unknown (%s): cards as replies, no topics", exc)
        _forum = False
    else:
        _forum = bool(chat.is_forum)
        log.info("advisers' chat: %s", "one topic per case" if _forum else "plain group, no topics")
    return _forum


def topic_name(record: HandoffRecord) -> str:
    """ "Nadia · Choix d'une formation · h1a2b3c4d5e6f": first name and subject only."""
    who = clean(record.prenom or "", 40) or "Demande"
    what = vocabulary.label(vocabulary.SUJET, record.sujet) or vocabulary.label(
        handoff.REASON_LABELS, record.reason
    )
    return clean(f"{who} · {what} · {record.handoff_id}", MAX_NAME)


async def open_topic(bot: Bot, redis: aioredis.Redis, record: HandoffRecord) -> int | None:
    """The case's topic, made once; None when the case goes in the group itself."""
    if record.thread_id is not None or not _forum:
        return record.thread_id
    try:
        topic = await bot.create_forum_topic(await adviser_chat.current(redis), topic_name(record))
    except TelegramError as exc:
        log.warning("case %s: no topic (%s), plain card", record.handoff_id, exc)
        return None
    record.thread_id = topic.message_thread_id
    # The topic's first message has the thread's id: messages in the topic
    # that reply to nothing else reply to it, and so find the case.
    await relay.remember_message(redis, record.thread_id, record.handoff_id)
    # Kept at once: a card redelivered after a crash reuses this topic.
    await handoff.update(redis, record)
    return record.thread_id
