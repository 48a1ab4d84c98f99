"""The front in front of the real stack: Telegram failing for a while,
duplicate updates, non-text input, and erasure of everything about a person."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from bot import consent, erasure
from bot import person_chat as handlers
from cnam.keys import shared_key
from cnam.privacy import person_keys
from tests.e2e import ADVISERS_GROUP, LiveBot, said, texts

pytestmark = pytest.mark.stack


async def test_telegram_429_and_500_lose_no_message_and_no_card(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    person = live_bot.person(650001)
    await person.start_with_consent("bonjour")
    fake.fail_next("sendMessage", status=429, times=2, retry_after=1)
    fake.fail_next("sendMessage", status=500, times=2)
    answer = await person.say("c quoi le cnam")
    assert said(answer, "utter_ask_cnam", "utter_ask_cnam_more"), texts(answer)

    cards_before = len(fake.messages(ADVISERS_GROUP))
    fake.fail_next("sendMessage", status=500, times=3)
    await person.say("/conseiller")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > cards_before, 60)
    assert "Je prends" in str(fake.messages(ADVISERS_GROUP)[-1].get("reply_markup"))


async def test_duplicate_update_is_answered_once(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    person = live_bot.person(650002)
    await person.start_with_consent("bonjour")
    fake.send_update_twice(person.chat_id, "c'est où le cnam ?")
    answer = await person.replies()
    assert said(answer, "utter_ask_location"), texts(answer)


@pytest.mark.parametrize(
    ("send", "expected"),
    [("send_sticker", handlers.STICKER), ("send_photo", handlers.PHOTO), ("send_voice", handlers.VOICE),
     ("send_video", handlers.VIDEO), ("send_document", handlers.DOCUMENT), ("send_location", handlers.LOCATION)],
)
async def test_non_text_input_gets_a_short_french_answer(live_bot: LiveBot, send: str, expected) -> None:  # type: ignore[no-untyped-def]
    person = live_bot.person(650003)
    getattr(live_bot.fake, send)(person.chat_id)
    answer = await person.replies()
    assert texts(answer) == [expected.text]


async def test_erasure_leaves_nothing_and_frees_the_slot(live_bot: LiveBot) -> None:
    person = live_bot.person(650004)
    await person.start_with_consent("bonjour")
    confirmed = await person.book_first_slot()
    assert any("heure de Mayotte" in t for t in texts(confirmed)), texts(confirmed)
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    try:
        slots_before = [k async for k in client.scan_iter(match=shared_key("slot", "*"))]
        asked = await person.say("/supprimer")
        assert texts(asked) == [consent.ERASE_CONFIRM.text]
        done = await person.press("Oui, tout effacer")
        assert texts(done) == [erasure.erased(1).text]
        assert await person_keys(client, person.chat_id) == []
        slots_after = [k async for k in client.scan_iter(match=shared_key("slot", "*"))]
        assert len(slots_after) == len(slots_before) - 1
    finally:
        await client.close()
