"""Plots and the "Whole stack" section of BENCHMARKS.md, from the results JSON.

Only the section under ``## Whole stack`` is rewritten (up to the next
``## `` heading); the rest of the file, the NLU section included, is kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

HEADING = "## Whole stack"
TARGETS = {"open_p95_ms": 300, "open_p99_ms": 600, "capacity": 60, "first_turn_ms": 500,
           "cold_start_s": 30, "rasa_rss_mb": 1536}


def _runs(setup: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [r for r in setup["runs"] if all(r[k] == v for k, v in match.items())]


def _one(setup: dict[str, Any], **match: Any) -> dict[str, Any] | None:
    found = _runs(setup, **match)
    return found[0] if found else None


# ---- plots -------------------------------------------------------------------


def plot_latency(results: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    capacity = results["plan"]["capacity"]
    for setup in results["setups"]:
        for run in setup["runs"]:
            if run["shape"] == "open" or run["concurrency"] == capacity:
                values = np.sort(np.array(run["latencies_ms"]))
                if not values.size:
                    continue
                label = (f"{setup['name']}, {run['transport']}, "
                         + (f"open {run['offered_rate']:g}/s" if run["shape"] == "open"
                            else f"closed {run['concurrency']}"))
                ax.plot(values, np.arange(1, values.size + 1) / values.size, label=label)
    ax.axvline(TARGETS["open_p95_ms"], color="grey", linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("latence d'un tour (ms, échelle log)")
    ax.set_ylabel("part des tours")
    ax.set_title("Distribution des latences (tour : message envoyé → dernière réponse)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_throughput(results: dict[str, Any], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    for setup in results["setups"]:
        for transport in ("front", "rest"):
            runs = sorted(_runs(setup, shape="closed", transport=transport),
                          key=lambda r: r["concurrency"])
            if not runs:
                continue
            label = f"{setup['name']}, {transport}"
            sizes = [r["concurrency"] for r in runs]
            left.plot(sizes, [r["throughput"] for r in runs], marker="o", label=label)
            right.plot(sizes, [r["p95_ms"] for r in runs], marker="o", label=label)
    left.axhline(TARGETS["capacity"], color="grey", linestyle=":", linewidth=1)
    left.set_xlabel("conversations simultanées (boucle fermée)")
    left.set_ylabel("tours / s")
    right.set_xlabel("conversations simultanées (boucle fermée)")
    right.set_ylabel("latence p95 (ms)")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Débit et latence selon la concurrence")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---- the section -------------------------------------------------------------


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def _pct(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:+.0f} %" if b else "—"


def _targets(setup: dict[str, Any], capacity: int) -> list[str]:
    open_front = _one(setup, shape="open", transport="front")
    closed = _one(setup, shape="closed", transport="front", concurrency=capacity)
    first = next((t for t in setup["first_person"] if not t["error"]), None)
    rasa_rss = max(v["rss_peak_mb"] for k, v in _peaks(setup).items() if "rasa" in k)
    rows = ["| target | measured | |", "|---|---|---|"]

    def row(name: str, value: str, ok: bool | None) -> None:
        rows.append(f"| {name} | {value} | {_met(ok)} |")

    if open_front:
        ok = open_front["errors"] == 0
        row(f"open loop {open_front['offered_rate']:g} turns/s, p95 ≤ 300 ms",
            f"{open_front['p95_ms']} ms", open_front["p95_ms"] <= TARGETS["open_p95_ms"])
        row("open loop, p99 ≤ 600 ms", f"{open_front['p99_ms']} ms",
            open_front["p99_ms"] <= TARGETS["open_p99_ms"])
        row("open loop, no error", f"{open_front['errors']} error(s)", ok)
    if closed:
        row(f"closed-loop capacity ({capacity} conversations) ≥ 60 turns/s",
            f"{closed['throughput']} turns/s", closed["throughput"] >= TARGETS["capacity"])
    if first:
        row("first turn after a start ≤ 500 ms", f"{first['latency_ms']} ms",
            first["latency_ms"] <= TARGETS["first_turn_ms"])
    row("cold start ≤ 30 s", f"{setup['cold_start_s']} s",
        setup["cold_start_s"] <= TARGETS["cold_start_s"])
    row("Rasa server memory ≤ 1.5 GB (peak RSS)", f"{rasa_rss:.0f} MB",
        rasa_rss <= TARGETS["rasa_rss_mb"])
    return rows


def _peaks(setup: dict[str, Any]) -> dict[str, dict[str, float]]:
    peaks = dict(setup["start_footprint"])
    for run in setup["runs"]:
        for name, usage in run["footprint"].items():
            best = peaks.get(name, {"rss_peak_mb": 0.0})
            peaks[name] = {"rss_peak_mb": max(best["rss_peak_mb"], usage["rss_peak_mb"])}
    return peaks


def _run_table(results: dict[str, Any]) -> list[str]:
    rows = [
        "| setup | path | load | turns | turns/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setup in results["setups"]:
        for r in setup["runs"]:
            load = (f"open {r['offered_rate']:g}/s over {r['concurrency']} conv."
                    if r["shape"] == "open" else f"closed, {r['concurrency']} conv.")
            path = "front (Telegram)" if r["transport"] == "front" else "Rasa REST"
            errors = str(r["errors"]) + (f" ({', '.join(r['error_kinds'])})" if r["errors"] else "")
            rows.append(
                f"| {setup['name']} | {path} | {load} | {r['turns']} | {r['throughput']} | "
                f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {errors} |"
            )
    return rows


def _ratio(setup: dict[str, Any], capacity: int) -> list[str]:
    lines = []
    front = _one(setup, shape="closed", transport="front", concurrency=capacity)
    rest = _one(setup, shape="closed", transport="rest", concurrency=capacity)
    if front and rest:
        lines.append(
            f"- Capacity, {capacity} conversations: front {front['throughput']} turns/s, "
            f"Rasa REST {rest['throughput']} turns/s: the front keeps "
            f"**{front['throughput'] / rest['throughput']:.2f}×** of stock Rasa's capacity."
        )
    front = _one(setup, shape="open", transport="front")
    rest = _one(setup, shape="open", transport="rest")
    if front and rest:
        lines.append(
            f"- Open loop {front['offered_rate']:g} turns/s: p50 {front['p50_ms']} vs "
            f"{rest['p50_ms']} ms, p95 {front['p95_ms']} vs {rest['p95_ms']} ms "
            f"(front ÷ REST: **{front['p95_ms'] / max(rest['p95_ms'], 1):.2f}×** at p95)."
        )
    cpu = _cpu_per_turn(front)
    if cpu:
        lines.append(f"- CPU per turn through the front (open loop): {cpu}.")
    return lines


def _cpu_per_turn(run: dict[str, Any] | None) -> str:
    if not run or not run["turns"]:
        return ""
    parts = [
        f"{name.removeprefix('bench-')} {usage['cpu_s'] / run['turns'] * 1000:.1f} ms"
        for name, usage in run["footprint"].items()
    ]
    return ", ".join(parts)


def _start(setup: dict[str, Any]) -> list[str]:
    ready = ", ".join(f"{k.removeprefix('bench-')} {v} s" for k, v in setup["ready_s"].items())
    rows = [
        f"Ready after launch: {ready}. Cold start (launch → first answer from Rasa "
        f"through the front): **{setup['cold_start_s']} s**.",
        "",
        "| turn | question | 1st person after start (ms) | 2nd person (ms) |",
        "|---|---|---|---|",
    ]
    for i, (a, b) in enumerate(zip(setup["first_person"], setup["second_person"], strict=False)):
        rows.append(f"| {i + 1} | {a['question']} / {b['question']} | {a['latency_ms']} | "
                    f"{b['latency_ms']} |")
    return rows


def _memory(results: dict[str, Any]) -> list[str]:
    rows = ["| setup | process | peak RSS (MB) |", "|---|---|---|"]
    for setup in results["setups"]:
        for name, usage in _peaks(setup).items():
            rows.append(f"| {setup['name']} | {name.removeprefix('bench-')} | "
                        f"{usage['rss_peak_mb']:.0f} |")
    return rows


def _two_rasa(results: dict[str, Any]) -> list[str]:
    setups = {s["name"]: s for s in results["setups"]}
    one, two = setups.get("1 Rasa"), setups.get("2 Rasa")
    if not (one and two):
        return []
    capacity = results["plan"]["capacity"]
    lines = []
    for size in sorted({r["concurrency"] for r in _runs(two, shape="closed", transport="front")}):
        a = _one(one, shape="closed", transport="front", concurrency=size)
        b = _one(two, shape="closed", transport="front", concurrency=size)
        if a and b:
            lines.append(
                f"- Closed loop, {size} conversations: {a['throughput']} → {b['throughput']} "
                f"turns/s ({_pct(b['throughput'], a['throughput'])}), p95 {a['p95_ms']} → "
                f"{b['p95_ms']} ms." + (" (capacity figure)" if size == capacity else "")
            )
    a, b = _one(one, shape="open", transport="front"), _one(two, shape="open", transport="front")
    if a and b:
        lines.append(f"- Open loop: p95 {a['p95_ms']} → {b['p95_ms']} ms, p99 {a['p99_ms']} → "
                     f"{b['p99_ms']} ms, errors {a['errors']} → {b['errors']}.")
    return lines


def _levers(levers: dict[str, Any] | None) -> list[str]:
    if not levers:
        return ["Not measured yet: `python -m bench.run --levers`."]
    return [f"Measured {levers['date']} (`{levers['command']}`).", "", *levers["lines"]]


def section(results: dict[str, Any], levers: dict[str, Any] | None, plots: dict[str, str]) -> str:
    plan = results["plan"]
    m = results["machine"]
    main = results["setups"][0]
    busy = results["other_busy_processes"]
    quiet = (
        "The machine was quiet" if not busy
        else "Other processes were running: " + "; ".join(busy)
    )
    lines = [
        HEADING,
        "",
        "<!-- Written by `make bench` (bench/report.py): edit the code, not this section. -->",
        "",
        f"Measured {results['date']} with `{results['command']}` ({results['elapsed_s']} s), "
        f"model {results['model']}.",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB, Linux {m['kernel']}, "
        f"Python {m['python']}. Load average before/after: {results['load_average_before']} / "
        f"{results['load_average_after']}. {quiet}.",
        "",
        "What runs: Rasa (`python -m stack.run rasa`), the action server, the front "
        "(`python -m bot`, long polling) and Redis, all on 127.0.0.1; this process plays "
        "Telegram (the project's fake Bot API) and the people. Stock Rasa is the same Rasa "
        "server on the same model, driven through `POST /webhooks/rest/webhook`.",
        "",
        "- **Conversation**: 12 turns per person: greeting, consent button, « Trouver une "
        "formation », the profile questions (prénom typed; each closed question answered by a "
        "button or, 4 times in 10, typed SMS-style: « g le bac pro », « chui au chomage a "
        "koungou »), recommendations, practical questions (« c payant ? », « c'est où le cnam »), "
        "then « prendre rendez-vous ». People read the answer and reply to the question asked "
        "(bench/people.py). Over REST there is no consent turn: one more practical question.",
        f"- **Turn, latency**: from the moment the person sends (the scheduled arrival in the "
        f"open loop) to the last reply of the turn. The front sends a turn's replies one by "
        f"one, so a turn ends when no new message came for {plan['quiet']:g} s; the latency "
        f"stops at the last message, the quiet period is not counted. The person then waits "
        f"that quiet period before the next message, over REST too (same pacing). The p99 of "
        f"the longest silence inside a turn is in the JSON (`max_gap_p99_ms`): it stays well "
        f"under the quiet period, so turns are not cut in two.",
        f"- **Open loop**: turns arrive at {plan['rate']:g}/s (Poisson) spread over "
        f"{plan['conversations']} conversations, each waiting for its answer; a finished "
        f"conversation is replaced by a new person. **Closed loop**: N people send their next "
        f"message as soon as the previous turn ended; capacity = N = {plan['capacity']}.",
        "- **Errors**: no reply within 30 s, an apology or error message of the front, a "
        "non-200 or empty REST answer, an open-loop arrival finding every conversation busy.",
        "",
        "### Targets",
        "",
        *_targets(main, plan["capacity"]),
        "",
        "### Runs",
        "",
        *_run_table(results),
        "",
        f"![latency]({plots['latency']})",
        "",
        f"![throughput]({plots['throughput']})",
        "",
        "### Cost of the front",
        "",
        *_ratio(main, plan["capacity"]),
        "",
        "### Start",
        "",
        *_start(main),
        "",
        "### Memory",
        "",
        *_memory(results),
        "",
        "### One → two Rasa processes",
        "",
        *(_two_rasa(results) or ["Not measured in this run."]),
        "",
        "### Levers",
        "",
        *_levers(levers),
        "",
        "Reproduce: `make bench` (full run, under 10 minutes, machine otherwise idle), "
        "`python -m bench.run --quick` (smoke run), `python -m bench.run --levers`. "
        "Raw results: `bench/results/whole-stack.json`, `bench/results/levers.json`.",
        "",
    ]
    return "\n".join(lines)


def update_benchmarks(path: Path, text: str) -> None:
    """Replace the Whole stack section (or append it); every other section stays as it is."""
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    start = current.find(HEADING + "\n")
    if start < 0:
        path.write_text(current.rstrip("\n") + "\n\n" + text)
        return
    end = current.find("\n## ", start + len(HEADING))
    rest = current[end + 1:] if end >= 0 else ""
    path.write_text(current[:start] + text + ("\n" + rest if rest else ""))


def write(results: dict[str, Any], bench_dir: Path) -> None:
    plots_dir = bench_dir / "plots"
    plots_dir.mkdir(exist_ok=True)
    plot_latency(results, plots_dir / "latency.png")
    plot_throughput(results, plots_dir / "throughput.png")
    levers_path = bench_dir / "results" / "levers.json"
    levers = json.loads(levers_path.read_text()) if levers_path.exists() else None
    plots = {"latency": "bench/plots/latency.png", "throughput": "bench/plots/throughput.png"}
    update_benchmarks(bench_dir.parent / "BENCHMARKS.md", section(results, levers, plots))
