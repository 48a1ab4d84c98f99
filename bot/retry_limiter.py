"""PTB's AIORateLimiter, also retrying Telegram's transient server errors.

AIORateLimiter retries 429 (RetryAfter) only; a 5xx or a refused connection
(NetworkError) would lose the message. Timeouts are not retried: the
request may have reached Telegram, and a retry would send it twice; nor is
BadRequest (a NetworkError subclass for PTB), which would fail again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

# getUpdates has its own retry loop in PTB's Updater.
NOT_RETRIED = {"getUpdates"}


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, *, max_retries: int = 5, first_delay: float = 0.5, **kwargs: Any):
        super().__init__(max_retries=max_retries, **kwargs)
        self._network_retries = max_retries
        self._first_delay = first_delay

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        delay = self._first_delay
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (TimedOut, BadRequest):
                raise
            except NetworkError as exc:
                attempt += 1
                if endpoint in NOT_RETRIED or attempt > self._network_retries:
                    raise
                log.info("telegram %s failed (%s), retry in %.1f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
