"""The advisers' agenda on a real Redis: the per-day index written with a
booking, moved with it, cleared by a cancel and by the person's erasure;
the day read from /agenda's argument; the agenda's text."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot import agenda as agenda_view
from bot import app
from cnam import clock, privacy
from cnam.booking import agenda, appointments, day_index, outcomes, reservations
from cnam.booking.calendar import parse_slot_id
from cnam.handoff import HandoffRecord
from tests.calendar_config import NOW, TZ, make_config

CONFIG = make_config()
THURSDAY = date(2026, 12, 3)
SLOT = "adv1|2026-12-03T14:30"
EARLIER = "adv1|2026-12-03T09:00"
MONDAY_SLOT = "adv1|2026-12-07T10:00"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


async def test_a_booking_is_in_its_days_index_by_start_until_the_day_after(redis) -> None:  # type: ignore[no-untyped-def]
    late = (await appointments.book(redis, CONFIG, 901, SLOT, "site", NOW)).booking
    early = (await appointments.book(redis, CONFIG, 902, EARLIER, "site", NOW)).booking
    key = day_index.day_key(THURSDAY)
    assert await day_index.members(redis, THURSDAY) == [("902", early.id), ("901", late.id)]
    assert await redis.zscore(key, f"901|{late.id}") == late.start.timestamp()
    end_of_day = datetime(2026, 12, 4, tzinfo=TZ)
    until = (end_of_day - NOW).total_seconds()
    assert until < await redis.ttl(key) <= until + 86400
    assert [e.booking for e in await agenda.of_day(redis, THURSDAY)] == [early, late]


async def test_a_move_takes_the_entry_to_the_new_day_and_asks_for_a_new_confirmation(redis) -> None:  # type: ignore[no-untyped-def]
    booking = (await appointments.book(redis, CONFIG, 903, SLOT, "site", NOW)).booking
    await outcomes.put(redis, 903, booking.id, "confirmation", "reschedule")
    moved = await appointments.book(redis, CONFIG, 903, MONDAY_SLOT, "site", NOW, replacing=booking.id)
    assert moved.ok and moved.booking.id == booking.id
    assert await day_index.members(redis, THURSDAY) == []
    assert await day_index.members(redis, date(2026, 12, 7)) == [("903", booking.id)]
    [entry] = await agenda.of_day(redis, date(2026, 12, 7))
    assert entry.outcomes == {} and agenda_view.state(entry) == agenda_view.NOT_CONFIRMED
    # The old slot is free again.
    assert not await redis.exists(reservations.slot_key(parse_slot_id(SLOT, CONFIG)))


async def test_cancel_and_erasure_clear_the_index(redis) -> None:  # type: ignore[no-untyped-def]
    cancelled = (await appointments.book(redis, CONFIG, 904, SLOT, "site", NOW)).booking
    erased = (await appointments.book(redis, CONFIG, 905, EARLIER, "site", NOW)).booking
    kept = (await appointments.book(redis, CONFIG, 906, "adv1|2026-12-03T10:00", "site", NOW)).booking
    await appointments.cancel(redis, 904, cancelled.id)
    await privacy.erase_person(redis, 905, NOW)
    assert await day_index.members(redis, THURSDAY) == [("906", kept.id)]
    assert erased.id not in str(await redis.zrange(day_index.day_key(THURSDAY), 0, -1))


async def test_appointments_booked_before_the_index_are_indexed_at_start(redis) -> None:  # type: ignore[no-untyped-def]
    kept = (await appointments.book(redis, CONFIG, 914, SLOT, "site", NOW)).booking
    other = (await appointments.book(redis, CONFIG, 915, EARLIER, "site", NOW)).booking
    await redis.delete(day_index.day_key(THURSDAY))  # as before the index existed
    assert await day_index.backfill(redis, NOW) == 2
    assert await day_index.members(redis, THURSDAY) == [("915", other.id), ("914", kept.id)]
    assert await redis.ttl(day_index.day_key(THURSDAY)) > 0
    # A second start adds nothing; a past appointment is not indexed again.
    assert await day_index.backfill(redis, NOW) == 0
    await redis.delete(day_index.day_key(THURSDAY))
    assert await day_index.backfill(redis, kept.end + timedelta(minutes=1)) == 0


async def test_the_bot_indexes_earlier_bookings_once_per_deployment(redis, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "now", lambda: NOW)
    booking = (await appointments.book(redis, CONFIG, 916, SLOT, "site", NOW)).booking
    await redis.delete(day_index.day_key(THURSDAY))
    await app.index_earlier_bookings()
    assert await day_index.members(redis, THURSDAY) == [("916", booking.id)]
    await redis.delete(day_index.day_key(THURSDAY))
    await app.index_earlier_bookings()  # a restart: not scanned again
    assert await day_index.members(redis, THURSDAY) == []


async def test_an_entry_whose_booking_is_gone_is_skipped(redis) -> None:  # type: ignore[no-untyped-def]
    booking = (await appointments.book(redis, CONFIG, 907, SLOT, "site", NOW)).booking
    await redis.delete(reservations.bookings_key(907))  # the person's hash expired
    assert await day_index.members(redis, THURSDAY) == [("907", booking.id)]
    assert await agenda.of_day(redis, THURSDAY) == []


@pytest.mark.parametrize(("typed", "day"), [
    ("", date(2026, 11, 30)),
    ("demain", date(2026, 12, 1)),
    ("dem1", date(2026, 12, 1)),
    ("lundi", date(2026, 12, 7)),  # NOW is a Monday: the next one
    ("jeudi", date(2026, 12, 3)),
    ("12/12", date(2026, 12, 12)),
    ("2/1", date(2027, 1, 2)),
    ("après-demain", date(2026, 12, 2)),
])
def test_the_day_asked(typed: str, day: date) -> None:
    assert agenda.asked_day(typed, NOW) == day


def test_an_unreadable_day_is_none() -> None:
    assert agenda.asked_day("blabla", NOW) is None


async def test_the_text_by_adviser_and_time_with_the_state(redis) -> None:  # type: ignore[no-untyped-def]
    first = (await appointments.book(redis, CONFIG, 908, EARLIER, "site", NOW)).booking
    second = (await appointments.book(redis, CONFIG, 909, SLOT, "site", NOW)).booking
    await outcomes.put(redis, 908, first.id, "confirmation", "confirmed")
    await outcomes.put(redis, 909, second.id, "attendance", "no_show")
    [one, two] = await agenda.of_day(redis, THURSDAY)
    case = HandoffRecord(handoff_id="h1", chat_id="908", created_at=NOW, reason="profil_complet_rdv",
                         prenom="Nadia", sujet="vae", card_message_id=5)
    text = agenda_view.render(THURSDAY, [(one, case), (two, None)])
    assert text.splitlines() == [
        "📅 Agenda du jeudi 3 décembre : 2 rendez-vous",
        "Zaïnaba :",
        "• 9 h · Nadia · sur place · Question VAE · ✅ confirmé",
        "• 14 h 30 · Sans prénom · sur place · sujet non précisé · absent(e)",
    ]
    assert agenda_view.entry_buttons(one, case, NOW) == [("Ouvrir : Nadia · 9 h", "open:h1")]
    assert agenda_view.entry_buttons(two, None, NOW) == []
    # Once over and not marked: Venu(e) / Absent(e) beside "Ouvrir"; once marked, "Ouvrir" alone.
    after = one.booking.end + timedelta(minutes=1)
    assert agenda_view.entry_buttons(one, case, after) == [
        ("Ouvrir : Nadia · 9 h", "open:h1"),
        ("Venu(e) : Nadia · 9 h", f"presence:h1:{one.booking.id}:attended"),
        ("Absent(e) : Nadia · 9 h", f"presence:h1:{one.booking.id}:no_show"),
    ]
    assert agenda_view.entry_buttons(two, case, two.booking.end + timedelta(minutes=1)) == [
        ("Ouvrir : Nadia · 14 h 30", "open:h1"),
    ]
    later = NOW + timedelta(days=1)
    assert agenda_view.render(later.date(), []) == "📅 Aucun rendez-vous le mardi 1er décembre."
