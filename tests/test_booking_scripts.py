"""The Lua scripts of cnam/booking/reservations.py on the real Redis: a slot
confirmed twice by its holder, keys declared to Redis, a cancel racing a move."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from cnam.booking import reservations
from tests.calendar_config import NOW, make_config

CONFIG = make_config()
SLOT = "adv1|2026-12-03T14:30"
LATER = "adv1|2026-12-07T10:00"

# Run before a script: a command naming a key the script did not declare in
# KEYS fails, as on Redis Cluster (another node) or under ACL key rules. Every
# command these scripts call names its key first.
DECLARED_ONLY = """
local real = redis
local declared = {}
for _, key in ipairs(KEYS) do declared[key] = true end
local redis = setmetatable({call = function(command, key, ...)
  if key ~= nil and not declared[key] then error('undeclared key ' .. key) end
  return real.call(command, key, ...)
end}, {__index = real})
"""


@pytest.fixture
def declared_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_RESERVE", "_CANCEL"):
        monkeypatch.setattr(reservations, name, DECLARED_ONLY + getattr(reservations, name))


async def test_confirming_ones_own_slot_again_says_it_is_already_theirs(redis) -> None:
    mine = (await reservations.reserve(redis, CONFIG, 701, SLOT, "site", NOW)).booking
    for allow_second in (False, True):
        again = await reservations.reserve(
            redis, CONFIG, 701, SLOT, "site", NOW, allow_second=allow_second
        )
        assert (again.status, again.existing) == ("already", mine)
    assert await reservations.list_bookings(redis, 701) == [mine]
    assert await redis.get(mine.slot_key) == mine.id
    # Someone else pressing it is still told it is taken.
    assert (await reservations.reserve(redis, CONFIG, 702, SLOT, "site", NOW)).status == "taken"


async def test_the_scripts_touch_only_the_keys_they_declare(redis, declared_only) -> None:
    old = (await reservations.reserve(redis, CONFIG, 703, SLOT, "site", NOW)).booking
    moved = (await reservations.reserve(
        redis, CONFIG, 703, LATER, "site", NOW, replacing=old.id
    )).booking
    assert moved is not None and not await redis.exists(old.slot_key)
    assert await reservations.cancel(redis, 703, moved.id) == moved
    assert not await redis.exists(moved.slot_key)
    assert await reservations.cancel(redis, 703, moved.id) is None


async def test_a_cancel_racing_a_move_frees_the_new_slot(
    redis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = (await reservations.reserve(redis, CONFIG, 704, SLOT, "site", NOW)).booking
    read = reservations.find_booking

    async def read_then_move(client, chat_id, booking_id):  # type: ignore[no-untyped-def]
        found = await read(client, chat_id, booking_id)
        monkeypatch.setattr(reservations, "find_booking", read)
        # The person moves it between the cancel's read and its script.
        await reservations.reserve(client, CONFIG, chat_id, LATER, "site", NOW, replacing=booking_id)
        return found

    monkeypatch.setattr(reservations, "find_booking", read_then_move)
    cancelled = await reservations.cancel(redis, 704, old.id)
    assert cancelled is not None and cancelled.slot_id == LATER
    assert await reservations.list_bookings(redis, 704) == []
    free = {s.id for s in await reservations.free_slots(redis, CONFIG, "site", NOW)}
    assert {SLOT, LATER} <= free
