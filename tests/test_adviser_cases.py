"""/mes_dossiers and its "Ouvrir" buttons (bot/adviser_cases.py), with the
routing of new cards (cnam/routing.py) and their mention, on the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from telegram.ext import Application

from bot import adviser_buttons, adviser_cases, adviser_group, card, handoff_consumer
from cnam import privacy
from tests.adviser_support import ADVISER_A, ADVISER_B, GROUP, OUTSIDER, PERSON, request_handoff
from tests.fake_telegram import FakeTelegram
from tests.front_app import front_settings, polling_front
from tests.rasa_stub import RasaStub
from tests.test_routing import config

OTHER_PERSON = PERSON + 1


@pytest.fixture
async def routed_front(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis,
    adviser_settings: None, monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Application]:
    """Zaïnaba (adviser A in Telegram) takes BTP; Anli (@anli_cnam) takes informatique."""
    calendar = config(advisers={
        0: {"telegram_id": ADVISER_A, "takes": {"domaines": ["btp"]}},
        1: {"telegram_username": "anli_cnam", "takes": {"domaines": ["informatique"]}},
    })
    for module in (handoff_consumer, card, adviser_cases):
        monkeypatch.setattr(module, "get_advisers", lambda: calendar)
    for person in (PERSON, OTHER_PERSON):
        await privacy.record_consent(redis, person, privacy.ACCEPTED)
    async with polling_front(front_settings(fake_telegram, rasa_stub)) as application:
        yield application


def command(fake: FakeTelegram, text: str, user_id: int) -> None:
    fake.send_text(GROUP, text, user_id=user_id, chat_type="supergroup")


async def test_my_cases_lists_taken_and_routed_ones_and_opens_them(
    routed_front, fake_telegram, redis
) -> None:
    # Two BTP cases (tests/adviser_support.SLOTS): meant for Zaïnaba, mentioned on the card.
    first = await request_handoff(redis)
    second = await request_handoff(redis, OTHER_PERSON)
    first_card, second_card = await fake_telegram.wait_for_messages(GROUP, 2)
    assert "Pour : Zaïnaba\n" in first_card["text"] and "Pour : Zaïnaba\n" in second_card["text"]

    # Zaïnaba takes the first; adviser B, who is not in the calendar, has none.
    fake_telegram.press_button(GROUP, first_card["message_id"], "Je prends", user_id=ADVISER_A)
    await fake_telegram.wait_for_messages(PERSON, 1)
    command(fake_telegram, "/mes_dossiers", ADVISER_B)
    [empty] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert empty["text"] == adviser_cases.NONE_OPEN

    command(fake_telegram, "/mes_dossiers", ADVISER_A)
    [listing] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert listing["text"].startswith("📂 Vos dossiers ouverts (2) :")
    assert "vous l'avez pris" in listing["text"] and "à prendre, pour vous" in listing["text"]
    buttons = [b for row in listing["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == [f"Ouvrir : Zaina <3 ({first})", f"Ouvrir : Zaina <3 ({second})"]
    assert all(b["callback_data"].startswith("a:") for b in buttons)

    # "Ouvrir" brings the case down: a reply to its card, and a reply to it reaches the person.
    fake_telegram.press_button(GROUP, listing["message_id"], buttons[0]["text"], user_id=ADVISER_A)
    [pointer] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert pointer["reply_to_message"]["message_id"] == first_card["message_id"]
    fake_telegram.reply_in_group(GROUP, pointer["message_id"], "Je reviens vers vous", user_id=ADVISER_A)
    [relayed] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert relayed["text"] == "Conseiller CNAM : Je reviens vers vous"

    # Ended cases leave the list.
    fake_telegram.reply_in_group(GROUP, first_card["message_id"], "/fin", user_id=ADVISER_A)
    await fake_telegram.wait_for_messages(GROUP, 1)
    command(fake_telegram, "/mes_dossiers", ADVISER_A)
    [after] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert after["text"].startswith("📂 Vos dossiers ouverts (1) :") and first not in str(after["reply_markup"])


async def test_outsiders_and_foreign_buttons_are_refused(routed_front, fake_telegram, redis) -> None:
    await request_handoff(redis)
    await fake_telegram.wait_for_messages(GROUP, 1)
    command(fake_telegram, "/mes_dossiers", OUTSIDER)
    [refused] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert refused["text"] == adviser_group.ADVISERS_ONLY

    command(fake_telegram, "/mes_dossiers", ADVISER_A)
    [listing] = await fake_telegram.wait_for_messages(GROUP, 1)
    button = listing["reply_markup"]["inline_keyboard"][0][0]["text"]
    outsider = fake_telegram.press_button(GROUP, listing["message_id"], button, user_id=OUTSIDER)
    forged = fake_telegram.press_button(GROUP, listing["message_id"], data="a:forged", user_id=ADVISER_A)
    await fake_telegram.wait_for(lambda: {outsider, forged} <= set(fake_telegram.callback_answers))
    assert fake_telegram.callback_answers[outsider]["text"] == adviser_group.ADVISERS_ONLY
    assert fake_telegram.callback_answers[forged]["text"] == adviser_buttons.EXPIRED_BUTTON
    assert len(fake_telegram.messages(GROUP)) == 3  # card, refusal, listing: nothing posted
