"""A stand-in for Rasa's REST channel, for tests of the front only.

By default it echoes the message with two buttons ("Oui" → /affirm,
"Non" → /deny). A test can set canned answers per message, make it fail
(``status``), hold one message until the test releases it, or do what
Rasa would do on each message (``on_message``, e.g. write a tracker).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web


def echo(sender: str, message: str) -> list[dict[str, Any]]:
    return [{
        "recipient_id": sender,
        "text": f"Vous avez dit : {message}",
        "buttons": [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}],
    }]


class RasaStub:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # request bodies, in arrival order
        self.answers: dict[str, list[dict[str, Any]]] = {}  # message → canned answer
        self.status = 200  # anything else: Rasa is failing
        self.held: dict[str, asyncio.Event] = {}  # message → released when set
        self.on_message: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def messages(self, sender: int | None = None) -> list[str]:
        return [b["message"] for b in self.received if sender is None or b["sender"] == str(sender)]

    def hold(self, message: str) -> asyncio.Event:
        """Do not answer ``message`` until the returned event is set."""
        self.held[message] = asyncio.Event()
        return self.held[message]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.on_message is not None:
            await self.on_message(body)
        if body["message"] in self.held:
            await self.held[body["message"]].wait()
        if self.status != 200:
            return web.json_response({"error": "stub failure"}, status=self.status)
        message = body["message"]
        if message in self.answers:
            return web.json_response(self.answers[message])
        return web.json_response(echo(body["sender"], message))


@pytest.fixture
async def rasa_stub() -> AsyncIterator[RasaStub]:
    stub = RasaStub()
    await stub.start()
    yield stub
    await stub.stop()
