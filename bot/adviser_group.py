"""The advisers' group: "Je prends", the live relay's adviser side, /fin, /stats.

Adviser actions are open to members of the advisers' group (checked with
getChatMember, cached a few minutes) and to ``ADVISER_IDS``. The handlers
are registered in ``bot/app.py``; the cards come from ``bot/handoff_consumer.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update, User
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import adviser_chat, relay
from bot.card import claim_keyboard, clean, render_card
from bot.stats_chart import render_chart
from cnam import clock, funnel, handoff, stats
from cnam.campaigns import CampaignsFileError, get_campaigns
from cnam.funnel_report import format_funnel
from cnam.handoff import HandoffRecord, Holder
from cnam.logsafe import hash_id
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

MEMBERSHIP_TTL = 300.0

CLAIMED_NOTICE = (
    "Un conseiller du CNAM a pris votre demande. Il vous répond ici, dans cette conversation."
)
ADVISERS_ONLY = "Réservé aux conseillers du CNAM."
GONE = "Cette demande n'existe plus (données effacées ou expirées)."

_MEMBERS = "adviser_group.members"


async def is_adviser(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> bool:
    settings = get_settings()
    if user is None:
        return False
    if user.id in settings.adviser_id_set:
        return True
    cache: dict[int, tuple[bool, float]] = context.bot_data.setdefault(_MEMBERS, {})
    known = cache.get(user.id)
    if known and known[1] > time.monotonic():
        return known[0]
    try:
        member = await context.bot.get_chat_member(await adviser_chat.current(get_redis()), user.id)
    except TelegramError as exc:
        log.warning("membership of adviser %s unknown: %s", user.id, exc)
        return False  # not cached: the next press asks again
    allowed = member.status in {
        ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER,
    } or (member.status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False))
    cache[user.id] = (allowed, time.monotonic() + MEMBERSHIP_TTL)
    return allowed


def _adviser(user: User) -> Holder:
    return Holder(user.id, user.full_name or str(user.id))


async def _edit_card(context: ContextTypes.DEFAULT_TYPE, record: HandoffRecord) -> None:
    if record.card_message_id is None:
        return
    try:
        await context.bot.edit_message_text(
            render_card(record),
            chat_id=await adviser_chat.current(get_redis()),
            message_id=record.card_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=claim_keyboard(record),
        )
    except TelegramError as exc:
        log.warning("card %s not updated: %s", record.handoff_id, exc)


async def on_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Je prends": the first adviser gets the handoff, the others are told who has it."""
    query = update.callback_query
    handoff_id = (query.data or "").removeprefix("claim:")
    redis = get_redis()
    if not await is_adviser(context, query.from_user):
        await query.answer(ADVISERS_ONLY, show_alert=True)
        return
    record = await handoff.find(redis, handoff_id)
    if record is None:
        await query.answer(GONE, show_alert=True)
        return
    me = _adviser(query.from_user)
    won, holder = await handoff.claim(redis, handoff_id, me)
    if not won:
        text = (
            "Vous avez déjà pris cette demande."
            if holder.adviser_id == me.adviser_id
            else f"Déjà prise par {clean(holder.adviser_name, 60)}."
        )
        await query.answer(text, show_alert=holder.adviser_id != me.adviser_id)
        return
    await query.answer(
        "C'est à vous : écrivez dans ce sujet pour répondre à la personne."
        if record.thread_id else "C'est à vous : répondez à la fiche pour écrire à la personne."
    )
    record.status = "pris"
    record.claimed_by = me.adviser_name
    record.claimed_at = clock.now()
    if await handoff.update(redis, record):
        await relay.open_relay(redis, record, me)
        await _edit_card(context, record)
        try:
            await context.bot.send_message(record.chat_id, CLAIMED_NOTICE, parse_mode=None)
        except TelegramError as exc:
            log.warning("claim notice to %s failed: %s", hash_id(record.chat_id), exc)


