"""Rasa's Redis tracker and lock stores, configured from ``REDIS_URL``.

Rasa's own Redis stores take host/port/db/password as separate YAML values
and its ``${VAR}`` substitution yields strings (an expiry must be an int),
so these subclasses read the project's settings instead: one ``REDIS_URL``
(password and ``rediss://`` TLS included), one prefix, one retention.
After each save, the turn's user message may go to the advisers' review
(``rasa_ext/review_collector.py``).

Saving writes the tracker's last conversation session without reading the
stored one first (Rasa's own save re-reads and replays it to merge older
sessions): each chat has one writer (the front sends a chat to one Rasa
process, Rasa's lock store serialises its turns), and Rasa's ``retrieve``
gives back the last session only. A session starts after
``session_expiration_time`` of silence (domain/core.yml) and carries the
slots over, so the stored history stays one session long.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import redis
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore, TicketLock
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import ActionExecuted, Event
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


def last_session(events: Iterable[Event]) -> list[Event]:
    """The events from the last ``action_session_start`` on (all of them if none)."""
    kept = list(events)
    for index in range(len(kept) - 1, -1, -1):
        event = kept[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return kept[index:]
    return kept


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
        await self.stream_events(tracker)  # a no-op unless an event broker is configured
        dialogue = Dialogue(tracker.sender_id, last_session(tracker.events))
        self.red.set(
            self.key_prefix + tracker.sender_id,
            json.dumps(dialogue.as_dict()),
            ex=timeout or self.record_exp,
        )
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
