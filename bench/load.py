"""Load shapes: open loop (Poisson arrivals), closed loop (capacity), one person alone.

Open loop: turns arrive at ``rate`` per second, exponential gaps, each
given to one of ``conversations`` people chosen among those not waiting
for an answer; a person who finished 12 turns is replaced by a new one.
The latency counts from the scheduled arrival, so a late sender does not
hide queueing. An arrival that finds everyone waiting is counted as
``dropped``, a turn still unanswered ``GRACE`` seconds after the last
arrival as ``unfinished``: both are errors (the system does not keep up).

Closed loop: ``concurrency`` people each send the next message as soon as
the previous turn ended. Throughput counts the turns that ended inside the
window. People carry over from one closed loop to the next (``pool``).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.calls import per_turn
from bench.people import People, Person
from bench.transports import Transport, Turn

GRACE = 10.0  # seconds the open loop waits for the last turns once arrivals stop
WINDOW = 5.0  # seconds per window of the p95 over time


@dataclass
class Run:
    shape: str
    transport: str
    duration: float
    turns: list[Turn] = field(default_factory=list)
    dropped: int = 0
    rate: float = 0.0  # offered turns/s (open loop)
    concurrency: int = 0  # people (closed loop)
    footprint: dict[str, dict[str, float]] = field(default_factory=dict)  # per process
    unfinished: int = 0  # open loop: turns still waiting after the grace period
    calls: dict[str, int] = field(default_factory=dict)  # Bot API calls by method (bench/calls.py)

    def summary(self) -> dict[str, Any]:
        latencies = np.array([t.latency for t in self.turns if not t.error]) * 1000
        errors = sum(1 for t in self.turns if t.error) + self.dropped + self.unfinished
        pct = np.percentile(latencies, [50, 95, 99]) if latencies.size else [float("nan")] * 3
        gaps = [t.max_gap for t in self.turns if t.replies > 1]
        return {
            "shape": self.shape,
            "transport": self.transport,
            "offered_rate": self.rate,
            "concurrency": self.concurrency,
            "duration_s": round(self.duration, 1),
            "turns": len(self.turns),
            "throughput": round(len(self.turns) / self.duration, 2),
            "p50_ms": round(float(pct[0])),
            "p95_ms": round(float(pct[1])),
            "p99_ms": round(float(pct[2])),
            "max_ms": round(float(latencies.max())) if latencies.size else 0,
            "errors": errors,
            "dropped": self.dropped,
            "unfinished": self.unfinished,
            "error_kinds": sorted({t.error for t in self.turns if t.error}),
            "not_understood": sum(1 for t in self.turns if t.not_understood),
            "replies_per_turn": round(sum(t.replies for t in self.turns) / max(len(self.turns), 1), 2),
            "max_gap_p99_ms": round(float(np.percentile(gaps, 99)) * 1000) if gaps else 0,
            "calls_per_turn": per_turn(self.calls, len(self.turns)),
            "by_question": self.by_question(),
            "footprint": self.footprint,
            "latencies_ms": sorted(int(x) for x in latencies),
            "p95_by_window_ms": self.p95_by_window(WINDOW),
        }

    def p95_by_window(self, width: float) -> list[int]:
        """p95 of the turns sent in each ``width``-second window, in time order: a
        stall shows as a few bad windows, a server at its limit as a climb."""
        turns = [t for t in self.turns if not t.error]
        if not turns:
            return []
        start = min(t.started for t in turns)
        windows: dict[int, list[float]] = {}
        for turn in turns:
            windows.setdefault(int((turn.started - start) // width), []).append(turn.latency * 1000)
        return [round(float(np.percentile(windows[k], 95))) for k in sorted(windows)]


    def by_question(self) -> dict[str, dict[str, int]]:
        """Per kind of turn: how many, and their median latency (ms)."""
        kinds: dict[str, list[float]] = {}
        for turn in self.turns:
            if not turn.error:
                kinds.setdefault(turn.question, []).append(turn.latency * 1000)
        return {
            kind: {"turns": len(values), "p50_ms": round(float(np.median(values)))}
            for kind, values in sorted(kinds.items())
        }


async def open_loop(
    transport: Transport, people: People, rate: float, conversations: int, duration: float,
    seed: int, grace: float = GRACE,
) -> Run:
    """``grace``: seconds the last turns may take once arrivals stop."""
    rng = random.Random(seed)
    run = Run("open", transport.name, duration, rate=rate, concurrency=conversations)
    crowd = [people.new() for _ in range(conversations)]
    idle = list(range(conversations))
    pending: set[asyncio.Task[None]] = set()
    start = time.monotonic()

    async def one_turn(index: int, scheduled: float) -> None:
        run.turns.append(await transport.turn(crowd[index], scheduled))
        if crowd[index].done:
            crowd[index] = people.new()
        idle.append(index)

    arrival = start
    while True:
        arrival += rng.expovariate(rate)
        if arrival - start > duration:
            break
        await asyncio.sleep(max(0.0, arrival - time.monotonic()))
        if not idle:
            run.dropped += 1
            continue
        index = idle.pop(rng.randrange(len(idle)))
        task = asyncio.create_task(one_turn(index, arrival))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        # Turns still waiting after a grace period failed: the system did not keep up.
        _, late = await asyncio.wait(pending, timeout=grace)
        for task in late:
            task.cancel()
        run.unfinished = len(late)
    return run


async def closed_loop(
    transport: Transport, people: People, concurrency: int, duration: float,
    pool: list[Person],
) -> Run:
    """``pool``: people met in earlier closed loops on this transport, mid-conversation.

    They carry on first, and those still mid-conversation at the end go back to
    it, so that a short run does not only see first turns.
    """
    run = Run("closed", transport.name, duration, concurrency=concurrency)
    start = time.monotonic()
    end = start + duration

    async def person_after_person() -> None:
        person = pool.pop() if pool else people.new()
        while time.monotonic() < end:
            turn = await transport.turn(person, time.monotonic())
            if turn.ended <= end:
                run.turns.append(turn)
            if person.done:
                person = people.new()
        pool.append(person)

    await asyncio.gather(*(person_after_person() for _ in range(concurrency)))
    return run


async def alone(transport: Transport, person: Person) -> list[Turn]:
    """One person's whole conversation, nobody else talking (the first turns after a start)."""
    turns = []
    while not person.done:
        turns.append(await transport.turn(person, time.monotonic()))
    return turns
