"""What ``python -m bench.run`` measures: the steps of a setup, and the plan of each mode.

A plan is a list of setups, each a start of the stack (its options) and the
steps run on it in order: loads, and restarts of one server between them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bench.servers import Options


@dataclass(frozen=True)
class Load:
    path: str  # "front" (through the front), "rest" (straight to Rasa), "rest-tap" (via the tap)
    shape: str  # "open" or "closed"
    size: float  # turns/s (open) or people (closed)
    seconds: float


@dataclass(frozen=True)
class FrontSwitch:
    """Restart the front alone, with or without its flood limit."""

    flood_limit: bool


@dataclass(frozen=True)
class ActionWorkers:
    """Restart the action server alone with this many Sanic workers."""

    workers: int


@dataclass(frozen=True)
class Burst:
    """One chat sends ``messages`` at once; other chats' latency meanwhile (bench/burst.py)."""

    messages: int


Step = Load | FrontSwitch | ActionWorkers | Burst
Plan = list[tuple[str, Options, list[Step]]]  # (setup name, its options, its steps)
RATE = 30.0  # open loop, turns/s
CONVERSATIONS = 300  # open loop
CAPACITY = 20  # closed-loop people of the capacity figure
SEED = 20250601


def _closed(path: str, sizes: dict[int, float]) -> list[Step]:
    """Largest first: the smaller loops then continue conversations already under way."""
    return [Load(path, "closed", size, sizes[size]) for size in sorted(sizes, reverse=True)]


SWEEP = {1: 8.0, 5: 6.0, 10: 6.0, CAPACITY: 20.0, 40: 6.0}
BURST = 300  # messages from one chat at once
FULL: Plan = [
    ("1 Rasa", Options(), [
        Burst(BURST),
        *_closed("front", {1: 8, 5: 6, CAPACITY: 20, 40: 6}), Load("front", "open", RATE, 45),
        # Also drops the backlog the flood limit left in the front's queue.
        FrontSwitch(flood_limit=False),
        Load("front", "open", RATE, 45), *_closed("front", SWEEP),
        Load("rest", "open", RATE, 45), *_closed("rest", SWEEP),
    ]),
    ("2 Rasa", Options(rasa_processes=2, flood_limit=False), [
        *_closed("front", {10: 6, CAPACITY: 20, 40: 6}), Load("front", "open", RATE, 40),
        *_closed("rest", {CAPACITY: 20, 40: 6}),
    ]),
]
# The tap's own cost; action-server workers, 1 then 2, on the same start; then
# each of rasa_ext.speedups.SPEEDUPS left out (Rasa's own code): the action-server
# answers' validation, event classes' lookup, model loading (start only).
LEVERS: Plan = [
    ("1 Rasa", Options(flood_limit=False), [
        Load("rest", "closed", 1, 15), Load("rest-tap", "closed", 1, 15),
        *_closed("front", {CAPACITY: 20}), *_closed("rest", {CAPACITY: 20}),
        ActionWorkers(2),
        *_closed("front", {CAPACITY: 20}), *_closed("rest", {CAPACITY: 20}),
    ]),
    *[(f"1 Rasa, stock {name}", Options(flood_limit=False, stock=(name,)), [
        Load("rest", "closed", 1, 15), *_closed("front", {CAPACITY: 20}),
        *_closed("rest", {CAPACITY: 20}),
    ]) for name in ("validation", "events")],
    ("1 Rasa, stock load", Options(flood_limit=False, stock=("load",)), []),
    ("1 Rasa, all stock", Options(flood_limit=False, stock=("validation", "events", "load")), [
        Load("rest", "closed", 1, 15), *_closed("rest", {CAPACITY: 20}),
    ]),
]
QUICK: Plan = [
    ("1 Rasa", Options(), [
        Burst(BURST),
        Load("front", "open", 10, 8), Load("front", "closed", CAPACITY, 8),
        Load("rest", "closed", CAPACITY, 8),
        FrontSwitch(flood_limit=False), Load("front", "closed", CAPACITY, 8),
    ]),
]
MODES = {  # name → (plan, results file, command)
    "full": (FULL, "whole-stack.json", "make bench"),
    "quick": (QUICK, "quick.json", "python -m bench.run --quick"),
    "levers": (LEVERS, "levers.json", "python -m bench.run --levers"),
}


def jsonable(value: Any) -> Any:
    """As JSON reads it back: options hold a Path and tuples."""
    return json.loads(json.dumps(value, default=str))


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as the results JSON records it."""
    return {"rate": RATE, "conversations": CONVERSATIONS, "capacity": CAPACITY, "seed": SEED,
            "setups": [[name, jsonable(asdict(o)), [jsonable(asdict(s)) for s in steps]]
                       for name, o, steps in plan]}
