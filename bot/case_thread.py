"""What happens to a case after its card (confirmed, moved, attended, a
follow-up answer) is told in the advisers' group, under the case's card or
in the case's own topic (``bot/case_topics.py``).

This is the one door for those events: the card's place (a reply to the card
in a plain group; the case's own topic in a supergroup with topics) is known
here alone.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from bot import adviser_chat, outgoing, relay
from cnam import handoff
from cnam.handoff import HandoffRecord
from cnam.logsafe import hash_id

log = logging.getLogger(__name__)


async def case_of(redis: aioredis.Redis, chat_id: int | str) -> HandoffRecord | None:
    """The person's latest case with a card, or None."""
    posted = [r for r in await handoff.records_of(redis, chat_id) if r.card_message_id is not None]
    return max(posted, key=lambda r: r.created_at) if posted else None


async def tell(
    bot: Bot, redis: aioredis.Redis, record: HandoffRecord, text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Post ``text`` (with buttons bound to the group, if any) with the case:
    in its topic when it has one, else as a reply to its card; an adviser's
    reply to it reaches the person like a reply to the card. A failure is
    logged: the event stays on the record, the thread only shows it."""
    try:
        with outgoing.background():  # into the group, even during a person's turn
            message = await adviser_chat.send(
                bot, redis, text, parse_mode=None, reply_markup=reply_markup,
                **adviser_chat.in_case(record.card_message_id, record.thread_id),
            )
    except TelegramError as exc:
        log.warning("case %s (%s): event not posted: %s", record.handoff_id, hash_id(record.chat_id), exc)
        return None
    await relay.remember_message(redis, message.message_id, record.handoff_id)
    return message
