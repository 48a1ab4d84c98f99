"""The promises made to people, through the real stack (bot process, Rasa,
actions, Redis, fake Bot API): nothing kept and no card for someone who
refused or is under 16; erasure in the front alone, during a live relay or
with Rasa stopped; /stats counting what really happened."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from bot import consent, erasure
from bot.adviser_group import CLAIMED_NOTICE
from cnam import handoff_queue, privacy
from cnam.booking import reminders
from cnam.keys import person_key, prefix, shared_key
from tests.e2e import ADVISER, ADVISERS_GROUP, LiveBot, button_titles, said, texts

pytestmark = pytest.mark.stack


@pytest.fixture
async def store(live_bot: LiveBot):  # type: ignore[no-untyped-def]
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    yield client
    await client.close()


async def kinds(store: aioredis.Redis, chat_id: int) -> set[str]:
    return {privacy.kind_of(k, chat_id) for k in await privacy.person_keys(store, chat_id)}


async def no_anonymous_tracker_left(store: aioredis.Redis) -> bool:
    return [k async for k in store.scan_iter(match=person_key("tracker", "anon*"))] == []


async def a_card_for_someone_who_agreed(live_bot: LiveBot, chat_id: int) -> dict:
    """Another person asks for an adviser; returns their card once posted. Cards
    are delivered in order, so a card queued before theirs would be posted first."""
    fake = live_bot.fake
    before = len(fake.messages(ADVISERS_GROUP))
    other = live_bot.person(chat_id)
    await other.start_with_consent("bonjour")
    assert said(await other.say("/conseiller"), "utter_handoff_done")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > before, 30)
    [card] = fake.messages(ADVISERS_GROUP)[before:]
    return card


async def test_refusal_then_adviser_request_gives_the_contact_and_no_card(live_bot, store) -> None:
    fake = live_bot.fake
    person = live_bot.person(660001)
    prompt = await person.say("je veux parler à un conseiller")
    assert texts(prompt) == [m.text for m in consent.consent_prompt()]
    refused = await person.press("Je refuse")
    # The first message is answered right after the refusal, without being stored.
    assert texts(refused)[0] == consent.REFUSED.text
    assert said(refused[1:], "utter_handoff_without_consent"), texts(refused)
    assert said(await person.say("/conseiller"), "utter_handoff_without_consent")
    assert said(await person.say("c'est où le cnam ?"), "utter_ask_location")

    card = await a_card_for_someone_who_agreed(live_bot, 660002)
    assert "Je prends" in button_titles(card)
    assert fake.messages(ADVISERS_GROUP)[-1] is card
    stream = await store.xrange(handoff_queue.stream_key())
    assert str(person.chat_id) not in {fields.get("chat_id") for _, fields in stream}
    assert await kinds(store, person.chat_id) == {"consent"}
    assert await store.get(person_key("consent", person.chat_id)) == privacy.REFUSED
    assert await no_anonymous_tracker_left(store)


async def test_someone_who_says_14_gets_no_card_and_nothing_is_kept(live_bot, store) -> None:
    person = live_bot.person(660003)
    await person.start_with_consent("bonjour")
    await person.press("Trouver une formation")
    await person.say("Ali")
    minor = await person.press("Moins de 16 ans")
    assert texts(minor) == [privacy.MINOR_MESSAGE]
    assert said(await person.say("je veux parler a un conseiller"), "utter_handoff_without_consent")
    assert said(await person.say("/conseiller"), "utter_handoff_without_consent")

    card = await a_card_for_someone_who_agreed(live_bot, 660004)
    assert live_bot.fake.messages(ADVISERS_GROUP)[-1] is card
    assert await kinds(store, person.chat_id) == {"consent", "minor"}
    assert await no_anonymous_tracker_left(store)


async def test_erasure_during_a_live_relay(live_bot, store) -> None:
    fake = live_bot.fake
    person = live_bot.person(660005)
    await person.start_with_consent("bonjour")
    slots_before = [k async for k in store.scan_iter(match=shared_key("slot", "*"))]
    cards_before = len(fake.messages(ADVISERS_GROUP))
    await person.book_first_slot()
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > cards_before, 30)
    [card] = fake.messages(ADVISERS_GROUP)[cards_before:]
    fake.press_button(ADVISERS_GROUP, card["message_id"], "Je prends", user_id=ADVISER)
    assert texts(await person.replies()) == [CLAIMED_NOTICE]

    # In the relay, /supprimer is the person's own command: not forwarded to the adviser.
    asked = await person.say("/supprimer")
    assert texts(asked) == [consent.ERASE_CONFIRM.text]
    done = await person.press("Oui, tout effacer")
    assert texts(done) == [erasure.erased(1).text]

    await fake.wait_for(lambda: card["text"] == erasure.CARD_ERASED, 15)
    told = fake.messages(ADVISERS_GROUP)[-1]
    assert told["text"] == erasure.ADVISER_TOLD
    assert told["reply_to_message"]["message_id"] == card["message_id"]
    assert not any("/supprimer" in (m.get("text") or "") for m in fake.messages(ADVISERS_GROUP))
    assert await privacy.person_keys(store, person.chat_id) == []
    members = [m async for m, _ in store.zscan_iter(reminders.reminders_key())]
    assert not [m for m in members if m.startswith(f"{person.chat_id}|")]
    slots_after = [k async for k in store.scan_iter(match=shared_key("slot", "*"))]
    assert slots_after == slots_before
    # Writing again starts over with the consent question, not the adviser.
    assert texts(await person.say("allo ?")) == [m.text for m in consent.consent_prompt()]


async def test_stats_after_one_booking(live_bot, store) -> None:
    fake = live_bot.fake
    async for key in store.scan_iter(match=f"{prefix()}:stats*"):
        await store.delete(key)
    person = live_bot.person(660006)
    await person.start_with_consent("bonjour")
    confirmed = await person.book_first_slot()
    assert any(m.get("document") for m in confirmed), texts(confirmed)

    before = len(fake.messages(ADVISERS_GROUP))
    fake.send_text(ADVISERS_GROUP, "/stats", user_id=ADVISER, chat_type="supergroup")
    await fake.wait_for(
        lambda: any("Statistiques" in (m.get("text") or "") for m in fake.messages(ADVISERS_GROUP)[before:]),
        30,
    )
    report = next(m["text"] for m in fake.messages(ADVISERS_GROUP)[before:] if "Statistiques" in (m.get("text") or ""))
    assert (
        "7 derniers jours : 1 personne, 0 profil complet, 1 rendez-vous (0 annulé), "
        "1 demande de conseiller." in report.splitlines()
    ), report


async def test_erasure_with_rasa_stopped(live_bot, store) -> None:
    person = live_bot.person(660007)
    await person.start_with_consent("bonjour")
    assert await privacy.person_keys(store, person.chat_id)
    live_bot.stack.process("rasa").stop()
    try:
        assert texts(await person.say("/supprimer")) == [consent.ERASE_CONFIRM.text]
        assert texts(await person.press("Oui, tout effacer")) == [erasure.erased(0).text]
        assert await privacy.person_keys(store, person.chat_id) == []
        assert texts(await person.say("/mesdonnees")) == [consent.NOTHING_STORED.text]
    finally:
        await live_bot.stack.restart_rasa()
