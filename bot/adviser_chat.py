"""Which chat is the advisers' group: ``ADVISER_CHAT_ID``, or the supergroup it became.

When a group is upgraded to a supergroup, Telegram refuses posts to the old id
with ``ChatMigrated``, naming the new one. The new id is kept in Redis (the
hash ``shared_key("adviser_chat")``: configured id → new id), so every bot
process and every later post follows it until the operator updates
``ADVISER_CHAT_ID``; it is keyed by the configured id, so a changed setting is
never redirected. The new id is also added to this process's group filter
(``bind``), so advisers' replies and commands in the supergroup are heard.
"""

from __future__ import annotations

import logging
from typing import Any

import redis.asyncio as aioredis
from telegram import Bot, Message, ReplyParameters
from telegram.error import ChatMigrated
from telegram.ext import filters

from cnam.keys import shared_key
from cnam.settings import get_settings

log = logging.getLogger(__name__)

_group_filter: filters.Chat | None = None


def bind(group_filter: filters.Chat) -> None:
    """The filter of the advisers' group handlers (``bot/app.py``)."""
    global _group_filter
    _group_filter = group_filter


def migrations_key() -> str:
    return shared_key("adviser_chat")


def _hear(chat_id: int) -> None:
    if _group_filter is not None:
        _group_filter.add_chat_ids(chat_id)


async def current(redis: aioredis.Redis) -> int:
    """The id to post to now."""
    configured = get_settings().adviser_chat_id
    moved = await redis.hget(migrations_key(), str(configured))
    if moved is None:
        return configured
    _hear(int(moved))
    return int(moved)


async def warn_if_moved(redis: aioredis.Redis) -> None:
    """At start: say once that the setting is out of date (posts follow anyway)."""
    chat_id = await current(redis)
    if chat_id != get_settings().adviser_chat_id:
        log.warning("the advisers' group became the supergroup %s: set ADVISER_CHAT_ID=%s", chat_id, chat_id)


async def follow(redis: aioredis.Redis, new_chat_id: int) -> None:
    await redis.hset(migrations_key(), str(get_settings().adviser_chat_id), new_chat_id)
    _hear(new_chat_id)
    log.warning(
        "the advisers' group became the supergroup %s: cards and relays now go there; "
        "set ADVISER_CHAT_ID=%s", new_chat_id, new_chat_id,
    )


def in_case(card_message_id: int | None, thread_id: int | None) -> dict[str, Any]:
    """Where a message about a case goes (``send``'s arguments): its topic when
    it has one (``bot/case_topics.py``), else a reply to its card."""
    if thread_id:
        return {"message_thread_id": thread_id}
    if card_message_id:
        return {"reply_parameters": ReplyParameters(card_message_id, allow_sending_without_reply=True)}
    return {}


async def send(bot: Bot, redis: aioredis.Redis, text: str, **kwargs: Any) -> Message:
    """A message to the advisers' group, following a migration."""
    try:
        return await bot.send_message(await current(redis), text, **kwargs)
    except ChatMigrated as moved:
        await follow(redis, moved.new_chat_id)
        return await bot.send_message(moved.new_chat_id, text, **kwargs)
