from datetime import datetime, timedelta

import pytest
import redis.asyncio as aioredis

from cnam import stats
from cnam.keys import shared_key
from cnam.settings import get_settings

NOW = datetime(2025, 11, 28, 10, 0, tzinfo=get_settings().tz)


async def _stored_bytes() -> bytes:
    """Every stats key name and value, raw (a HyperLogLog is binary)."""
    raw = aioredis.from_url(get_settings().redis_url)
    dump = b""
    async for key in raw.scan_iter(match=shared_key("stats*", "*")):
        kind = await raw.type(key)
        value = await (raw.hgetall(key) if kind == b"hash" else raw.get(key))
        dump += key + repr(value).encode()
    await raw.close()
    return dump


async def test_summary_counts_windows_and_distinct_people(redis) -> None:
    # Person 1 writes on 3 days (twice today), person 2 today, person 3 twenty days ago.
    for days_ago in (0, 0, 2, 5):
        await stats.record(redis, "conversation", 1, now=NOW - timedelta(days=days_ago))
    await stats.record(redis, "conversation", 2, now=NOW)
    await stats.record(redis, "conversation", 3, now=NOW - timedelta(days=20))
    await stats.record(
        redis, "profile_completed", 1, now=NOW, domaines=["btp", "informatique"], commune="Koungou"
    )
    await stats.record(
        redis, "profile_completed", 3, now=NOW - timedelta(days=20), domaines="btp",
        commune="Kawéni",
    )
    await stats.record(redis, "appointment", 1, now=NOW)
    await stats.record(redis, "handoff", 3, now=NOW - timedelta(days=20))
    await stats.record(redis, "handoff", 2, now=NOW - timedelta(days=40))  # outside both
    await stats.record(redis, "misread", 2, now=NOW)

    periods = await stats.summary(redis, (7, 30), NOW)

    week, month = periods[7], periods[30]
    assert (week.people, month.people) == (2, 3)
    # Every message counts (6 in the month); one of this week's was misread.
    after = {"confirmed": 0, "rescheduled": 0, "attended": 0, "no_show": 0, "followup": 0, "followup_next": 0}
    assert week.counts == {
        "profile_completed": 1, "appointment": 1, "appointment_cancelled": 0, "handoff": 0,
        "misread": 1, "messages": 5, **after,
    }
    assert month.counts == {
        "profile_completed": 2, "appointment": 1, "appointment_cancelled": 0, "handoff": 1,
        "misread": 1, "messages": 6, **after,
    }
    assert "Messages mal compris (7 j) : 1 sur 5 (20 %)." in "\n".join(stats.format_summary(periods))
    assert month.top_domaines == [("btp", 2), ("informatique", 1)]
    # A village is not a commune: counted, but as "autre".
    assert dict(month.top_communes) == {"Koungou": 1, "autre": 1}
    assert week.first_day == NOW.date() - timedelta(days=6)
    assert len(month.daily) == 30 and month.daily[-1].day == NOW.date()
    assert month.daily[-1].people == 2 and month.daily[-3].people == 1
    assert month.daily[-21].handoffs == 1


async def test_no_chat_id_in_clear_and_keys_expire(redis) -> None:
    chat_id = 987654321
    await stats.record(redis, "conversation", chat_id, now=NOW)
    await stats.record(redis, "handoff", chat_id, now=NOW, commune="Sada")
    dump = await _stored_bytes()
    assert b"Sada" in dump  # the dump does hold the stats
    assert str(chat_id).encode() not in dump
    day = NOW.date().isoformat()
    for key in (shared_key("stats", day), shared_key("stats_people", day)):
        assert 390 * 86400 < await redis.ttl(key) <= stats.DAY_TTL


async def test_unknown_event_is_refused(redis) -> None:
    with pytest.raises(ValueError):
        await stats.record(redis, "clicked", 1)


async def test_format_summary_in_french(redis) -> None:
    await stats.record(redis, "conversation", 5, now=NOW)
    await stats.record(redis, "profile_completed", 5, now=NOW, domaines=["sante_social"],
                       commune="Mamoudzou")
    for event in ("confirmed", "confirmed", "rescheduled"):
        await stats.record(redis, event, 5, now=NOW)
    messages = stats.format_summary(await stats.summary(redis, (7, 30), NOW))
    assert all(len(m) <= 350 for m in messages)
    text = "\n".join(messages)
    assert text.splitlines()[0] == "Statistiques au 28/11/2025"
    assert "7 derniers jours : 1 personne, 1 profil complet, 0 rendez-vous (0 annulé), 0 demande" in text
    assert "Santé, social (1)" in text and "Mamoudzou (1)" in text
    assert "Rappels de la veille (30 j) : 2 rendez-vous confirmés, 1 à décaler." in text
