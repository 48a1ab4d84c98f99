import asyncio
from datetime import date, timedelta

import pytest

from cnam.booking import appointments, reservations
from cnam.booking.calendar import parse_slot_id
from cnam.settings import get_settings
from tests.calendar_config import NOW, at, make_config

CONFIG = make_config()
SLOT = "adv1|2026-12-03T14:30"


async def test_reserve_takes_the_slot_and_records_the_booking(redis) -> None:
    result = await reservations.reserve(redis, CONFIG, 501, SLOT, "site", NOW)
    assert result.ok
    held = result.booking
    assert (held.adviser_id, held.mode, held.start) == ("adv1", "site", at("2026-12-03", "14:30"))
    assert held.slot_id == SLOT and held.telephone is None
    assert await redis.get(reservations.slot_key(parse_slot_id(SLOT, CONFIG))) == held.id
    assert await reservations.get_booking(redis, 501, NOW) == held
    free = await reservations.free_slots(redis, CONFIG, "site", NOW, [date(2026, 12, 3)])
    assert SLOT not in {s.id for s in free}
    assert len(free) == 12  # 8 + 5 slots that Thursday, one taken


async def test_keys_expire_after_the_appointment(redis) -> None:
    result = await reservations.reserve(redis, CONFIG, 502, SLOT, "site", NOW)
    until_end = (at("2026-12-03", "15:00") - NOW).total_seconds()
    slot_ttl = await redis.ttl(result.booking.slot_key)
    assert until_end < slot_ttl <= until_end + 86400
    person_ttl = await redis.ttl(reservations.bookings_key(502))
    retention = get_settings().retention_seconds
    assert until_end + retention - 60 < person_ttl <= until_end + retention


async def test_fifty_people_press_the_same_slot(redis) -> None:
    results = await asyncio.gather(*(
        reservations.reserve(redis, CONFIG, 1000 + n, SLOT, "site", NOW) for n in range(50)
    ))
    winners = [r for r in results if r.ok]
    assert len(winners) == 1
    losers = [r for r in results if not r.ok]
    assert {r.status for r in losers} == {"taken"}
    for lost in losers:
        assert lost.alternatives and SLOT not in {s.id for s in lost.alternatives}
        # nearest first: the neighbours of 14:30 that Thursday
        assert lost.alternatives[0].start in {at("2026-12-03", "14:00"), at("2026-12-03", "15:00")}
    assert await redis.get(winners[0].booking.slot_key) == winners[0].booking.id
    owners = [n for n in range(50) if await reservations.get_booking(redis, 1000 + n, NOW)]
    assert len(owners) == 1


async def test_one_upcoming_appointment_unless_a_second_is_confirmed(redis) -> None:
    first = await reservations.reserve(redis, CONFIG, 503, SLOT, "site", NOW)
    again = await reservations.reserve(redis, CONFIG, 503, "adv1|2026-12-08T09:00", "site", NOW)
    assert again.status == "already" and again.existing == first.booking
    assert not await redis.exists(reservations.slot_key(parse_slot_id("adv1|2026-12-08T09:00", CONFIG)))
    second = await reservations.reserve(
        redis, CONFIG, 503, "adv1|2026-12-08T09:00", "site", NOW, allow_second=True
    )
    assert second.ok
    assert [b.id for b in await reservations.upcoming(redis, 503, NOW)] == [
        first.booking.id, second.booking.id
    ]
    # once the first one is over, a new one needs no confirmation
    later = at("2026-12-03", "16:00")
    third = await reservations.reserve(redis, CONFIG, 504, "adv1|2026-12-09T09:00", "site", later)
    assert third.ok


async def test_cancel_frees_the_slot_at_once(redis) -> None:
    mine = (await reservations.reserve(redis, CONFIG, 505, SLOT, "site", NOW)).booking
    assert (await reservations.reserve(redis, CONFIG, 506, SLOT, "site", NOW)).status == "taken"
    cancelled = await reservations.cancel(redis, 505, mine.id)
    assert cancelled == mine
    assert await reservations.get_booking(redis, 505, NOW) is None
    free = await reservations.free_slots(redis, CONFIG, "site", NOW, [date(2026, 12, 3)])
    assert SLOT in {s.id for s in free}
    rebooked = await reservations.reserve(redis, CONFIG, 506, SLOT, "site", NOW)
    assert rebooked.ok
    assert await reservations.cancel(redis, 505, mine.id) is None  # twice: nothing left
    assert await redis.get(rebooked.booking.slot_key) == rebooked.booking.id  # not freed


