"""Lookups into the results JSON that bench/run.py writes, and the targets.

Shared by the plots and every part of the report. The path names are the
``transport`` of a run; the targets are those of BENCHMARKS.md's Targets table.
"""

from __future__ import annotations

from typing import Any

FRONT, UNLIMITED, REST = "front", "front, no flood limit", "rest"
# Issue 16's goals, and the start and memory targets before them.
TARGETS = {"open_rate": 20.0, "open_p95_ms": 300, "open_p99_ms": 600, "calls_per_turn": 1.5,
           "capacity": 40, "worst_chat_ratio": 2.0, "drain_share": 0.9, "first_turn_ms": 500,
           "cold_start_s": 30, "rasa_rss_mb": 1536}


def find_runs(setup: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [r for r in setup["runs"] if all(r[k] == v for k, v in match.items())]


def find_run(setup: dict[str, Any], **match: Any) -> dict[str, Any] | None:
    found = find_runs(setup, **match)
    return found[0] if found else None


def find_setup(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in results["setups"] if s["name"] == name), None)


def rss_peaks(setup: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Peak RSS of each process over the start and all the runs of a setup."""
    peaks: dict[str, float] = {}
    for usage in [setup["start_footprint"], *(r["footprint"] for r in setup["runs"])]:
        for name, values in usage.items():
            peaks[name] = max(peaks.get(name, 0.0), values["rss_peak_mb"])
    return {name: {"rss_peak_mb": value} for name, value in peaks.items()}
