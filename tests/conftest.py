"""Shared fixtures: a real Redis with a prefix of its own for this test run,
the real stack (Rasa, actions, the bot process) once per session, and the
fixture modules below for every test file."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

# Set before anything reads the settings: every key this run writes starts
# with this prefix, and the session fixture deletes them all at the end.
RUN_PREFIX = "t" + uuid.uuid4().hex[:10]
os.environ["REDIS_PREFIX"] = RUN_PREFIX
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from cnam import store  # noqa: E402
from cnam.settings import get_settings  # noqa: E402

pytest_plugins = [
    "tests.fake_telegram",  # the fake Bot API (fake_telegram)
    "tests.rasa_stub",  # a stand-in for Rasa's REST channel (rasa_stub)
    "tests.front_app",  # the front in process (front_app, pipeline)
    "tests.adviser_support",  # the advisers' group (adviser_settings)
    "tests.booking_actions",  # booking actions with a fixed clock (env)
]


async def _delete_prefix(client: aioredis.Redis, prefix: str) -> None:
    async for key in client.scan_iter(match=f"{prefix}:*", count=500):
        await client.delete(key)


@pytest.fixture(scope="session", autouse=True)
async def _clean_run_prefix() -> AsyncIterator[None]:
    yield
    client = aioredis.from_url(get_settings().redis_url, decode_responses=True)
    await _delete_prefix(client, RUN_PREFIX)
    await client.close()


@pytest.fixture(autouse=True)
def _front_memory_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the front keeps in memory for people who have not agreed (bot/consent.py,
    bot/callbacks.py) starts empty in each test, as in a fresh process."""
    from bot import callbacks, consent

    monkeypatch.setattr(callbacks, "MEMORY", {})
    monkeypatch.setattr(consent, "FIRST_MESSAGES", consent.FirstMessages())


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    """The process client, emptied of this run's keys after each test."""
    client = aioredis.from_url(get_settings().redis_url, decode_responses=True)
    store.set_redis(client)
    yield client
    await _delete_prefix(client, RUN_PREFIX)
    store.set_redis(None)
    await client.close()


@pytest.fixture(scope="session")
async def rasa_server():  # type: ignore[no-untyped-def]
    """The real Rasa server and action server (this run's Redis prefix)."""
    from tests.stack import Stack

    stack = await Stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
async def live_bot(rasa_server):  # type: ignore[no-untyped-def]
    """The real bot process on the fake Bot API, in front of the real stack."""
    from tests.e2e import LiveBot

    live = await LiveBot.start(rasa_server)
    yield live
    await live.stop()


@pytest.fixture
def stack_clock(rasa_server, monkeypatch):  # type: ignore[no-untyped-def]
    """Moves the clock of every process of the stack, this test's included
    (``stack_clock(datetime)``); back to the wall clock afterwards."""
    from cnam.settings import get_settings

    monkeypatch.setattr(get_settings(), "clock_offset_file", rasa_server.env["CLOCK_OFFSET_FILE"])
    yield rasa_server.move_clock
    rasa_server.move_clock(None)
