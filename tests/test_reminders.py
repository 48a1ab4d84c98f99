import asyncio
from datetime import timedelta

import redis.asyncio as aioredis

from cnam.booking import appointments, reminders, reservations
from cnam.settings import get_settings
from tests.calendar_config import NOW, at, make_config

CONFIG = make_config()
SLOT = "adv1|2026-12-03T14:30"
START = at("2026-12-03", "14:30")


async def _book(redis, chat_id: int, slot: str = SLOT, **kwargs) -> reservations.Booking:
    result = await appointments.book(redis, CONFIG, chat_id, slot, "site", NOW, **kwargs)
    assert result.ok
    return result.booking


async def test_reminders_are_planned_24h_and_1h_before(redis) -> None:
    mine = await _book(redis, 701)
    scores = dict(await redis.zrange(reminders.reminders_key(), 0, -1, withscores=True))
    assert scores == {
        f"701|{mine.id}|24h": (START - timedelta(hours=24)).timestamp(),
        f"701|{mine.id}|1h": (START - timedelta(hours=1)).timestamp(),
    }


async def test_no_day_before_reminder_right_after_booking(redis) -> None:
    soon = await _book(redis, 702, "adv1|2026-11-30T15:00")  # booked at 9:00 the same day
    members = await redis.zrange(reminders.reminders_key(), 0, -1)
    assert members == [f"702|{soon.id}|1h"]


async def test_nothing_is_due_before_its_time(redis) -> None:
    await _book(redis, 703)
    assert await reminders.claim_due(redis, CONFIG, START - timedelta(hours=24, seconds=1)) == []
    assert await redis.zcard(reminders.reminders_key()) == 2


async def test_due_reminders_survive_a_restart_and_are_sent_once(redis) -> None:
    mine = await _book(redis, 704)
    url = get_settings().redis_url
    # "restart": two new processes, each with its own client, same Redis
    first = aioredis.from_url(url, decode_responses=True)
    second = aioredis.from_url(url, decode_responses=True)
    day_before = START - timedelta(hours=23, minutes=50)
    try:
        got = await asyncio.gather(
            reminders.claim_due(first, CONFIG, day_before),
            reminders.claim_due(second, CONFIG, day_before),
        )
        sent = got[0] + got[1]
        assert [(r.chat_id, r.kind, r.booking.id) for r in sent] == [("704", "24h", mine.id)]
        assert "demain, jeudi 3 décembre, à 14 h 30" in sent[0].text
        assert "(heure de Mayotte)" in sent[0].text and len(sent[0].text) <= 350
        # again later: the day-before one is gone for good, the hour-before one comes once
        hour_before = START - timedelta(minutes=55)
        later = await asyncio.gather(
            reminders.claim_due(first, CONFIG, hour_before),
            reminders.claim_due(second, CONFIG, hour_before),
        )
        assert [(r.kind, r.booking.id) for r in later[0] + later[1]] == [("1h", mine.id)]
        assert "dans moins de 2 heures, à 14 h 30" in (later[0] + later[1])[0].text
        assert await redis.zcard(reminders.reminders_key()) == 0
    finally:
        await first.close()
        await second.close()