async def _thread_record(update: Update) -> HandoffRecord | None:
    """The handoff an adviser's message is about (a reply to the card or to a
    relayed message, or any message in the case's topic); answers in the
    group when the case is gone."""
    message = update.effective_message
    replied = message.reply_to_message
    handoff_id = replied and await relay.handoff_of_message(get_redis(), replied.message_id)
    if not handoff_id and message.is_topic_message and message.message_thread_id:
        handoff_id = await relay.handoff_of_message(get_redis(), message.message_thread_id)
    if not handoff_id:
        return None
    record = await handoff.find(get_redis(), handoff_id)
    if record is None:
        await message.reply_text(GONE, parse_mode=None)
    return record


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An adviser's reply in a card's thread, or message in its topic, goes to the person."""
    message = update.effective_message
    if not await is_adviser(context, update.effective_user):
        return
    record = await _thread_record(update)
    if record is None:
        return
    redis = get_redis()
    holder = await handoff.holder(redis, record.handoff_id)
    if holder is None:
        await message.reply_text("Appuyez d'abord sur « Je prends » sur la fiche.", parse_mode=None)
        return
    if not message.text:
        await message.reply_text("Seuls les messages texte sont transmis.", parse_mode=None)
        return
    current = await relay.state(redis, record.chat_id)
    if current is None or current.handoff_id != record.handoff_id:
        # The relay had timed out (or served another handoff): the reply reopens it.
        await relay.open_relay(redis, record, holder)
    else:
        await relay.touch(redis, record.chat_id)
    try:
        await relay.send_to_person(context.bot, record.chat_id, message.text)
    except Forbidden:
        await message.reply_text(
            "Message non remis : la personne a bloqué l'assistant.", parse_mode=None
        )
    except TelegramError as exc:
        log.warning("relay to %s failed: %s", hash_id(record.chat_id), exc)
        await message.reply_text("Message non remis, réessayez dans un instant.", parse_mode=None)


async def on_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/fin in a card's thread: the person goes back to the assistant."""
    message = update.effective_message
    if not await is_adviser(context, update.effective_user):
        return
    record = await _thread_record(update)
    if record is None:
        if message.reply_to_message is None and not message.is_topic_message:
            await message.reply_text("Répondez à la fiche avec /fin pour terminer.", parse_mode=None)
        return
    redis = get_redis()
    current = await relay.state(redis, record.chat_id)
    if current is None or current.handoff_id != record.handoff_id:
        await message.reply_text("Aucun échange en cours sur cette fiche.", parse_mode=None)
        return
    await relay.close(redis, record.chat_id)
    record.status = "termine"
    if await handoff.update(redis, record):
        await _edit_card(context, record)
    try:
        await context.bot.send_message(record.chat_id, relay.BACK_TO_ASSISTANT, parse_mode=None)
    except TelegramError as exc:
        log.warning("end notice to %s failed: %s", hash_id(record.chat_id), exc)
    await message.reply_text(
        "Échange terminé : la personne reparle avec l'assistant.", parse_mode=None
    )


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: the last 7 and 30 days, as text and as a chart, then the campaigns' funnel."""
    if not await is_adviser(context, update.effective_user):
        return
    periods = await stats.summary(get_redis(), (7, 30))
    chart = await asyncio.to_thread(render_chart, periods[30])
    chat_id = update.effective_chat.id
    for text in [*stats.format_summary(periods), *await _funnel_messages(30)]:
        await context.bot.send_message(chat_id, text, parse_mode=None)
    await context.bot.send_photo(chat_id, chart, caption="Activité des 30 derniers jours")


async def _funnel_messages(days: int) -> list[str]:
    try:
        campaigns = get_campaigns()
    except CampaignsFileError as exc:
        log.error("campaigns file invalid: %s", exc)
        return ["Campagnes : le fichier catalog/campaigns.yaml est invalide (voir le journal du bot)."]
    return format_funnel(await funnel.last_days(get_redis(), days), campaigns, days)
