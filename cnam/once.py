"""Jobs that must run once per period whatever the number of bot processes
(the morning agenda each day, the weekly digest each Monday).

The first process to claim ``<prefix>:once:<job>:<period>`` runs the job;
the key expires after ``ttl`` seconds, well after the period is over.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from cnam.keys import shared_key


async def claim(redis: aioredis.Redis, job: str, period: str, ttl: int = 8 * 24 * 3600) -> bool:
    """True for exactly one caller per ``(job, period)``."""
    return bool(await redis.set(shared_key("once", job, period), "1", nx=True, ex=ttl))


async def release(redis: aioredis.Redis, job: str, period: str) -> None:
    """Give the period back after a failed run, so another pass retries it."""
    await redis.delete(shared_key("once", job, period))
