"""One full garbage collection in a process holding the trained model
(``python -m bench.levers16 gc``): its time as Rasa leaves it, and with the
model frozen out of full collections (``gc.freeze()``). A diagnosis: the
freeze was tried as a speed-up and did not show end to end (BENCHMARKS.md,
"Issue 16 at a glance")."""

from __future__ import annotations

import gc
import time
from typing import Any

RUNS = 5


def _full_collection_ms() -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        gc.collect()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def bench_gc() -> dict[str, Any]:
    from rasa.core.agent import Agent

    from stack.train import ensure_model

    agent = Agent()
    agent.load_model(str(ensure_model()))
    stock = {"objects": len(gc.get_objects()), "full_collection_ms": _full_collection_ms()}
    gc.freeze()
    frozen = {"frozen_objects": gc.get_freeze_count(), "full_collection_ms": _full_collection_ms()}
    gc.unfreeze()
    return {"stock": stock, "frozen": frozen}
