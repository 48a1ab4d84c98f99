"""Background loops restart after any exception, log no personal data, and
stop when the bot stops."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot import supervisor


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor, "FIRST_DELAY", 0.01)


async def test_restarted_after_any_exception_until_cancelled(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.supervisor")
    runs = 0
    healthy = asyncio.Event()
    failures = [ValueError("chat 4242 wrote: Zaina 0639 12 34 56"), RedisConnectionError("down")]

    async def loop() -> None:
        nonlocal runs
        runs += 1
        if failures:
            raise failures.pop(0)
        healthy.set()
        await asyncio.Event().wait()  # a loop that works runs forever

    application = SimpleNamespace(bot_data={})
    supervisor.start(application, "test-loop", loop)  # type: ignore[arg-type]
    await asyncio.wait_for(healthy.wait(), 10)
    task = application.bot_data[supervisor.TASKS]["test-loop"]
    await supervisor.stop_all(application)  # type: ignore[arg-type]
    assert runs == 3 and task.cancelled()
    assert application.bot_data == {}
    logged = [r.getMessage() for r in caplog.records]
    assert logged[0].startswith("test-loop failed (ValueError at tests/test_supervisor.py:")
    assert logged[1].startswith("test-loop: Redis unavailable (ConnectionError)")
    assert len(logged) == 2
    assert not any("4242" in m or "Zaina" in m or "down" in m for m in logged)
