"""Rasa's CPU to choose the next action (``python -m bench.levers16 policies``).

The trained model's ``predict_next_with_tracker`` on a conversation 12 and 60
turns long (bench/levers_support.py), in process: CPU per prediction, how many
times the policies rebuild the tracker's past states for one prediction (and
with how many distinct arguments), and the share of the prediction's CPU spent
rebuilding them. A diagnosis of where the "policies" part of Rasa's CPU per
turn goes (BENCHMARKS.md, "Issue 16 at a glance"), not a lever.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench.levers_support import conversation

RUNS = 200


def _measure(processor: Any, tracker: Any) -> dict[str, Any]:
    from rasa.shared.core.trackers import DialogueStateTracker

    processor.predict_next_with_tracker(tracker)  # warm: traced, cached
    stock = DialogueStateTracker.past_states
    calls: Counter[str] = Counter()
    spent = 0.0

    def timed(self: DialogueStateTracker, *args: Any, **kwargs: Any) -> Any:
        nonlocal spent
        calls[repr(sorted(kwargs.items()))] += 1
        start = time.process_time()
        try:
            return stock(self, *args, **kwargs)
        finally:
            spent += time.process_time() - start

    DialogueStateTracker.past_states = timed  # type: ignore[method-assign]
    try:
        start = time.process_time()
        for _ in range(RUNS):
            processor.predict_next_with_tracker(tracker)
        total = time.process_time() - start
    finally:
        DialogueStateTracker.past_states = stock  # type: ignore[method-assign]
    return {
        "events": len(tracker.events),
        "prediction_ms": round(total * 1000 / RUNS, 3),
        "past_states_calls": sum(calls.values()) / RUNS,
        "distinct_arguments": len(calls),
        "past_states_share": round(spent / total, 3),
    }


def bench_policies() -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    from stack.train import ensure_model

    processor = Agent.load(str(ensure_model())).processor
    return [{"turns": turns, **_measure(processor, conversation(f"bench-policies-{turns}", 1, turns)[0])}
            for turns in (12, 60)]
