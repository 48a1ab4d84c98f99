"""One topic per case when the advisers' chat is a supergroup with topics
(bot/case_topics.py), against the fake Bot API: the card, the relay both ways
and the case's events in the topic; a plain card when no topic can be made."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from telegram.ext import Application

from bot import case_thread, case_topics, erasure
from cnam import handoff, privacy
from tests.adviser_support import ADVISER_A, GROUP, PERSON, request_handoff
from tests.fake_telegram import FakeTelegram
from tests.front_app import front_settings, polling_front
from tests.rasa_stub import RasaStub


@pytest.fixture
async def forum_front(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis, adviser_settings: None,
) -> AsyncIterator[Application]:
    fake_telegram.make_forum(GROUP)
    await privacy.record_consent(redis, PERSON, privacy.ACCEPTED)
    async with polling_front(front_settings(fake_telegram, rasa_stub)) as application:
        yield application


async def test_a_case_lives_in_its_own_topic(forum_front, fake_telegram, rasa_stub, redis) -> None:
    handoff_id = await request_handoff(redis)
    [start, card] = await fake_telegram.wait_for_messages(GROUP, 2)
    thread = start["message_thread_id"]
    # First name and subject only: the whole group reads topic names.
    assert fake_telegram.topics[GROUP] == {thread: f"Zaina <3 · La personne demande un conseiller · {handoff_id}"}
    assert card["message_thread_id"] == thread and "Je prends" in str(card["reply_markup"])
    assert "écrivez dans ce sujet" in card["text"]
    assert (await handoff.find(redis, handoff_id)).thread_id == thread

    fake_telegram.press_button(GROUP, card["message_id"], "Je prends", user_id=ADVISER_A)
    await fake_telegram.wait_for_messages(PERSON, 1)  # "Un conseiller du CNAM a pris votre demande"

    # A topic renamed by an adviser is a service message in the topic: not for the person.
    fake_telegram.push_update({"message": fake_telegram._user_message(
        GROUP, ADVISER_A, "supergroup", "Conseiller",
        {"forum_topic_edited": {"name": "Zaina"}, "message_thread_id": thread, "is_topic_message": True},
    )})

    # The adviser writes in the topic, replying to nothing: the person gets it.
    fake_telegram.write_in_topic(GROUP, thread, "Bonjour, quel bac avez-vous ?", user_id=ADVISER_A)
    [relayed] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert relayed["text"] == "Conseiller CNAM : Bonjour, quel bac avez-vous ?"

    # The person answers: it appears in the topic, not as a reply in the group.
    fake_telegram.send_text(PERSON, "bac pro")
    [forwarded] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert forwarded["message_thread_id"] == thread and "reply_to_message" not in forwarded
    assert forwarded["text"].endswith("bac pro")
    assert rasa_stub.received == []

    # The case's events (bot/case_thread.tell) go to the topic too.
    record = await case_thread.case_of(redis, PERSON)
    await case_thread.tell(forum_front.bot, redis, record, "Rendez-vous confirmé.")
    [event] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert event["message_thread_id"] == thread

    # /fin in the topic, without replying to the card.
    fake_telegram.write_in_topic(GROUP, thread, "/fin", user_id=ADVISER_A)
    [back] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert back["text"] == "Vous reparlez avec l'assistant automatique."
    [done] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert done["message_thread_id"] == thread


async def test_a_refused_topic_still_gives_the_card(forum_front, fake_telegram, redis) -> None:
    fake_telegram.fail_next("createForumTopic", 400, times=1)
    handoff_id = await request_handoff(redis)
    [card] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert "message_thread_id" not in card and "Je prends" in str(card["reply_markup"])
    assert "répondez à cette fiche" in card["text"]
    assert (await handoff.find(redis, handoff_id)).thread_id is None


async def test_a_plain_group_keeps_replies_to_the_card(
    fake_telegram, rasa_stub, redis, adviser_settings
) -> None:
    async with polling_front(front_settings(fake_telegram, rasa_stub)):
        await request_handoff(redis)
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert not case_topics.is_forum()
    assert fake_telegram.calls_of("getChat") and not fake_telegram.calls_of("createForumTopic")
    assert "message_thread_id" not in card


async def test_erasure_renames_the_topic_and_tells_the_adviser_there(forum_front, fake_telegram, redis) -> None:
    await request_handoff(redis)
    [start, card] = await fake_telegram.wait_for_messages(GROUP, 2)
    thread = start["message_thread_id"]
    fake_telegram.press_button(GROUP, card["message_id"], "Je prends", user_id=ADVISER_A)
    await fake_telegram.wait_for_messages(PERSON, 1)
    await fake_telegram.wait_for(lambda: "Pris en charge" in card["text"])
    await erasure.erase(PERSON, "")
    assert fake_telegram.topics[GROUP][thread] == erasure.TOPIC_ERASED
    [told] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert told["text"] == erasure.ADVISER_TOLD and told["message_thread_id"] == thread
    assert card["text"] == erasure.CARD_ERASED
