"""A pass-through between the front and Rasa that counts the replies of each turn.

The front sends a turn's replies one message at a time, with nothing to
mark the last one. The tap forwards each request to Rasa unchanged and
tells the waiting person how many Telegram messages Rasa's answer will
become, so a turn ends exactly at its last message (no quiet period, no
think time). It costs one more local HTTP hop on the front's path, about
a millisecond, measured in BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web

from bot.messages import OutMessage, from_rasa
from bot.render import merge, split_text
from tests.stack import free_port

APOLOGY_MESSAGES = 1  # what the front sends when Rasa fails (bot/pipeline.py)


def telegram_texts(replies: Any, before: Sequence[OutMessage] = ()) -> list[str]:
    """The texts of the messages the front sends for Rasa's answer, after the
    front's own ``before`` of the same turn (bot/pipeline.py, bot/render.py), one
    per message as the front packs them (``render.merge``); "" where the text is
    the front's (a document, "Choisissez :" above buttons alone, the apology)."""
    answers = [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []
    if not answers:
        return rendered_texts(before) + [""] * APOLOGY_MESSAGES
    return rendered_texts([*before, *(m for m in map(from_rasa, answers) if m is not None)])


def rendered_texts(messages: Sequence[OutMessage]) -> list[str]:
    """The texts of the Telegram messages (sent, or edited in) the front makes of ``messages``."""
    texts: list[str] = []
    for message in merge(messages):
        if message.text or message.buttons or message.request_contact:
            texts += split_text(message.text) if message.text else [""]
        texts += [""] * bool(message.document)
    return texts


class RasaTap:
    """``urls`` go to the front; ``rasa_urls`` (same order) are set once Rasa is launched."""

    def __init__(self, servers: int):
        self.servers = servers
        self.rasa_urls: list[str] = []
        self.port = 0
        # One turn at a time per person: the count of the answer they wait for.
        self._waiting: dict[str, asyncio.Future[Any]] = {}
        # Per sender: seconds to hold their next request, a slow turn (bench/burst.py).
        self._delays: dict[str, float] = {}
        # Watched senders (bench/overload.py): each request's message and answer texts, in order.
        self.log: dict[str, list[tuple[str, list[str]]]] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def urls(self) -> list[str]:
        """One URL per Rasa server, in the same order: what the front gets as RASA_URLS."""
        return [f"http://127.0.0.1:{self.port}/{i}" for i in range(self.servers)]

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(limit=0)
        )
        app = web.Application()
        app.router.add_post("/{index}/webhooks/rest/webhook", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def expect(self, sender: int) -> asyncio.Future[Any]:
        """The next answer Rasa gives ``sender`` (its REST replies, None if it failed):
        ``telegram_texts`` tells what the front makes of it."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[str(sender)] = future
        return future

    def forget(self, sender: int) -> None:
        self._waiting.pop(str(sender), None)
        self.log.pop(str(sender), None)

    def watch(self, sender: int) -> None:
        """Log every request of ``sender`` and the texts of its answer (``log``)."""
        self.log[str(sender)] = []

    def slow_down(self, sender: int, seconds: float) -> None:
        """Hold the next request of ``sender`` this long: a turn Rasa is slow to answer."""
        self._delays[str(sender)] = seconds

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        try:
            body = await request.read()
        except ConnectionResetError:  # the front went away (restarted) mid-request
            return web.Response(status=499)
        target = self.rasa_urls[int(request.match_info["index"])] + "/webhooks/rest/webhook"
        request_body = json.loads(body)
        sender = str(request_body.get("sender"))
        await asyncio.sleep(self._delays.pop(sender, 0.0))
        try:
            async with self._session.post(
                target, data=body, headers={"Content-Type": "application/json"}
            ) as answer:
                status, content = answer.status, await answer.read()
        except (TimeoutError, aiohttp.ClientError):
            self._tell(sender, request_body, None)
            raise
        try:
            replies = json.loads(content) if status == 200 else None
        except ValueError:
            replies = None
        self._tell(sender, request_body, replies)
        return web.Response(status=status, body=content, content_type="application/json")

    def _tell(self, sender: str, request: dict[str, Any], replies: Any) -> None:
        texts = telegram_texts(replies)
        if sender in self.log:
            self.log[sender].append((str(request.get("message")), texts))
        future = self._waiting.pop(sender, None)
        if future is not None and not future.done():
            future.set_result(replies)
