"""Rasa's Redis tracker and lock stores, configured from ``REDIS_URL``.

Rasa's own Redis stores take host/port/db/password as separate YAML values
and its ``${VAR}`` substitution yields strings (an expiry must be an int),
so these subclasses read the project's settings instead: one ``REDIS_URL``
(password and ``rediss://`` TLS included), one prefix, one retention.
After each save, the turn's user message may go to the advisers' review
(``rasa_ext/review_collector.py``).
"""

from __future__ import annotations

from typing import Any

import redis
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore, TicketLock
from rasa.core.tracker_store import RedisTrackerStore
from rasa.utils.endpoints import EndpointConfig
from redis import exceptions as redis_errors
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from cnam.privacy import ANONYMOUS_SENDER_PREFIX, ANONYMOUS_TRACKER_SECONDS
from cnam.settings import get_settings
from rasa_ext import review_collector


def _client(decode_responses: bool) -> redis.StrictRedis:
    return redis.StrictRedis.from_url(
        get_settings().redis_url, decode_responses=decode_responses, socket_timeout=5,
        # Checked before reuse after 2 s idle, as cnam/store.py: a restarted Redis is seen first.
        health_check_interval=2,
        # A restarted Redis leaves stale pooled connections: retry on a fresh one.
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        retry_on_error=[redis_errors.ConnectionError, redis_errors.TimeoutError],
    )


class UrlRedisTrackerStore(RedisTrackerStore):
    """Tracker under ``<prefix>:tracker:<chat_id>``, expiring after the retention."""

    def __init__(self, domain: Any, host: str | None = None, **kwargs: Any) -> None:
        settings = get_settings()
        kwargs.pop("key_prefix", None)
        kwargs.pop("record_exp", None)
        super().__init__(
            domain,
            key_prefix=settings.redis_prefix,
            record_exp=settings.retention_seconds,
            **kwargs,
        )
        self.red = _client(decode_responses=True)

    async def save(self, tracker: Any, timeout: float | None = None) -> None:  # noqa: ASYNC109 (Rasa's signature)
        if tracker.sender_id.startswith(ANONYMOUS_SENDER_PREFIX):
            # Someone who may not be kept: the front deletes it after the turn,
            # and it goes by itself if Rasa answers after the front gave up.
            timeout = ANONYMOUS_TRACKER_SECONDS
        await super().save(tracker, timeout)
        await review_collector.collect(tracker)


class UrlRedisLockStore(RedisLockStore):
    """Conversation locks under ``<prefix>:lock:<chat_id>``."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        super().__init__(key_prefix=get_settings().redis_prefix)
        self.red = _client(decode_responses=False)

    def save_lock(self, lock: TicketLock) -> None:
        # Rasa deletes the lock after each message; a crash in between would
        # leave it forever, so it also expires well after any ticket's lifetime.
        self.red.set(self.key_prefix + lock.conversation_id, lock.dumps(), ex=int(10 * LOCK_LIFETIME))
