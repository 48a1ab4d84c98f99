"""Cards nobody took are raised again (bot/unclaimed.py): once per delay
across two bot processes, in the case's place, a few times at most."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot

from bot import unclaimed
from cnam import handoff
from cnam.handoff import HandoffRecord
from cnam.settings import get_settings
from tests.adviser_support import GROUP, PERSON, two_bots
from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def bots(fake_telegram: FakeTelegram, adviser_settings: None, monkeypatch) -> AsyncIterator[list[Bot]]:  # type: ignore[no-untyped-def]
    """Two bot processes' clients, raising after 30 minutes."""
    monkeypatch.setattr(get_settings(), "unclaimed_raise_minutes", 30.0)
    async with two_bots(fake_telegram) as pair:
        yield pair


async def posted_card(redis, fake: FakeTelegram, **fields) -> HandoffRecord:  # type: ignore[no-untyped-def]
    card = fake.send_text(GROUP, "la fiche", user_id=1, chat_type="supergroup")
    record = HandoffRecord(
        chat_id=PERSON, reason="demande_conseiller", status="transmis",
        card_message_id=card["message_id"], **fields,
    )
    await handoff.save(redis, record)
    return record


async def both(bots: list[Bot], redis, at) -> int:  # type: ignore[no-untyped-def]
    return sum(await asyncio.gather(*(unclaimed.raise_due(bot, redis, at) for bot in bots)))


async def test_once_per_delay_across_two_processes(bots, fake_telegram, redis) -> None:
    record = await posted_card(redis, fake_telegram)
    start = record.created_at
    assert await both(bots, redis, start + timedelta(minutes=29)) == 0
    assert await both(bots, redis, start + timedelta(minutes=31)) == 1
    [raised] = fake_telegram.messages(GROUP)
    assert raised["text"] == (
        "⏰ Demande en attente depuis 31 min : personne ne l'a encore prise. "
        "Pour : tous les conseillers. Appuyez sur « Je prends » sur la fiche."
    )
    assert raised["reply_to_message"]["message_id"] == record.card_message_id
    assert await both(bots, redis, start + timedelta(minutes=50)) == 0
    assert await both(bots, redis, start + timedelta(minutes=61)) == 1
    # A bot down for hours posts the current round once; three rounds at most.
    assert await both(bots, redis, start + timedelta(hours=10)) == 1
    assert "depuis 10 h 00" in fake_telegram.messages(GROUP)[-1]["text"]
    assert await both(bots, redis, start + timedelta(hours=20)) == 0
    assert len(fake_telegram.messages(GROUP)) == 3


async def test_taken_cases_are_left_alone_and_zero_means_never(bots, fake_telegram, redis, monkeypatch) -> None:
    taken = await posted_card(redis, fake_telegram)
    taken.status = "pris"
    await handoff.update(redis, taken)
    later = taken.created_at + timedelta(hours=1)
    assert await both(bots, redis, later) == 0
    await posted_card(redis, fake_telegram)
    monkeypatch.setattr(get_settings(), "unclaimed_raise_minutes", 0.0)
    assert await both(bots, redis, later) == 0


async def test_in_its_topic_with_the_advisers_it_is_for(bots, fake_telegram, redis, monkeypatch) -> None:
    from tests.test_routing import config

    monkeypatch.setattr(unclaimed, "get_advisers", lambda: config(advisers={1: {"telegram_username": "anli_cnam"}}))
    fake_telegram.make_forum(GROUP)
    topic = await bots[0].create_forum_topic(GROUP, "Demande")
    record = await posted_card(redis, fake_telegram, thread_id=topic.message_thread_id, routed_to=["adv1", "adv2"])
    assert await both(bots, redis, record.created_at + timedelta(minutes=45)) == 1
    [raised] = fake_telegram.topic_messages(GROUP, topic.message_thread_id)
    assert "depuis 45 min" in raised["text"] and "Pour : Zaïnaba, @anli_cnam." in raised["text"]
