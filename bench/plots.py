"""The two plots of BENCHMARKS.md: latency by offered load through the throttled front,
and Bot API calls per turn by method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.calls import FLOOD_LIMIT, METHODS, NOT_LIMITED
from bench.results_lookup import FRONT, TARGETS, UNLIMITED, find_runs, find_setup


def plot_latency(results: dict[str, Any], path: Path) -> None:
    """p50/p95/p99 of the open loops against their offered rate, each front on its own line."""
    setup = find_setup(results, "1 Rasa")
    fig, ax = plt.subplots(figsize=(7, 4))
    for transport, style in ((FRONT, "-"), (UNLIMITED, "--")):
        runs = sorted(find_runs(setup, shape="open", transport=transport) if setup else [],
                      key=lambda r: r["offered_rate"])
        if not runs:
            continue
        rates = [r["offered_rate"] for r in runs]
        for key, marker, color in (("p50_ms", "o", "C0"), ("p95_ms", "s", "C1"),
                                   ("p99_ms", "^", "C2")):
            ax.plot(rates, [r[key] for r in runs], style, marker=marker, color=color,
                    label=f"{transport}: {key.removesuffix('_ms')}")
    for overload in (setup or {}).get("overloads", []):
        ax.axvline(overload["offered_rate"], color="red", linestyle=":", linewidth=1,
                   label=f"overload ({overload['offered_rate']:g}/s, bench/overload.py)")
    ax.axhline(TARGETS["open_p95_ms"], color="grey", linestyle=":", linewidth=1)
    ax.axhline(TARGETS["open_p99_ms"], color="grey", linestyle="-.", linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("offered load (turns/s, Poisson, 300 conversations)")
    ax.set_ylabel("turn latency (ms, log scale)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.suptitle("Latency through the front, as shipped (flood limit) and without it")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_calls(results: dict[str, Any], path: Path) -> None:
    """Stacked calls per turn by method, for each run through the front."""
    runs = [(f"{r['transport']}\n{r['shape']} {r['offered_rate'] or r['concurrency']:g}",
             r["calls_per_turn"]) for s in results["setups"] for r in s["runs"]
            if r["transport"] in (FRONT, UNLIMITED) and r.get("calls_per_turn")]
    runs += [(f"overload\n{o['offered_rate']:g}/s", o["calls_per_turn"])
             for s in results["setups"] for o in s.get("overloads", []) if o["calls_per_turn"]]
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(runs)), 4))
    methods = [*METHODS, *sorted({m for _, c in runs for m in c["by_method"]} - set(METHODS))]
    bottoms = [0.0] * len(runs)
    for method in methods:
        values = [c["by_method"].get(method, 0.0) for _, c in runs]
        if not any(values):
            continue
        label = method + (" (not limited)" if method in NOT_LIMITED else "")
        ax.bar(range(len(runs)), values, bottom=bottoms, label=label,
               hatch="//" if method in NOT_LIMITED else None)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.axhline(TARGETS["calls_per_turn"], color="grey", linestyle=":", linewidth=1,
               label=f"goal: {TARGETS['calls_per_turn']} limited calls per turn")
    ax.set_xticks(range(len(runs)), [name for name, _ in runs], fontsize=7)
    ax.set_ylabel("Bot API calls per turn")
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Calls per turn by method (the ceiling is {FLOOD_LIMIT:g} ÷ the limited ones)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