async def test_reschedule_moves_atomically_and_keeps_the_id(redis) -> None:
    old = (await reservations.reserve(redis, CONFIG, 507, SLOT, "site", NOW)).booking
    moved = await reservations.reserve(
        redis, CONFIG, 507, "adv1|2026-12-07T10:00", "site", NOW, replacing=old.id
    )
    assert moved.ok
    assert moved.booking.id == old.id and moved.booking.sequence == 1
    assert [b.slot_id for b in await reservations.list_bookings(redis, 507)] == ["adv1|2026-12-07T10:00"]
    assert not await redis.exists(old.slot_key)
    assert (await reservations.reserve(redis, CONFIG, 508, SLOT, "site", NOW)).ok


async def test_reschedule_to_a_taken_slot_keeps_the_old_one(redis) -> None:
    old = (await reservations.reserve(redis, CONFIG, 509, SLOT, "site", NOW)).booking
    other = (await reservations.reserve(redis, CONFIG, 510, "adv1|2026-12-07T10:00", "site", NOW)).booking
    moved = await reservations.reserve(
        redis, CONFIG, 509, "adv1|2026-12-07T10:00", "site", NOW, replacing=old.id
    )
    assert moved.status == "taken"
    assert await reservations.get_booking(redis, 509, NOW) == old
    assert await redis.get(old.slot_key) == old.id
    assert await redis.get(other.slot_key) == other.id


@pytest.mark.parametrize(("slot_id", "now", "code"), [
    (SLOT, at("2026-12-03", "15:00"), "past"),  # an old button pressed later
    (SLOT, at("2026-12-03", "13:00"), "too_soon"),
    ("adv1|2026-12-04T09:00", NOW, "closed"),
    ("adv1|2026-12-24T09:00", NOW, "too_far"),
    ("adv2|2026-12-07T14:00", NOW, "mode"),
    ("adv7|2026-12-07T14:00", NOW, "unknown"),
])
async def test_refused_slots_come_with_alternatives(redis, slot_id, now, code) -> None:
    result = await reservations.reserve(redis, CONFIG, 511, slot_id, "site", now)
    assert result.status == "refused" and result.refusal.code == code
    assert await reservations.get_booking(redis, 511, now) is None
    if code != "unknown":
        assert result.alternatives
        assert all(s.start >= now + timedelta(hours=2) for s in result.alternatives)


async def test_phone_booking_needs_a_valid_number(redis) -> None:
    with pytest.raises(ValueError):
        await reservations.reserve(redis, CONFIG, 512, SLOT, "telephone", NOW)
    with pytest.raises(ValueError):
        await reservations.reserve(redis, CONFIG, 512, SLOT, "telephone", NOW, telephone="12")
    ok = await reservations.reserve(redis, CONFIG, 512, SLOT, "telephone", NOW,
                               telephone="0639 12 34 56")
    assert ok.booking.telephone == "+262639123456"


async def test_free_days_skip_full_days(redis) -> None:
    thursday = date(2026, 12, 3)
    for n, slot in enumerate(await reservations.free_slots(redis, CONFIG, "site", NOW, [thursday])):
        assert (await reservations.reserve(redis, CONFIG, 600 + n, slot.id, "site", NOW)).ok
    days = await reservations.free_days(redis, CONFIG, "site", NOW)
    assert thursday not in days
    assert days[:3] == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]


async def test_erasure_frees_slots_and_removes_everything(redis) -> None:
    mine = (await appointments.book(redis, CONFIG, 513, SLOT, "site", NOW)).booking
    assert await appointments.forget_person(redis, 513) == 1
    assert not await redis.exists(reservations.bookings_key(513))
    assert not await redis.exists(mine.slot_key)
    assert (await reservations.reserve(redis, CONFIG, 514, SLOT, "site", NOW)).ok
