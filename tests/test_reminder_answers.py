"""The day-before reminder's buttons in the front (fake Bot API, Rasa stub,
real Redis): "J'annule" asks, then cancels and frees the slot; "Je dois
décaler" goes on into Rasa's rescheduling; an answer is recorded and counted
once and told on the case; a press on a reminder whose appointment moved or
was cancelled gets one sentence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import reminder_answers
from bot import reminder_sender as sender
from cnam import clock, handoff, privacy, stats
from cnam.booking import appointments, day_index, outcomes, reservations, wording
from cnam.booking.record import Booking
from tests.adviser_support import GROUP
from tests.calendar_config import NOW, at, make_config
from tests.front_app import Front, buttons

CONFIG = make_config()
SLOT = "adv1|2026-12-03T14:30"
DAY_BEFORE = at("2026-12-03", "14:30") - timedelta(hours=23)


@pytest.fixture(autouse=True)
def _day_before(monkeypatch: pytest.MonkeyPatch, adviser_settings: None) -> None:
    monkeypatch.setattr(sender, "get_advisers", lambda: CONFIG)
    monkeypatch.setattr(clock, "now", lambda: DAY_BEFORE)


async def booked_with_a_case(redis, chat_id: int) -> Booking:  # type: ignore[no-untyped-def]
    await privacy.record_consent(redis, chat_id, privacy.ACCEPTED)
    booking = (await appointments.book(redis, CONFIG, chat_id, SLOT, "site", NOW)).booking
    handoff_id = await handoff.request_handoff(
        redis, chat_id, "profil_complet_rdv", {"prenom": "Zaina"}, [], "jeudi", [], [])
    record = await handoff.find(redis, handoff_id)
    record.card_message_id = 77  # as the consumer leaves it once the card is posted
    await handoff.update(redis, record)
    return booking


async def reminder(front: Front, chat_id: int) -> dict[str, Any]:
    assert await sender.send_due(front.app) == 1
    [message] = front.telegram.messages(chat_id)[-1:]
    return message


def data_of(message: dict[str, Any], title: str) -> str:
    return next(b["callback_data"] for b in buttons(message) if b["text"] == title)


async def test_cancel_from_the_reminder_asks_then_frees_the_slot(redis, front_app: Front) -> None:  # type: ignore[no-untyped-def]
    booking = await booked_with_a_case(redis, 4301)
    sent = await reminder(front_app, 4301)
    assert [b["text"] for b in buttons(sent)] == ["Je confirme", "Je dois décaler", "J'annule"]
    [question] = await front_app.press(4301, sent["message_id"], data_of(sent, "J'annule"))
    assert question["text"] == wording.cancel_question(booking)
    assert await reservations.find_booking(redis, 4301, booking.id) == booking  # until "Oui, annuler"
    [done] = await front_app.press(4301, question["message_id"], data_of(question, "Oui, annuler"))
    assert done["text"] == wording.cancelled(booking)
    assert await reservations.find_booking(redis, 4301, booking.id) is None
    assert not await redis.exists(booking.slot_key)
    assert await day_index.members(redis, booking.start.date()) == []
    assert await outcomes.of(redis, 4301, booking.id) == {"confirmation": "cancelled"}
    told = [m["text"] for m in front_app.telegram.messages(GROUP) if not m["text"].startswith("🔔")]
    assert told == ["❌ Rendez-vous annulé par la personne (jeudi 3 décembre à 14 h 30)."]


async def test_reschedule_goes_on_into_rasa(redis, front_app: Front) -> None:  # type: ignore[no-untyped-def]
    booking = await booked_with_a_case(redis, 4302)
    sent = await reminder(front_app, 4302)
    await front_app.press(4302, sent["message_id"], data_of(sent, "Je dois décaler"))
    assert front_app.rasa.messages(4302) == [reminder_answers.RESCHEDULE_PAYLOAD]
    assert await outcomes.of(redis, 4302, booking.id) == {"confirmation": "reschedule"}
    [told] = [m["text"] for m in front_app.telegram.messages(GROUP) if not m["text"].startswith("🔔")]
    assert told.startswith("🔁 La personne doit décaler son rendez-vous")


async def test_an_answer_counts_once_and_old_reminders_get_one_sentence(redis, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(reminder_answers, "_bot", None)  # no Telegram here: the case is not told
    booking = await booked_with_a_case(redis, 4303)
    confirm = f"confirme {booking.id} {booking.sequence}"
    for _ in range(2):  # a double tap, or two processes
        [answer] = await reminder_answers.answer(4303, confirm)
        assert answer.text == wording.confirmed_by_person(booking)
    periods = await stats.summary(redis, (7,), DAY_BEFORE)
    assert periods[7].counts["confirmed"] == 1

    moved = await appointments.book(redis, CONFIG, 4303, "adv1|2026-12-03T15:00", "site", NOW,
                                    replacing=booking.id)
    assert moved.ok
    [answer] = await reminder_answers.answer(4303, f"annule {booking.id} {booking.sequence}")
    assert answer.text == reminder_answers.MOVED
    await appointments.cancel(redis, 4303, booking.id)
    [answer] = await reminder_answers.answer(4303, f"confirme {booking.id} 1")
    assert answer.text == reminder_answers.GONE
