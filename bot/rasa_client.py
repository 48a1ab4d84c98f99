"""The one HTTP client of the front towards Rasa's REST channel."""

from __future__ import annotations

import logging
import zlib
from typing import Any

import aiohttp

from cnam.logsafe import hash_id

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer usably (down, slow, 5xx): the user gets an apology."""


class RasaClient:
    """One aiohttp session for the process: ``start()`` in post_init, ``close()`` at shutdown.

    ``rasa_url`` may list several Rasa servers separated by commas (RASA_URLS):
    each chat always goes to the same one, picked by a stable hash of its id,
    so that one process only ever handles a conversation (Rasa's lock store
    is not relied on across processes).
    """

    def __init__(self, rasa_url: str, *, connect_timeout: float = 3.0, timeout: float = 20.0):
        self._urls = [
            url.strip().rstrip("/") + "/webhooks/rest/webhook"
            for url in rasa_url.split(",")
            if url.strip()
        ]
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def url_for(self, chat_id: int) -> str:
        return self._urls[zlib.crc32(str(chat_id).encode()) % len(self._urls)]

    async def send(
        self,
        chat_id: int,
        message: str,
        metadata: dict[str, Any] | None = None,
        *,
        sender: str | None = None,
    ) -> list[dict[str, Any]]:
        """Post one user message; returns Rasa's list of bot messages.
        ``sender``: Rasa's conversation id, the chat id unless given."""
        if self._session is None:
            raise RuntimeError("RasaClient.start() was not called")
        body = {
            "sender": sender or str(chat_id), "message": message, "metadata": metadata or {},
        }
        try:
            async with self._session.post(self.url_for(chat_id), json=body) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                replies = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if not isinstance(replies, list):
            raise RasaUnavailable("answer is not a list")
        log.debug("rasa answered %d message(s) to %s", len(replies), hash_id(chat_id))
        return [r for r in replies if isinstance(r, dict)]
