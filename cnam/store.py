"""One Redis client per process, built from ``REDIS_URL``.

``rediss://`` URLs give TLS, ``redis://:password@host`` a password: both
are handled by redis-py's ``from_url``.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from cnam.settings import get_settings

_client: aioredis.Redis | None = None


def get_redis() -> aioredis.Redis:
    global _client
    if _client is None:
        _client = aioredis.from_url(
            get_settings().redis_url,
            decode_responses=True,
            socket_timeout=5,
            socket_connect_timeout=5,
            health_check_interval=30,
        )
    return _client


def set_redis(client: aioredis.Redis | None) -> None:
    """Swap the process client (tests use their own database)."""
    global _client
    _client = client
