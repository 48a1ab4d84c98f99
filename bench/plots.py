"""The two plots of BENCHMARKS.md: latency distributions, and throughput against concurrency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from bench.results_lookup import FRONT, REST, TARGETS, UNLIMITED, find_runs


def plot_latency(results: dict[str, Any], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    capacity = results["plan"]["capacity"]
    for setup in results["setups"]:
        for run in setup["runs"]:
            values = np.sort(np.array(run["latencies_ms"]))
            if not values.size:
                continue
            if run["shape"] == "open":
                ax = left
            elif run["concurrency"] == capacity:
                ax = right
            else:
                continue
            ax.plot(values, np.arange(1, values.size + 1) / values.size,
                    label=f"{setup['name']}, {run['transport']}")
    left.set_title(f"open loop, {results['plan']['rate']:g} turns/s", fontsize=10)
    right.set_title(f"closed loop, {capacity} conversations", fontsize=10)
    left.set_ylabel("share of turns")
    for ax in (left, right):
        ax.axvline(TARGETS["open_p95_ms"], color="grey", linestyle=":", linewidth=1)
        ax.set_xscale("log")
        ax.set_xlabel("turn latency (ms, log scale)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Turn latency (message sent → last reply), cumulative")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_throughput(results: dict[str, Any], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    for setup in results["setups"]:
        for transport in (FRONT, UNLIMITED, REST):
            runs = sorted(find_runs(setup, shape="closed", transport=transport),
                          key=lambda r: r["concurrency"])
            if not runs:
                continue
            label = f"{setup['name']}, {transport}"
            sizes = [r["concurrency"] for r in runs]
            left.plot(sizes, [r["throughput"] for r in runs], marker="o", label=label)
            right.plot(sizes, [r["p95_ms"] for r in runs], marker="o", label=label)
    left.axhline(TARGETS["capacity"], color="grey", linestyle=":", linewidth=1)
    left.set_ylabel("turns / s")
    right.set_ylabel("p95 latency (ms, log scale)")
    right.set_yscale("log")
    for ax in (left, right):
        ax.set_xlabel("conversations at once (closed loop)")
        ax.set_xscale("log")
        ax.set_xticks([1, 5, 10, 20, 40], ["1", "5", "10", "20", "40"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Throughput and latency against concurrency")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
