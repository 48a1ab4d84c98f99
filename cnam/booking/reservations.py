"""Appointment reservations in Redis.

Two kinds of keys:

- ``shared_key("slot", adviser_id, "2026-12-03T14:30")`` holds the id of the
  booking that took the slot. It carries no personal data and expires a day
  after the slot ends: past slots need no guard, so the keyspace trims itself.
- ``person_key("booking", chat_id)`` is a hash ``booking id -> JSON record``
  (upcoming and past appointments of that person), expiring ``RETENTION_DAYS``
  after the end of their latest appointment.

The day's index of the advisers' agenda (``cnam/booking/day_index.py``) is
written, moved and cleared by the same scripts.

Taking a slot is one Lua script (check the slot, check the person's other
appointments, write the keys), so a slot is never given twice, even when
many people press the same button at the same moment. Moving an appointment
is the same script, which also frees the old slot: there is no moment where
the person holds neither or both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import redis.asyncio as aioredis

from cnam.booking import day_index
from cnam.booking.calendar import (
    Refusal,
    Slot,
    Window,
    nearest,
    open_slots,
    parse_slot_id,
    slot_refusal,
)
from cnam.booking.config import AdvisersConfig
from cnam.booking.phone import normalize_phone
from cnam.booking.record import Booking
from cnam.keys import person_key, shared_key
from cnam.settings import get_settings

ALTERNATIVES = 4
# A slot key outlives its slot by a day: a late "cancel" still finds it.
SLOT_KEY_GRACE = timedelta(days=1)


@dataclass
class ReserveResult:
    """``ok``: ``booking`` is yours. ``taken``: someone was faster.
    ``refused``: the calendar forbids it (``refusal`` says why). ``already``:
    the person already holds this very slot, or has an upcoming appointment
    and did not ask for a second one (``existing``: that appointment).
    ``alternatives``: the nearest free slots otherwise."""

    status: Literal["ok", "taken", "refused", "already"]
    booking: Booking | None = None
    refusal: Refusal | None = None
    existing: Booking | None = None
    alternatives: list[Slot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# KEYS: slot, person hash, day index[, old slot, old day index]. ARGV: booking
# id, record, slot ttl, person ttl, now (epoch s), allow a second appointment
# (1/0), id replaced, index member, start (epoch s), index ttl.
_RESERVE = """
local id, replacing = ARGV[1], ARGV[7]
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= replacing then
  -- Confirmed twice (a button pressed again): the slot is already theirs.
  if redis.call('HEXISTS', KEYS[2], holder) == 1 then
    return {'already', holder}
  end
  return {'taken', holder}
end
if replacing == '' and ARGV[6] ~= '1' then
  for _, raw in ipairs(redis.call('HVALS', KEYS[2])) do
    local rec = cjson.decode(raw)
    if tonumber(rec['end_ts']) > tonumber(ARGV[5]) then
      return {'already', rec['id']}
    end
  end
end
if replacing ~= '' then
  if KEYS[4] and redis.call('GET', KEYS[4]) == replacing then
    redis.call('DEL', KEYS[4])
  end
  if KEYS[5] then redis.call('ZREM', KEYS[5], ARGV[8]) end
  redis.call('HDEL', KEYS[2], replacing)
end
redis.call('SET', KEYS[1], id, 'EX', ARGV[3])
redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[9], ARGV[8])
redis.call('EXPIRE', KEYS[3], ARGV[10])
if redis.call('TTL', KEYS[2]) < tonumber(ARGV[4]) then
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return {'ok', id}
"""

# KEYS: person hash, the slot key read from the record (declared: Redis Cluster
# and ACL key rules allow only those), its day index. ARGV: booking id, index
# member. Frees the slot only if still this booking's; "moved" if the record
# names another slot by now.
_CANCEL = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
if cjson.decode(raw)['slot_key'] ~= KEYS[2] then return 'moved' end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
return raw
"""


def slot_key(slot: Slot) -> str:
    return shared_key("slot", slot.adviser_id, slot.id.partition("|")[2])


def bookings_key(chat_id: str | int) -> str:
    return person_key("booking", chat_id)


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()))


async def taken_ids(redis: aioredis.Redis, slots: list[Slot]) -> set[str]:
    """Ids of the slots in ``slots`` that someone holds."""
    if not slots:
        return set()
    holders = await redis.mget([slot_key(s) for s in slots])
    return {s.id for s, holder in zip(slots, holders, strict=True) if holder}


async def free_slots(
    redis: aioredis.Redis,
    config: AdvisersConfig,
    mode: str,
    now: datetime,
    days: list[date] | None = None,
) -> list[Slot]:
    """Slots that are open in the calendar and held by nobody, in time order."""
    slots = open_slots(config, mode, now, days)
    taken = await taken_ids(redis, slots)
    return [s for s in slots if s.id not in taken]


