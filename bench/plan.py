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


@dataclass(frozen=True)
class Overload:
    """``factor`` × the ceiling the previous throttled runs measured, then the drain (bench/overload.py)."""

    factor: float
    seconds: float
    drain_limit: float  # seconds after the load stops; a turn not answered by then is unanswered


Step = Load | FrontSwitch | ActionWorkers | Burst | Overload
Plan = list[tuple[str, Options, list[Step]]]  # (setup name, its options, its steps)
RATES = (12.0, 20.0)  # open loops through the throttled front, turns/s (issue 16)
UNTHROTTLED_RATE = 40.0  # open loop through the front with its flood limit lifted
CONVERSATIONS = 300  # open loop
CAPACITY = 20  # closed-loop people of the capacity figure
SEED = 20250601
BURST = 300  # messages from one chat at once
STOCK = ("validation", "events", "load", "keepalive")  # every speed-up left out: stock Rasa 3.6
STOCK_SETUP = "1 Rasa, all stock"


def _closed(path: str, sizes: dict[int, float]) -> list[Step]:
    """Largest first: the smaller loops then continue conversations already under way."""
    return [Load(path, "closed", size, sizes[size]) for size in sorted(sizes, reverse=True)]


def _issue16(open_s: float, overload: Overload, capacity_s: float, rest: bool) -> list[Step]:
    """The throttled open loops, the overload, then the front without its flood limit."""
    return [
        *(Load("front", "open", rate, open_s) for rate in RATES),
        overload,
        # Also drops whatever backlog the flood limit left in the front's queue.
        FrontSwitch(flood_limit=False),
        Load("front", "closed", CAPACITY, capacity_s),
        Load("front", "open", UNTHROTTLED_RATE, open_s),
        *([Load("rest", "closed", CAPACITY, capacity_s)] if rest else []),
    ]


FULL: Plan = [
    ("1 Rasa", Options(), [Burst(BURST), *_issue16(45, Overload(1.5, 60, 180), 20, rest=True)]),
    (STOCK_SETUP, Options(flood_limit=False, stock=STOCK), [Load("rest", "closed", CAPACITY, 20)]),
]
# The tap's own cost; action-server workers, 1 then 2, on the same start; then
# each of rasa_ext.speedups.SPEEDUPS left out (Rasa's own code): the action-server
# answers' validation, event classes' lookup, kept-alive action calls, model
# loading (start only); two Rasa processes; then the first setup's runs again
# (AGAIN), because the machine drifts over the quarter of an hour: a what-if is
# read against both, and a difference smaller than the drift is noise.
AGAIN = "1 Rasa, again"
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
    ]) for name in ("validation", "events", "keepalive")],
    ("1 Rasa, stock load", Options(flood_limit=False, stock=("load",)), []),
    (STOCK_SETUP, Options(flood_limit=False, stock=STOCK), [
        Load("rest", "closed", 1, 15), *_closed("rest", {CAPACITY: 20}),
    ]),
    ("2 Rasa", Options(rasa_processes=2, flood_limit=False), [
        *_closed("front", {CAPACITY: 20}), Load("front", "open", UNTHROTTLED_RATE, 30),
        *_closed("rest", {CAPACITY: 20}),
    ]),
    (AGAIN, Options(flood_limit=False), [
        Load("rest", "closed", 1, 15), *_closed("front", {CAPACITY: 20}),
        *_closed("rest", {CAPACITY: 20}),
    ]),
]
# The open loop at 40 turns/s without the flood limit, four times on one start:
# how steady its p95 is (each run's p95 by 5-second window in the JSON).
REPEAT: Plan = [
    ("1 Rasa", Options(flood_limit=False), [Load("front", "open", UNTHROTTLED_RATE, 45)] * 4),
]
QUICK: Plan = [
    ("1 Rasa", Options(), [Burst(BURST), *_issue16(8, Overload(1.5, 10, 60), 8, rest=True)]),
]
MODES = {  # name → (plan, results file, command)
    "full": (FULL, "whole-stack.json", "make bench"),
    "quick": (QUICK, "quick.json", "python -m bench.run --quick"),
    "levers": (LEVERS, "levers.json", "python -m bench.run --levers"),
    "repeat": (REPEAT, "repeat.json", "python -m bench.run --repeat"),
}


def jsonable(value: Any) -> Any:
    """As JSON reads it back: options hold a Path and tuples."""
    return json.loads(json.dumps(value, default=str))


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as the results JSON records it."""
    return {"rates": list(RATES), "unthrottled_rate": UNTHROTTLED_RATE,
            "conversations": CONVERSATIONS, "capacity": CAPACITY, "seed": SEED,
            "setups": [[name, jsonable(asdict(o)), [jsonable(asdict(s)) for s in steps]]
                       for name, o, steps in plan]}
