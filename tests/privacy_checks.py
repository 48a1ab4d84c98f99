"""Checks on what is stored about one person, shared by the retention tests
(written key by key here, after a whole conversation end to end)."""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis

from cnam.privacy import person_keys
from cnam.settings import get_settings

# Appointments keep their record until RETENTION_DAYS after the appointment,
# which is at most a year ahead (cnam.booking.config: horizon_days ≤ 365).
LONGEST_EXPIRY = timedelta(days=get_settings().retention_days + 366)


async def assert_all_person_keys_expire(redis: aioredis.Redis, chat_id: int | str) -> list[str]:
    """Every key of this person has an expiry, and none beyond LONGEST_EXPIRY
    (a TTL written in milliseconds by mistake would be). Returns the keys."""
    found = await person_keys(redis, chat_id)
    ttls = {key: await redis.ttl(key) for key in found}
    forever = [key for key, ttl in ttls.items() if ttl == -1]  # -2: expired meanwhile
    assert not forever, f"person keys without expiry: {forever}"
    too_long = [key for key, ttl in ttls.items() if ttl > LONGEST_EXPIRY.total_seconds()]
    assert not too_long, f"person keys kept too long: {too_long}"
    return found
