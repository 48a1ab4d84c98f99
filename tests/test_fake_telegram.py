"""The fake Bot API rejects what Telegram rejects, seen through python-telegram-bot."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest

from bench.calls import per_turn, since

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram


GROUP = -100_321


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def test_members_and_administrators(bot, fake_telegram):
    fake_telegram.members[GROUP] = {7: "creator", 8: "administrator", 9: "member"}
    statuses = [(await bot.get_chat_member(GROUP, user)).status for user in (7, 8, 9, 10)]
    assert statuses == [
        ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR,
        ChatMemberStatus.MEMBER, ChatMemberStatus.LEFT,
    ]
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(a.user.id for a in admins) == [7, 8]


async def test_invalid_messages_are_refused(bot, fake_telegram):
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(1, "<b>gras", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1, "x" * 4097)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1, "Question ?", reply_markup=too_long_data)
    sent = await bot.send_message(1, "<b>Gras</b> &amp; net", parse_mode="HTML")
    assert sent.text == "Gras & net"
    assert [m["text"] for m in fake_telegram.messages(1)] == ["Gras & net"]


async def test_group_reply_carries_the_replied_message(bot, fake_telegram):
    card = await bot.send_message(GROUP, "Fiche")
    reply = fake_telegram.reply_in_group(GROUP, card.message_id, "je prends", user_id=8)
    assert reply["reply_to_message"]["text"] == "Fiche"
    assert reply["chat"]["type"] == "supergroup" and reply["from"]["id"] == 8
    [update] = await bot.get_updates(timeout=0)
    assert update.message.reply_to_message.message_id == card.message_id


async def test_callback_query_can_be_answered_once(bot, fake_telegram):
    question = await bot.send_message(
        1, "Oui ?", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="b:1")]])
    )
    query_id = fake_telegram.press_button(1, question.message_id, "Oui")
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_long_polling_waits_then_confirms_by_offset(bot, fake_telegram):
    assert await bot.get_updates(timeout=0) == ()
    fake_telegram.send_text(5, "un")
    fake_telegram.send_text(5, "deux")
    first = await bot.get_updates(timeout=1)
    assert [u.message.text for u in first] == ["un", "deux"]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()


async def test_topics_only_in_a_forum_and_messages_carry_their_thread(bot, fake_telegram):
    with pytest.raises(BadRequest, match="not a forum"):
        await bot.create_forum_topic(GROUP, "Nadia · Orientation")
    assert (await bot.get_chat(GROUP)).is_forum is not True
    fake_telegram.make_forum(GROUP)
    assert (await bot.get_chat(GROUP)).is_forum is True
    topic = await bot.create_forum_topic(GROUP, "Nadia · Orientation")
    sent = await bot.send_message(GROUP, "fiche", message_thread_id=topic.message_thread_id)
    assert (sent.message_thread_id, sent.is_topic_message) == (topic.message_thread_id, True)
    assert [m["text"] for m in fake_telegram.topic_messages(GROUP, topic.message_thread_id)] == ["fiche"]
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(GROUP, "ailleurs", message_thread_id=topic.message_thread_id + 50)
    written = fake_telegram.write_in_topic(GROUP, topic.message_thread_id, "bonjour", user_id=9)
    assert written["is_topic_message"] and written["message_thread_id"] == topic.message_thread_id
    assert written["reply_to_message"]["forum_topic_created"]["name"] == "Nadia · Orientation"


async def test_calls_are_counted_by_method_for_the_benchmark(bot, fake_telegram):
    # bench/calls.py reads these counts; the bench clears ``calls`` as it goes, not them.
    before = Counter(fake_telegram.method_counts)
    await bot.get_me()
    sent = await bot.send_message(42, "Bonjour", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Oui", callback_data="oui")]]))
    await bot.send_chat_action(42, "typing")
    await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest):
        await bot.send_message(42, " ")  # refused, but it reached Telegram and counts
    fake_telegram.calls.clear()
    calls = since(Counter(fake_telegram.method_counts), before)
    assert calls == {"sendMessage": 2, "sendChatAction": 1, "editMessageReplyMarkup": 1}
    assert per_turn({**calls, "answerCallbackQuery": 2}, turns=2) == {
        "by_method": {"answerCallbackQuery": 1.0, "editMessageReplyMarkup": 0.5,
                      "sendChatAction": 0.5, "sendMessage": 1.0},
        "limited": 2.0,
        "ceiling_turns_s": 15.0,
    }
