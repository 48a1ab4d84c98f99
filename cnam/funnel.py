"""What each campaign link brings: started → consent → profile → booked → attended.

Counters are anonymous, one shared hash per day (Mayotte time),
``<prefix>:funnel:<YYYY-MM-DD>``, fields ``c:<code>:<stage>`` (per campaign)
and ``m:<commune>:<stage>`` (per commune of the campaign, ``-`` when it has
none); they expire after ~400 days, like ``cnam/stats.py``'s.

- ``started``: someone opened the link (``/start <code>``), whatever they
  decide next: a refuser or a minor is only ever counted here;
- the later stages are counted for people who agreed, through their tag,
  ``person_key("campaign", chat_id)``: a hash with the code, the campaign's
  commune and the day each stage was reached. Each stage counts a person
  once; the tag expires with their other data, erasure and export find it.
  ``consent`` is counted when the tag is written; ``profile``, ``booked`` and
  ``attended`` when ``cnam/stats.py`` records the matching event for them.

Someone who turns out to be under 16, or withdraws their consent, is taken
out again (``withdraw``): only their ``started`` stays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import redis.asyncio as aioredis

from cnam import clock
from cnam.campaigns import Campaign
from cnam.keys import person_key, shared_key
from cnam.settings import get_settings

STAGES = ("started", "consent", "profile", "booked", "attended")
# The stats event (cnam/stats.py) that moves a tagged person to a stage.
# "attended" counts once cnam/stats.py has the event (advisers mark attendance).
STAGE_OF_EVENT = {"profile_completed": "profile", "appointment": "booked", "attended": "attended"}
DAY_TTL = 400 * 24 * 3600  # as cnam/stats.py: a year, and the same month a year before
NO_COMMUNE = "-"
TAG = "campaign"

# KEYS: the tag. ARGV: stage, day, ttl. The stage's day is written once, on an
# existing tag only (an erased person is not brought back); returns the code
# and commune to count, or nothing when there is nothing to count.
_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return false end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {redis.call('HGET', KEYS[1], 'code'), redis.call('HGET', KEYS[1], 'commune') or ''}
"""
# KEYS: the tag. ARGV: code, commune, day, ttl. The first campaign stays.
_TAG = """
if redis.call('HSETNX', KEYS[1], 'code', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'commune', ARGV[2], 'consent', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


def _day(now: datetime | None) -> date:
    return (now or clock.now()).astimezone(get_settings().tz).date()


def _day_key(day: date | str) -> str:
    return shared_key("funnel", str(day))


def tag_key(chat_id: int | str) -> str:
    return person_key(TAG, chat_id)


async def _count(
    redis: aioredis.Redis, day: date | str, code: str, commune: str, stage: str, by: int = 1
) -> None:
    key = _day_key(day)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hincrby(key, f"c:{code}:{stage}", by)
        pipe.hincrby(key, f"m:{commune or NO_COMMUNE}:{stage}", by)
        pipe.expire(key, DAY_TTL)
        await pipe.execute()


async def started(redis: aioredis.Redis, campaign: Campaign, now: datetime | None = None) -> None:
    """Someone opened the campaign's link: an anonymous count, nothing about them."""
    await _count(redis, _day(now), campaign.code, campaign.commune or "", "started")


async def tag(
    redis: aioredis.Redis, chat_id: int | str, campaign: Campaign, now: datetime | None = None
) -> bool:
    """Tag someone who agreed with the campaign they came by, and count their
    consent. False (nothing counted) when they already came by a campaign."""
    day = _day(now)
    commune = campaign.commune or ""
    written = await redis.eval(
        _TAG, 1, tag_key(chat_id), campaign.code, commune, day.isoformat(),
        get_settings().retention_seconds,
    )
    if written:
        await _count(redis, day, campaign.code, commune, "consent")
    return bool(written)


async def advance(redis: aioredis.Redis, event: str, chat_id: int | str, now: datetime | None = None) -> None:
    """A stats event for this person: the matching stage, if they are tagged and new to it."""
    stage = STAGE_OF_EVENT.get(event)
    if stage is None:
        return
    day = _day(now)
    found = await redis.eval(
        _ADVANCE, 1, tag_key(chat_id), stage, day.isoformat(), get_settings().retention_seconds
    )
    if found:
        code, commune = found
        await _count(redis, day, code, commune, stage)


async def withdraw(redis: aioredis.Redis, chat_id: int | str) -> None:
    """Take back every stage after ``started`` of this person (a minor, a
    withdrawn consent), on the day it was counted, and drop their tag."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(tag_key(chat_id))
        pipe.delete(tag_key(chat_id))
        found, _ = await pipe.execute()
    if not found.get("code"):
        return
    for stage in STAGES[1:]:
        if stage in found:
            await _count(redis, found[stage], found["code"], found["commune"], stage, by=-1)


@dataclass
class Funnel:
    first_day: date
    last_day: date
    by_campaign: dict[str, dict[str, int]] = field(default_factory=dict)
    by_commune: dict[str, dict[str, int]] = field(default_factory=dict)


async def totals(redis: aioredis.Redis, first_day: date, last_day: date) -> Funnel:
    """The stages reached from ``first_day`` to ``last_day`` (both included)."""
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    async with redis.pipeline(transaction=False) as pipe:
        for day in days:
            pipe.hgetall(_day_key(day))
        hashes = await pipe.execute()
    tables: dict[str, defaultdict[str, dict[str, int]]] = {
        "c": defaultdict(lambda: dict.fromkeys(STAGES, 0)),
        "m": defaultdict(lambda: dict.fromkeys(STAGES, 0)),
    }
    for counters in hashes:
        for name, value in counters.items():
            level, _, rest = name.partition(":")
            what, _, stage = rest.rpartition(":")
            if level in tables and stage in STAGES:
                tables[level][what][stage] += int(value)
    return Funnel(first_day, last_day, dict(tables["c"]), dict(tables["m"]))


async def last_days(redis: aioredis.Redis, days: int, now: datetime | None = None) -> Funnel:
    today = _day(now)
    return await totals(redis, today - timedelta(days=days - 1), today)
