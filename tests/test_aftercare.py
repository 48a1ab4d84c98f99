"""After an appointment (bot/aftercare_sender.py, bot/attendance.py,
bot/followup.py) on a real Redis and the fake Bot API: the attendance
question posted once across two bot processes, a changed mark moving its
count, one rebooking offer, the follow-up kept from refusers and minors,
and every planned step gone with a cancellation or an erasure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot

from bot import aftercare_sender, attendance, followup
from cnam import handoff, privacy, stats
from cnam.booking import aftercare, appointments, outcomes
from cnam.booking.reservations import Booking
from cnam.handoff import HandoffRecord
from cnam.settings import get_settings
from tests.adviser_support import ADVISER_A, GROUP, PERSON, two_bots
from tests.calendar_config import NOW, make_config
from tests.fake_telegram import FakeTelegram
from tests.front_app import buttons

CONFIG = make_config()


@pytest.fixture
async def bots(fake_telegram: FakeTelegram, adviser_settings: None) -> AsyncIterator[list[Bot]]:
    """Two bot processes' clients."""
    async with two_bots(fake_telegram) as pair:
        yield pair


async def booked(redis, fake: FakeTelegram, chat_id: int = PERSON, at: str = "10:00", **profile) -> Booking:  # type: ignore[no-untyped-def]
    """An appointment of someone who agreed, and its case's card in the group."""
    await privacy.record_consent(redis, chat_id, privacy.ACCEPTED)
    result = await appointments.book(redis, CONFIG, chat_id, f"adv1|2026-12-01T{at}", "site", NOW)
    assert result.booking is not None
    card = fake.send_text(GROUP, "la fiche", user_id=1, chat_type="supergroup")
    await handoff.save(redis, HandoffRecord(
        chat_id=chat_id, reason="profil_complet_rdv", status="transmis", prenom="Nadia",
        card_message_id=card["message_id"], **profile,
    ))
    return result.booking


async def both(bots: list[Bot], redis, at) -> int:  # type: ignore[no-untyped-def]
    return sum(await asyncio.gather(*(aftercare_sender.send_due(bot, redis, at) for bot in bots)))


