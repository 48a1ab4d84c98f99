"""The cases side of the advisers' day through the real stack: in a
supergroup with topics each case gets its own topic, the relay runs inside
it both ways (the plain group's relay: test_e2e_booking) and /mes_dossiers
points to it there; a card
nobody takes is raised again once its delay has passed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adviser_group import CLAIMED_NOTICE
from tests.e2e import ADVISER, ADVISERS_GROUP, LiveBot, button_titles, said, texts

pytestmark = pytest.mark.stack


@pytest.fixture
async def forum_bot(live_bot: LiveBot) -> AsyncIterator[LiveBot]:
    """The advisers' chat turned into a supergroup with topics, seen by a bot
    started after that (it asks at start); a plain group again afterwards."""
    live_bot.fake.make_forum(ADVISERS_GROUP)
    await live_bot.restart()
    yield live_bot
    live_bot.fake.make_forum(ADVISERS_GROUP, is_forum=False)
    await live_bot.restart()


async def test_one_topic_per_case_and_the_relay_inside_it(forum_bot: LiveBot) -> None:
    fake = forum_bot.fake
    topics_before = dict(fake.topics[ADVISERS_GROUP])
    person = forum_bot.person(671001)
    await person.start_with_consent("bonjour")
    assert said(await person.say("/conseiller"), "utter_handoff_done")

    await fake.wait_for(lambda: len(fake.topics[ADVISERS_GROUP]) > len(topics_before), 30)
    [(thread, name)] = [t for t in fake.topics[ADVISERS_GROUP].items() if t[0] not in topics_before]
    assert "Test" not in name and name.startswith("Demande · ")
    await fake.wait_for(lambda: bool(fake.topic_messages(ADVISERS_GROUP, thread)), 15)
    [card] = fake.topic_messages(ADVISERS_GROUP, thread)
    assert "Je prends" in button_titles(card) and "écrivez dans ce sujet" in card["text"]

    fake.press_button(ADVISERS_GROUP, card["message_id"], "Je prends", user_id=ADVISER)
    assert texts(await person.replies()) == [CLAIMED_NOTICE]

    # The adviser writes in the topic, without replying to the card.
    fake.write_in_topic(ADVISERS_GROUP, thread, "Bonjour, que cherchez-vous ?", user_id=ADVISER)
    assert texts(await person.replies()) == ["Conseiller CNAM : Bonjour, que cherchez-vous ?"]

    # The person answers: it appears in the topic.
    fake.send_text(person.chat_id, "une formation en compta")
    await fake.wait_for(lambda: len(fake.topic_messages(ADVISERS_GROUP, thread)) > 1, 15)
    forwarded = fake.topic_messages(ADVISERS_GROUP, thread)[-1]
    assert forwarded["text"].endswith("une formation en compta") and "reply_to_message" not in forwarded

    # /mes_dossiers in the group's General topic lists it; "Ouvrir" points to it inside its topic.
    before = len(fake.messages(ADVISERS_GROUP))
    fake.send_text(ADVISERS_GROUP, "/mes_dossiers", user_id=ADVISER, chat_type="supergroup")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > before, 15)
    listing = fake.messages(ADVISERS_GROUP)[-1]
    assert "vous l'avez pris" in listing["text"]
    [button] = [b for b in button_titles(listing) if card["text"].split(" · ")[1].split("\n")[0] in b]
    fake.press_button(ADVISERS_GROUP, listing["message_id"], button, user_id=ADVISER)
    await fake.wait_for(lambda: fake.topic_messages(ADVISERS_GROUP, thread)[-1]["text"].startswith("📌"), 15)

    fake.write_in_topic(ADVISERS_GROUP, thread, "/fin", user_id=ADVISER)
    assert texts(await person.replies()) == ["Vous reparlez avec l'assistant automatique."]
    await fake.wait_for(lambda: "Échange terminé" in card["text"], 15)


@pytest.fixture
async def raising_bot(live_bot: LiveBot) -> AsyncIterator[LiveBot]:
    """The bot with unclaimed cards raised after 30 minutes (off for the other tests)."""
    await live_bot.restart(UNCLAIMED_RAISE_MINUTES="30")
    yield live_bot
    await live_bot.restart(UNCLAIMED_RAISE_MINUTES="0")


async def test_a_card_nobody_takes_is_raised_after_the_delay(raising_bot: LiveBot, stack_clock) -> None:  # type: ignore[no-untyped-def]
    fake = raising_bot.fake
    before = len(fake.messages(ADVISERS_GROUP))
    person = raising_bot.person(671002)
    await person.start_with_consent("bonjour")
    assert said(await person.say("/conseiller"), "utter_handoff_done")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > before, 30)
    [card] = fake.messages(ADVISERS_GROUP)[before:]

    def raises() -> list[dict]:
        return [
            m for m in fake.messages(ADVISERS_GROUP)
            if (m.get("reply_to_message") or {}).get("message_id") == card["message_id"]
        ]

    stack_clock(datetime.now(UTC) + timedelta(minutes=31))
    await fake.wait_for(lambda: bool(raises()), 20)
    [raised] = raises()
    assert raised["text"].startswith("⏰ Demande en attente depuis 31 min : personne ne l'a encore prise.")
    assert "Je prends" in button_titles(card)
