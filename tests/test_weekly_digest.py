"""The weekly digest (bot/weekly_digest.py): due on Monday from 8 h in
Mayotte, posted once by two bot processes racing for it, with the past
week's figures (Monday to Sunday) and the chart; given back when it could
not be posted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import TelegramError

from bot import weekly_digest
from cnam import handoff, stats
from cnam.handoff import HandoffRecord
from tests.adviser_support import GROUP, PERSON, two_bots
from tests.calendar_config import at
from tests.fake_telegram import FakeTelegram

MONDAY_8 = at("2026-12-07", "08:00")


@pytest.fixture
async def bots(fake_telegram: FakeTelegram, adviser_settings: None) -> AsyncIterator[list[Bot]]:
    async with two_bots(fake_telegram) as pair:
        yield pair


async def both(bots: list[Bot], redis, now) -> int:  # type: ignore[no-untyped-def]
    return sum(await asyncio.gather(*(weekly_digest.post_if_due(bot, redis, now) for bot in bots)))


def test_due_on_monday_from_8_mayotte_time() -> None:
    assert weekly_digest.period_of(MONDAY_8) == "2026-12-07"
    assert weekly_digest.period_of(MONDAY_8 + timedelta(hours=10)) == "2026-12-07"
    assert weekly_digest.period_of(MONDAY_8 - timedelta(minutes=1)) is None
    assert weekly_digest.period_of(MONDAY_8 + timedelta(days=1)) is None


async def test_once_across_two_processes_with_the_week_figures(bots, fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    sunday, last_monday = MONDAY_8 - timedelta(days=1), MONDAY_8 - timedelta(days=7)
    await stats.record(redis, "conversation", PERSON, now=last_monday)
    await stats.record(redis, "appointment", PERSON, now=last_monday)
    for event in ("attended", "attended", "attended", "no_show"):
        await stats.record(redis, event, PERSON, now=sunday)
    await stats.record(redis, "followup", PERSON, now=sunday, score=5)
    await stats.record(redis, "followup", PERSON, now=sunday, score=4)
    await stats.record(redis, "confirmed", PERSON, now=sunday)
    await stats.record(redis, "misread", PERSON, now=last_monday)
    await stats.record(redis, "appointment", PERSON, now=MONDAY_8)  # this week: not in it
    await handoff.save(redis, HandoffRecord(chat_id=PERSON, reason="demande_conseiller", status="transmis"))

    assert await both(bots, redis, MONDAY_8 - timedelta(minutes=1)) == 0
    assert await both(bots, redis, MONDAY_8 + timedelta(seconds=5)) == 1
    assert await both(bots, redis, MONDAY_8 + timedelta(hours=2)) == 0
    text, photo = fake_telegram.messages(GROUP)
    assert text["text"].splitlines() == [
        "📊 Bilan de la semaine, du lun. 30 nov. au dim. 6 déc.",
        "Conversations : 1 personne(s)",
        "Profils complets : 0",
        "Rendez-vous pris : 1 (0 annulé(s))",
        "Confirmés la veille : 1",
        "Présence : 3 venu(s), 1 absent(s), 75 % de présence",
        "Suivi : note moyenne 4,5/5 (2 réponse(s))",
        "Dossiers en attente d'un conseiller : 1",
        # One message that week (the conversation), misread.
        "Messages mal compris : 1 sur 1 (100 %)",
    ]
    assert photo["photo"] and photo["caption"] == "Activité de la semaine"
    assert fake_telegram.files[photo["photo"][0]["file_id"]].startswith(b"\x89PNG")


async def test_given_back_when_the_group_refuses(bots, fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    fake_telegram.fail_next("sendMessage", status=500, chat_id=GROUP)
    with pytest.raises(TelegramError):
        await weekly_digest.post_if_due(bots[0], redis, MONDAY_8)
    assert await weekly_digest.post_if_due(bots[0], redis, MONDAY_8 + timedelta(minutes=1))
    assert len(fake_telegram.messages(GROUP)) == 2