async def test_many_due_reminders_split_between_two_consumers(redis) -> None:
    expected = []
    for n, hour in enumerate(["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]):
        mine = await _book(redis, 710 + n, f"adv1|2026-12-08T{hour}")
        # at 7:45 the hour-before reminder is due for 8:00 and 8:30 (and wins over
        # the late day-before one); the others only have their day-before one due
        expected.append((mine.id, "1h" if hour < "09:00" else "24h"))
    now = at("2026-12-08", "07:45")
    got = await asyncio.gather(*(reminders.claim_due(redis, CONFIG, now, limit=2) for _ in range(6)))
    sent = [(r.booking.id, r.kind) for batch in got for r in batch]
    assert sorted(sent) == sorted(expected)  # each exactly once


async def test_cancelled_or_erased_appointments_get_no_reminder(redis) -> None:
    cancelled = await _book(redis, 720)
    await _book(redis, 721, "adv1|2026-12-03T15:00")
    await _book(redis, 722, "adv1|2026-12-03T15:30")
    await appointments.cancel(redis, 720, cancelled.id)
    await appointments.forget_person(redis, 721)
    members = await redis.zrange(reminders.reminders_key(), 0, -1)
    assert all(m.startswith("722|") for m in members)
    # erasure by key pattern only (booking gone, reminders left): dropped when due
    await redis.delete(reservations.bookings_key(722))
    assert await reminders.claim_due(redis, CONFIG, at("2026-12-03", "14:45")) == []
    assert await redis.zcard(reminders.reminders_key()) == 0


async def test_moved_appointment_is_reminded_at_its_new_time(redis) -> None:
    old = await _book(redis, 730)
    await _book(redis, 730, "adv1|2026-12-10T09:00", replacing=old.id)
    assert await reminders.claim_due(redis, CONFIG, START - timedelta(minutes=30)) == []
    due = await reminders.claim_due(redis, CONFIG, at("2026-12-10", "08:05"))
    assert [(r.kind, r.booking.start) for r in due] == [("1h", at("2026-12-10", "09:00"))]


async def test_stale_member_left_by_a_crash_is_dropped(redis) -> None:
    mine = await _book(redis, 731)
    # an old score for this member, as if the move had crashed before re-planning
    await redis.zadd(reminders.reminders_key(), {f"731|{mine.id}|1h": NOW.timestamp()})
    assert await reminders.claim_due(redis, CONFIG, NOW) == []


async def test_day_before_reminder_skipped_when_the_bot_was_down(redis) -> None:
    await _book(redis, 732)
    due = await reminders.claim_due(redis, CONFIG, START - timedelta(minutes=30))
    assert [r.kind for r in due] == ["1h"]


async def test_released_reminder_is_claimed_again(redis) -> None:
    await _book(redis, 733)
    [day_before] = await reminders.claim_due(redis, CONFIG, START - timedelta(hours=23))
    await reminders.release(redis, day_before)
    again = await reminders.claim_due(redis, CONFIG, START - timedelta(hours=22))
    assert [r.member for r in again] == [day_before.member]


async def _put_due(redis, members: list[str], when) -> None:
    await redis.zadd(reminders.reminders_key(), {m: when.timestamp() for m in members})


async def test_unreadable_members_are_parked_and_the_others_still_come(redis) -> None:
    mine = await _book(redis, 740)
    # a booking record that no longer parses, behind a well-formed member
    await redis.hset(reservations.bookings_key(742), "b0rk", '{"id": "b0rk"')
    unreadable = ["garbage", "741|abc|2h", "742|b0rk|1h"]
    day_before = START - timedelta(hours=23)
    await _put_due(redis, unreadable, day_before - timedelta(minutes=5))
    due = await reminders.claim_due(redis, CONFIG, day_before)
    assert [(r.chat_id, r.kind, r.booking.id) for r in due] == [("740", "24h", mine.id)]
    parked = dict(await redis.zrange(reminders.parked_key(), 0, -1, withscores=True))
    assert parked == {m: day_before.timestamp() for m in unreadable}
    assert await redis.zrange(reminders.reminders_key(), 0, -1) == [f"740|{mine.id}|1h"]
    # parked once: a later pass neither sends them nor parks them again
    assert await reminders.claim_due(redis, CONFIG, day_before + timedelta(minutes=1)) == []
    assert await redis.zcard(reminders.parked_key()) == 3


async def test_parked_members_go_with_erasure_and_at_the_retention_age(redis) -> None:
    await _put_due(redis, ["751|x|2h", "752|y|2h"], NOW)
    await reminders.claim_due(redis, CONFIG, NOW)
    await appointments.forget_person(redis, 751)
    assert await redis.zrange(reminders.parked_key(), 0, -1) == ["752|y|2h"]
    retention = timedelta(seconds=get_settings().retention_seconds)
    await reminders.trim_parked(redis, NOW + retention - timedelta(minutes=1))
    assert await redis.zcard(reminders.parked_key()) == 1
    await reminders.trim_parked(redis, NOW + retention + timedelta(minutes=1))
    assert await redis.zcard(reminders.parked_key()) == 0


async def test_member_replanned_after_it_was_read_is_not_taken(redis) -> None:
    mine = await _book(redis, 760)
    member = f"760|{mine.id}|24h"
    read_score = (START - timedelta(hours=24)).timestamp()
    # moved meanwhile: same member, new score (schedule() re-plans this way)
    await redis.zadd(reminders.reminders_key(), {member: read_score + 3600})
    assert await reminders._take(redis, member, read_score) is False
    assert await redis.zscore(reminders.reminders_key(), member) == read_score + 3600
    assert await reminders._take(redis, member, read_score + 3600) is True
