"""An appointment's outcomes and the once-per-period jobs, on a real Redis:
one answer kept, values checked, the record expiring and found by the
person's erasure pattern, a period claimed by one caller."""

from __future__ import annotations

import pytest

from cnam import once
from cnam.booking import outcomes
from cnam.keys import person_pattern


async def test_first_answer_is_kept_when_asked(redis) -> None:  # type: ignore[no-untyped-def]
    assert await outcomes.put(redis, 41, "b1", "confirmation", "confirmed", only_first=True)
    assert not await outcomes.put(redis, 41, "b1", "confirmation", "cancelled", only_first=True)
    assert await outcomes.put(redis, 41, "b1", "attendance", "no_show")
    assert await outcomes.put(redis, 41, "b1", "attendance", "attended")
    assert await outcomes.of(redis, 41, "b1") == {"confirmation": "confirmed", "attendance": "attended"}
    assert await outcomes.of(redis, 41, "b2") == {}
    assert await redis.ttl(outcomes.outcome_key(41)) > 0


async def test_unknown_names_and_values_are_refused(redis) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        await outcomes.put(redis, 42, "b1", "usefulness", "6")
    with pytest.raises(ValueError):
        await outcomes.put(redis, 42, "b1", "mood", "ok")
    assert not await redis.exists(outcomes.outcome_key(42))


async def test_forget_drops_one_appointment_and_erasure_finds_the_key(redis) -> None:  # type: ignore[no-untyped-def]
    await outcomes.put(redis, 43, "b1", "usefulness", "4")
    await outcomes.put(redis, 43, "b2", "next", "inscription")
    await outcomes.forget(redis, 43, "b1")
    assert await outcomes.of(redis, 43, "b2") == {"next": "inscription"}
    assert outcomes.outcome_key(43) in [k async for k in redis.scan_iter(match=person_pattern(43))]


async def test_a_period_is_claimed_once_and_can_be_given_back(redis) -> None:  # type: ignore[no-untyped-def]
    assert await once.claim(redis, "morning", "2026-12-03")
    assert not await once.claim(redis, "morning", "2026-12-03")
    assert await once.claim(redis, "morning", "2026-12-04")
    await once.release(redis, "morning", "2026-12-03")
    assert await once.claim(redis, "morning", "2026-12-03")
