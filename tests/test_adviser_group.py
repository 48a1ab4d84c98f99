"""The advisers' group against the fake Bot API: "Je prends", the live relay
both ways, /fin, /stats, who counts as an adviser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from telegram.ext import Application

from bot import adviser_group
from cnam import handoff, privacy, stats
from cnam.settings import get_settings
from tests.adviser_support import ADVISER_A, ADVISER_B, GROUP, OUTSIDER, PERSON, request_handoff
from tests.fake_telegram import FakeTelegram
from tests.front_app import front_settings, polling_front
from tests.rasa_stub import RasaStub


@pytest.fixture
async def group_front(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis,
    adviser_settings: None,
) -> AsyncIterator[Application]:
    """The whole front (its handlers and ours), polling the fake API."""
    await privacy.record_consent(redis, PERSON, privacy.ACCEPTED)
    async with polling_front(front_settings(fake_telegram, rasa_stub)) as application:
        yield application


async def test_claim_relay_both_ways_and_end(group_front, fake_telegram, rasa_stub, redis) -> None:
    handoff_id = await request_handoff(redis)
    [card] = await fake_telegram.wait_for_messages(GROUP, 1)
    card_id = card["message_id"]

    # Someone outside the advisers' group cannot take it.
    refused = fake_telegram.press_button(GROUP, card_id, "Je prends", user_id=OUTSIDER)
    await fake_telegram.wait_for(lambda: refused in fake_telegram.callback_answers)
    assert fake_telegram.callback_answers[refused]["text"] == adviser_group.ADVISERS_ONLY
    assert await handoff.holder(redis, handoff_id) is None

    taken = fake_telegram.press_button(GROUP, card_id, "Je prends", user_id=ADVISER_A)
    [notice] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert notice["text"] == adviser_group.CLAIMED_NOTICE
    await fake_telegram.wait_for(lambda: "reply_markup" not in card)  # edited in place
    assert "✅ Pris en charge par Test à" in card["text"]
    assert fake_telegram.callback_answers[taken]["text"].startswith("C'est à vous")

    # A second press by someone else is refused, and says who has it.
    again = fake_telegram.press_button(
        GROUP, card_id, data=f"claim:{handoff_id}", user_id=ADVISER_B
    )
    await fake_telegram.wait_for(lambda: again in fake_telegram.callback_answers)
    assert fake_telegram.callback_answers[again]["text"] == "Déjà prise par Test."
    assert fake_telegram.callback_answers[again]["show_alert"] is True
    assert (await handoff.holder(redis, handoff_id)).adviser_id == ADVISER_A

    # The person → the card's thread, not Rasa.
    fake_telegram.send_text(PERSON, "j'ai le bac <b>pro</b>")
    [forwarded] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert forwarded["text"] == f"💬 Zaina <3 · {handoff_id}\nj'ai le bac <b>pro</b>"
    assert forwarded["reply_to_message"]["message_id"] == card_id

    # Outsiders' replies stay in the group; an adviser's reply reaches the person.
    fake_telegram.reply_in_group(GROUP, card_id, "pas pour toi", user_id=OUTSIDER)
    fake_telegram.reply_in_group(
        GROUP, forwarded["message_id"], "Très bien, & ensuite ?", user_id=ADVISER_B
    )
    [relayed] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert relayed["text"] == "Conseiller CNAM : Très bien, & ensuite ?"

    fake_telegram.reply_in_group(GROUP, card_id, "/fin", user_id=ADVISER_A)
    [back] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert back["text"] == "Vous reparlez avec l'assistant automatique."
    [done] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert done["text"].startswith("Échange terminé")
    assert "☑️ Échange terminé (Test)." in card["text"]
    assert (await handoff.find(redis, handoff_id)).status == "termine"

    # Back with the assistant: Rasa answers again, and only that message reached it.
    fake_telegram.send_text(PERSON, "merci")
    [answer] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert answer["text"] == "Vous avez dit : merci"
    assert rasa_stub.messages(PERSON) == ["merci"]
    assert len(fake_telegram.messages(PERSON)) == 4


async def test_reply_before_claim_is_not_relayed(group_front, fake_telegram, redis) -> None:
    await request_handoff(redis)
    [card] = await fake_telegram.wait_for_messages(GROUP, 1)
    fake_telegram.reply_in_group(GROUP, card["message_id"], "je regarde", user_id=ADVISER_A)
    [hint] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert hint["text"] == "Appuyez d'abord sur « Je prends » sur la fiche."
    assert fake_telegram.messages(PERSON) == []


async def test_stats_for_advisers_only(group_front, fake_telegram, redis) -> None:
    await stats.record(redis, "conversation", PERSON)
    await stats.record(redis, "profile_completed", PERSON, domaines=["btp"], commune="Sada")
    fake_telegram.send_text(GROUP, "/stats", user_id=OUTSIDER, chat_type="supergroup")
    fake_telegram.send_text(GROUP, "/stats", user_id=ADVISER_B, chat_type="supergroup")
    # The summary in messages of at most 350 characters, then the chart.
    await fake_telegram.wait_for(lambda: any(m.get("photo") for m in fake_telegram.messages(GROUP)), 15)
    *parts, chart = fake_telegram.messages(GROUP)
    summary = "\n".join(m["text"] for m in parts)
    assert all(len(m["text"]) <= 350 for m in parts)
    assert "7 derniers jours : 1 personne, 1 profil complet" in summary
    assert "BTP (1)" in summary and "Sada (1)" in summary
    file_id = chart["photo"][0]["file_id"]
    assert fake_telegram.files[file_id].startswith(b"\x89PNG\r\n\x1a\n")
    assert [m["text"].startswith("Statistiques") for m in parts][:1] == [True]
    assert sum("Statistiques" in m["text"] for m in parts) == 1  # the outsider got nothing


async def test_adviser_ids_and_membership_cache(group_front, fake_telegram, monkeypatch) -> None:
    trusted = 74  # not in the group, but listed in ADVISER_IDS
    monkeypatch.setattr(get_settings(), "adviser_ids", f"1, {trusted}")
    for user in (trusted, ADVISER_A, ADVISER_A):
        fake_telegram.send_text(GROUP, "/stats", user_id=user, chat_type="supergroup")
    await fake_telegram.wait_for_messages(GROUP, 6)
    asked = [int(c["user_id"]) for c in fake_telegram.calls_of("getChatMember")]
    assert asked == [ADVISER_A]  # asked once, then cached; ADVISER_IDS never asked