async def test_the_question_comes_once_after_the_end(bots, fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    booking = await booked(redis, fake_telegram)
    [record] = await handoff.records_of(redis, PERSON)
    assert await both(bots, redis, booking.end - timedelta(minutes=1)) == 0
    assert await both(bots, redis, booking.end + timedelta(minutes=1)) == 1
    assert await both(bots, redis, booking.end + timedelta(hours=1)) == 0
    [asked] = fake_telegram.messages(GROUP)
    assert asked["text"] == (
        "🗓 Rendez-vous passé : Nadia, mardi 1er décembre à 10 h, sur place au CNAM, avec Zaïnaba. "
        "La personne est-elle venue ?"
    )
    assert asked["reply_to_message"]["message_id"] == record.card_message_id
    assert [b["text"] for b in buttons(asked)] == ["Venu(e)", "Absent(e)"]
    assert all(b["callback_data"].startswith("a:") for b in buttons(asked))


async def test_a_changed_mark_moves_its_count_and_the_offer_goes_once(bots, fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    booking = await booked(redis, fake_telegram)
    bot, later = bots[0], booking.end + timedelta(hours=2)

    async def counts() -> tuple[int, int]:
        week = (await stats.summary(redis, (7,), booking.start))[7].counts
        return week["attended"], week["no_show"]

    assert await attendance.mark(bot, redis, booking, "no_show", ADVISER_A, later)
    assert not await attendance.mark(bot, redis, booking, "no_show", ADVISER_A, later)
    assert await counts() == (0, 1)
    [offer] = fake_telegram.messages(PERSON)
    assert offer["text"].startswith("Vous n'avez pas pu venir à votre rendez-vous du mardi 1er décembre à 10 h.")
    assert [b["text"] for b in buttons(offer)] == [attendance.REBOOK, "Non merci"]

    assert await attendance.mark(bot, redis, booking, "attended", ADVISER_A, later)
    assert await counts() == (1, 0)
    due = booking.end + timedelta(days=7)
    assert await redis.zscore(aftercare.aftercare_key(), f"{PERSON}|{booking.id}|followup") == due.timestamp()
    assert await attendance.mark(bot, redis, booking, "no_show", ADVISER_A, later)
    assert await counts() == (0, 1)
    assert await redis.zscore(aftercare.aftercare_key(), f"{PERSON}|{booking.id}|followup") is None
    assert len(fake_telegram.messages(PERSON)) == 1  # still the one offer
    assert await outcomes.of(redis, PERSON, booking.id) == {"attendance": "no_show", "attendance_by": str(ADVISER_A)}


async def test_no_followup_for_a_refuser_or_a_minor(bots, fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    adult, minor = PERSON, PERSON + 1
    adult_booking = await booked(redis, fake_telegram, adult)
    minor_booking = await booked(redis, fake_telegram, minor, "11:00", tranche_age="16_17")
    for booking in (adult_booking, minor_booking):
        await outcomes.put(redis, booking.chat_id, booking.id, "attendance", "attended")
    bot = bots[0]
    assert not await followup.send(bot, redis, str(minor), minor_booking.id)
    await privacy.record_consent(redis, adult, privacy.REFUSED)
    assert not await followup.send(bot, redis, str(adult), adult_booking.id)
    await privacy.record_consent(redis, adult, privacy.ACCEPTED)
    assert await followup.send(bot, redis, str(adult), adult_booking.id)
    assert not await followup.send(bot, redis, str(adult), adult_booking.id)
    [asked] = fake_telegram.messages(adult)
    assert [b["text"] for b in buttons(asked)] == ["1", "2", "3", "4", "5", "Je préfère ne pas répondre"]
    assert fake_telegram.messages(minor) == []


async def test_answers_are_kept_once_counted_and_told(bots, fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    booking = await booked(redis, fake_telegram)
    await outcomes.put(redis, PERSON, booking.id, "attendance", "attended")
    followup.bind(bots[0])
    [next_question] = await followup.answer(PERSON, f"{booking.id} note 4")
    assert [title for title, _ in next_question.buttons][:4] == list(followup.NEXT.values())
    assert await followup.answer(PERSON, f"{booking.id} note 2") == [followup.ALREADY]
    assert await followup.answer(PERSON, f"{booking.id} suite aide") == [followup.HELP_NEXT]
    assert await outcomes.of(redis, PERSON, booking.id) == {
        "attendance": "attended", "usefulness": "4", "next": "aide",
    }
    week = (await stats.summary(redis, (7,)))[7]
    assert (week.counts["followup"], week.average_score, week.next_steps) == (1, 4.0, [("aide", 1)])
    told = [m["text"] for m in fake_telegram.messages(GROUP)]
    assert told == [
        "⭐ Suivi : rendez-vous jugé utile à 4/5 (pour : Nadia)",
        "➡️ Suivi : la personne a besoin d'aide (pour : Nadia)",
    ]


async def test_cancel_and_erasure_take_the_steps_away(fake_telegram, redis) -> None:  # type: ignore[no-untyped-def]
    cancelled = await booked(redis, fake_telegram)
    await appointments.cancel(redis, PERSON, cancelled.id)
    assert await redis.zcard(aftercare.aftercare_key()) == 0
    kept = await booked(redis, fake_telegram, PERSON + 2, "11:00")
    await aftercare.plan(redis, kept.chat_id, kept.id, aftercare.FOLLOWUP, kept.end + timedelta(days=7))
    await aftercare.first_time(redis, kept.chat_id, kept.id, "rebook")
    await privacy.erase_person(redis, kept.chat_id, NOW)
    assert await redis.zcard(aftercare.aftercare_key()) == 0
    assert not await redis.exists(aftercare.marks_key(kept.chat_id))


async def test_off_means_not_asked_and_nothing_left(bots, fake_telegram, redis, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "attendance_check", False)
    booking = await booked(redis, fake_telegram)
    assert await both(bots, redis, booking.end + timedelta(minutes=1)) == 1
    assert fake_telegram.messages(GROUP) == []
    assert await redis.zcard(aftercare.aftercare_key()) == 0
