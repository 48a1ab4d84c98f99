"""``!supprimer_ok``: erase everything about the person, in the front alone
(it works while Rasa is down and during a live relay with an adviser).

Before the data goes, the person's cards in the advisers' group are found
(their message ids are in the handoff records), so that afterwards each card
is replaced by a line without personal data, each case's topic (its name has
the first name: ``bot/case_topics.py``) is renamed, and the adviser who was
talking with the person is told, in the card's thread, that the conversation
ended.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from telegram import Bot
from telegram.error import TelegramError

from bot import adviser_chat, consent, relay
from bot.messages import OutMessage
from cnam import clock, handoff, privacy
from cnam.logsafe import hash_id
from cnam.store import get_redis

log = logging.getLogger(__name__)

CARD_ERASED = "🗑 Fiche effacée à la demande de la personne (données personnelles supprimées)."
ADVISER_TOLD = "🗑 La personne a effacé ses données : l'échange est terminé."
TOPIC_ERASED = "🗑 Dossier effacé"

_bot: Bot | None = None


def bind(bot: Bot) -> None:
    """The bot that edits the cards (none in the terminal chat)."""
    global _bot
    _bot = bot


def erased(appointments: int) -> OutMessage:
    cancelled = " Votre rendez-vous est annulé." if appointments else ""
    return OutMessage(
        text=(
            f"C'est fait : j'ai effacé toutes vos données.{cancelled} "
            "Si vous m'écrivez à nouveau, je vous redemanderai votre accord."
        )
    )


async def erase(chat_id: int, arg: str) -> list[OutMessage]:
    redis = get_redis()
    live = await relay.state(redis, chat_id)
    records = await handoff.records_of(redis, chat_id)
    cards = [r.card_message_id for r in records if r.card_message_id]
    topics = [r.thread_id for r in records if r.thread_id]
    report = await privacy.erase_person(redis, chat_id, clock.now())
    consent.FIRST_MESSAGES.drop(chat_id)
    if _bot is not None:
        await _tell_advisers(_bot, redis, chat_id, cards, live)
        await _rename_topics(_bot, redis, chat_id, topics)
    return [erased(report.appointments_cancelled)]


async def _tell_advisers(
    bot: Bot, redis: aioredis.Redis, chat_id: int, cards: list[int], live: relay.RelayState | None
) -> None:
    group = await adviser_chat.current(redis)
    for card in cards:
        try:
            await bot.edit_message_text(CARD_ERASED, chat_id=group, message_id=card, reply_markup=None)
        except TelegramError as exc:
            # The data is gone from Redis; the card's text stays in the group until deleted by hand.
            log.warning("card of %s not redacted (delete it in the group): %s", hash_id(chat_id), exc)
    if live is None:
        return
    try:
        await adviser_chat.send(
            bot, redis, ADVISER_TOLD, parse_mode=None,
            **adviser_chat.in_case(live.card_message_id, live.thread_id),
        )
    except TelegramError as exc:
        log.warning("adviser not told of the erasure of %s: %s", hash_id(chat_id), exc)


async def _rename_topics(bot: Bot, redis: aioredis.Redis, chat_id: int, topics: list[int]) -> None:
    group = await adviser_chat.current(redis)
    for thread_id in topics:
        try:
            await bot.edit_forum_topic(group, thread_id, name=TOPIC_ERASED)
        except TelegramError as exc:
            log.warning("topic of %s not renamed (rename it in the group): %s", hash_id(chat_id), exc)
