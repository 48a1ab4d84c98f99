"""What bench/levers16.py and bench/action_calls_bench.py share: CPU per step, a recorded-like tracker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def cpu_ms(runs: int, step: Callable[[], Awaitable[None]]) -> float:
    async def timed() -> float:
        await step()  # warm-up
        start = time.process_time()
        for _ in range(runs):
            await step()
        return (time.process_time() - start) * 1000 / runs

    return round(asyncio.run(timed()), 3)


def conversation(sender: str, sessions: int, turns: int) -> Any:
    """A tracker of ``sessions`` sessions of ``turns`` turns each, with profile slots."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain"))
    tracker = DialogueStateTracker(sender, domain.slots)
    for _ in range(sessions):
        tracker.update(ActionExecuted("action_session_start"))
        for event in asyncio.run(ActionSessionStart().run(None, None, tracker, domain)):  # type: ignore[arg-type]
            tracker.update(event, domain)
        for turn in range(turns):
            tracker.update(UserUttered("g le bac", {"name": "inform", "confidence": 0.9},
                                       [{"entity": "niveau", "value": "bac"}]))
            tracker.update(SlotSet("niveau", "bac"))
            tracker.update(ActionExecuted("profile_form"))
            tracker.update(BotUttered(f"Question {turn} ?", {"buttons": [{"title": "Oui", "payload": "/affirm"}]}))
            tracker.update(ActionExecuted("action_listen"))
    return tracker, domain


async def in_flight_cpu(one: Callable[[int], Awaitable[None]], steps: int,
                        in_flight: int) -> tuple[float, float]:
    """(CPU, wall) seconds of ``steps`` calls of ``one(i)``, ``in_flight`` at a time, after a warm-up."""
    await asyncio.gather(*(one(i) for i in range(in_flight)))
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, steps, in_flight):
        await asyncio.gather(*(one(i) for i in range(start, start + in_flight)))
    return time.process_time() - cpu, time.perf_counter() - wall


def per_call(key: str, name: str, calls: int, in_flight: int, cpu: float,
             wall: float) -> dict[str, Any]:
    return {key: name, "calls": calls, "in_flight": in_flight,
            "cpu_ms_per_call": round(cpu * 1000 / calls, 3), "calls_per_s": round(calls / wall, 1)}

