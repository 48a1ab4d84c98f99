"""rasa_ext.action_calls: Rasa's requests to an endpoint reuse one connection,
and still get through after the server restarts or the connection idled."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from rasa_ext import action_calls
from tests.stack import free_port


@pytest.fixture(autouse=True)
def _restore_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    # Restored after each test: the replacement is for the Rasa server's process.
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.__dict__["session"])


class Server:
    """An action-server stand-in that answers with the client port of each request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            peer = request.transport.get_extra_info("peername") if request.transport else None
            return web.json_response({"port": peer[1] if peer else None, "echo": body})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


async def _ports(endpoint: EndpointConfig, calls: int) -> list[int]:
    ports = []
    for n in range(calls):
        answer = await endpoint.request(json={"next_action": f"a{n}"}, method="post")
        assert answer["echo"] == {"next_action": f"a{n}"}
        ports.append(answer["port"])
    return ports


@pytest.mark.asyncio
async def test_one_connection_for_successive_calls_where_rasa_opens_one_each() -> None:
    server = Server(free_port())
    await server.start()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook", token="t")
    try:
        assert len(set(await _ports(endpoint, 3))) == 3  # Rasa's own way
        action_calls.install()
        action_calls.install()  # a second call does not wrap the first
        assert EndpointConfig.session.kept_alive  # type: ignore[attr-defined]
        assert len(set(await _ports(endpoint, 3))) == 1
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_calls_get_through_after_a_restart_and_after_idling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(action_calls, "IDLE_SECONDS", 0.2)
    action_calls.install()
    server = Server(free_port())
    await server.start()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    try:
        [first] = await _ports(endpoint, 1)
        await server.stop()
        await server.start()
        [after_restart] = await _ports(endpoint, 1)
        await asyncio.sleep(0.5)
        [after_idle] = await _ports(endpoint, 1)
        assert len({first, after_restart, after_idle}) == 3
    finally:
        await server.stop()
