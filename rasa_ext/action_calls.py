"""Call the action server over kept-alive connections, not a new one per call.

Rasa 3.6 opens a new aiohttp session, hence a new TCP connection, for every
request to an endpoint (``EndpointConfig.request``): each custom action of a
turn pays a connection set-up on both sides (BENCHMARKS.md, issue 16). Here
each endpoint keeps one session for its event loop; the request itself is
Rasa's own code, given that session. Idle connections are closed after
``IDLE_SECONDS``, before the action server's Sanic drops them (5 s): a
connection is never reused just as the server closes it.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import aiohttp

IDLE_SECONDS = 3.0


class _Kept:
    """``async with`` over a session that stays open for the next request."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        return None


def install() -> None:
    """Replace ``EndpointConfig.session`` in this process (idempotent)."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    if getattr(EndpointConfig.session, "kept_alive", False):
        return

    def session(self: EndpointConfig) -> Any:
        loop = asyncio.get_running_loop()
        kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = getattr(
            self, "_kept_session", None)
        if kept is None or kept[0] is not loop or kept[1].closed:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            connector = aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS)
            kept = (loop, aiohttp.ClientSession(
                headers=self.headers, auth=auth, connector=connector,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT)))
            self._kept_session = kept
        return _Kept(kept[1])

    session.kept_alive = True  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[method-assign]
