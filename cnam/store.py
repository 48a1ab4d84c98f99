"""One Redis client per process, built from ``REDIS_URL``.

``rediss://`` URLs give TLS, ``redis://:password@host`` a password: both
are handled by redis-py's ``from_url``.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

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
            # Checked before reuse after 2 s idle: a restarted Redis is noticed
            # before the command (transactions are not retried by redis-py).
            health_check_interval=2,
            # After a Redis restart every pooled connection is stale once:
            # retry on a fresh one instead of failing the user's message.
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            retry_on_error=[redis_errors.ConnectionError, redis_errors.TimeoutError],
        )
    return _client


def set_redis(client: aioredis.Redis | None) -> None:
    """Swap the process client (tests use their own database)."""
    global _client
    _client = client