async def free_days(
    redis: aioredis.Redis, config: AdvisersConfig, mode: str, now: datetime
) -> list[date]:
    """Days with at least one free slot in ``mode``, in order."""
    return list(dict.fromkeys(s.day for s in await free_slots(redis, config, mode, now)))


async def alternatives(
    redis: aioredis.Redis,
    config: AdvisersConfig,
    mode: str,
    now: datetime,
    window: Window,
    limit: int = ALTERNATIVES,
) -> list[Slot]:
    """The free slots nearest to ``window``, one per time."""
    return nearest(await free_slots(redis, config, mode, now), window, limit)


async def list_bookings(redis: aioredis.Redis, chat_id: str | int) -> list[Booking]:
    records = await redis.hvals(bookings_key(chat_id))
    return sorted((Booking.from_json(r) for r in records), key=lambda b: b.start)


async def upcoming(redis: aioredis.Redis, chat_id: str | int, now: datetime) -> list[Booking]:
    """Appointments not yet over, soonest first."""
    return [b for b in await list_bookings(redis, chat_id) if b.end > now]


async def get_booking(redis: aioredis.Redis, chat_id: str | int, now: datetime) -> Booking | None:
    """The person's next appointment, if any."""
    bookings = await upcoming(redis, chat_id, now)
    return bookings[0] if bookings else None


async def find_booking(
    redis: aioredis.Redis, chat_id: str | int, booking_id: str
) -> Booking | None:
    raw = await redis.hget(bookings_key(chat_id), booking_id)
    return Booking.from_json(raw) if raw else None


async def reserve(
    redis: aioredis.Redis,
    config: AdvisersConfig,
    chat_id: str | int,
    slot_id: str,
    mode: str,
    now: datetime,
    *,
    telephone: str | None = None,
    allow_second: bool = False,
    replacing: str | None = None,
) -> ReserveResult:
    """Take ``slot_id`` for ``chat_id``, atomically.

    ``replacing``: id of the person's appointment that this one moves; it is
    released in the same script and its id is kept (so the calendar entry
    on the phone is updated, not duplicated). If it no longer exists, this is
    a plain new appointment.
    """
    if mode == "telephone":
        telephone = normalize_phone(telephone or "")
        if telephone is None:
            raise ValueError("a phone appointment needs a valid phone number")
    try:
        slot = parse_slot_id(slot_id, config)
    except ValueError:
        return ReserveResult("refused", refusal=Refusal("unknown"))
    adviser = config.adviser(slot.adviser_id)
    around = Window(slot.start, slot.start)
    refusal = slot_refusal(config, slot, mode, now)
    if refusal or adviser is None:
        return ReserveResult(
            "refused", refusal=refusal,
            alternatives=await alternatives(redis, config, mode, now, around),
        )

    old = await find_booking(redis, chat_id, replacing) if replacing else None
    booking = Booking(
        id=old.id if old else secrets.token_hex(5),
        chat_id=str(chat_id),
        adviser_id=adviser.id,
        adviser_name=adviser.first_name,
        mode=mode,
        start=slot.start,
        end=slot.end,
        telephone=telephone if mode == "telephone" else None,
        sequence=old.sequence + 1 if old else 0,
        slot_key=slot_key(slot),
    )
    keys = [booking.slot_key, bookings_key(chat_id), day_index.booking_day_key(booking)]
    keys += [old.slot_key, day_index.booking_day_key(old)] if old else []
    status, holder = await redis.eval(
        _RESERVE, len(keys), *keys,
        booking.id,
        booking.to_json(),
        _seconds(slot.end - now + SLOT_KEY_GRACE),
        _seconds(slot.end - now) + get_settings().retention_seconds,
        int(now.timestamp()),
        "1" if allow_second or old else "0",
        old.id if old else "",
        day_index.member(chat_id, booking.id),
        int(booking.start.timestamp()),
        day_index.ttl(booking, now),
    )
    if status == "ok":
        return ReserveResult("ok", booking=booking)
    if status == "already":
        return ReserveResult("already", existing=await find_booking(redis, chat_id, holder))
    return ReserveResult(
        "taken", alternatives=await alternatives(redis, config, mode, now, around)
    )


async def cancel(redis: aioredis.Redis, chat_id: str | int, booking_id: str) -> Booking | None:
    """Remove the appointment and free its slot at once; None if it did not exist."""
    while True:
        booking = await find_booking(redis, chat_id, booking_id)
        if booking is None:
            return None
        raw = await redis.eval(_CANCEL, 3, bookings_key(chat_id), booking.slot_key,
                               day_index.booking_day_key(booking), booking_id,
                               day_index.member(chat_id, booking_id))
        if raw != "moved":  # else it moved since read: read it again
            return Booking.from_json(raw) if raw else None


async def forget_person(redis: aioredis.Redis, chat_id: str | int) -> int:
    """Erasure: free every slot the person holds and delete their bookings."""
    bookings = await list_bookings(redis, chat_id)
    for booking in bookings:
        await cancel(redis, chat_id, booking.id)
    await redis.delete(bookings_key(chat_id))
    return len(bookings)
