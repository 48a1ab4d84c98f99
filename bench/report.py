"""The "Whole stack" section of BENCHMARKS.md, from the results JSON, and its plots.

Only the section under ``## Whole stack`` is rewritten (up to the next
``## `` heading); the rest of the file, the NLU section included, is kept.
This module holds the section's frame and its tables (runs, bursts, start,
memory); the targets and the figures on Telegram's terms (calls per turn,
throttled front, overload, capacity) are in bench/report_telegram.py, the plots
in bench/plots.py, the comparisons between paths in bench/report_comparisons.py,
the levers in bench/report_levers.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from bench.plots import plot_calls, plot_latency
from bench.report_comparisons import PATHS, front_cost, two_rasa
from bench.report_levers import lever_lines
from bench.report_telegram import calls_table, capacity, overload, targets, throttled
from bench.results_lookup import rss_peaks

HEADING = "## Whole stack"


def _bursts(results: dict[str, Any]) -> list[str]:
    lines = []
    for setup in results["setups"]:
        for b in setup.get("bursts", []):
            lines.append(
                f"- {setup['name']}: {b['messages']} stickers from one chat behind a "
                f"{b['slow_turn_s']:g} s turn (bench/burst.py): {b['answered']} answered in "
                f"{b['burst_s']} s; another chat alone p50 {b['alone']['p50_ms']} ms, during "
                f"the burst first {b['first_during_ms']} ms, p50 {b['during']['p50_ms']}, max "
                f"{b['during']['max_ms']} ms ({b['during']['probes']} probes, errors "
                f"{b['during']['errors']}).")
    return lines or ["Not measured in this run."]


def _run_table(results: dict[str, Any]) -> list[str]:
    rows = [
        "| setup | path | load | turns | turns/s | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| messages/turn |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setup in results["setups"]:
        for r in setup["runs"]:
            load = (f"open {r['offered_rate']:g}/s over {r['concurrency']} conv."
                    if r["shape"] == "open" else f"closed, {r['concurrency']} conv.")
            kinds = [*r["error_kinds"], *(f"{r[k]} {k}" for k in ("dropped", "unfinished")
                                          if r.get(k))]
            errors = str(r["errors"]) + (f" ({'; '.join(kinds)})" if kinds else "")
            rows.append(
                f"| {setup['name']} | {PATHS.get(r['transport'], r['transport'])} | {load} | "
                f"{r['turns']} | {r['throughput']} | {r['p50_ms']} | {r['p95_ms']} | "
                f"{r['p99_ms']} | {r['max_ms']} | {errors} | {r['replies_per_turn']} |"
            )
    return rows


def _start(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for setup in results["setups"]:
        ready = ", ".join(f"{k.removeprefix('bench-')} {v} s" for k, v in setup["ready_s"].items())
        lines += [f"- {setup['name']}: ready after launch: {ready}; cold start (launch → first "
                  f"answer from Rasa through the front): **{setup['cold_start_s']} s**."]
    main = results["setups"][0]
    lines += [
        "",
        f"First turns after the start of {main['name']}: one person alone (consent given "
        "beforehand, so the first message goes to Rasa), then a second person making the same "
        "moves, once everything has run once:",
        "",
        "| turn | question | first person, after start (ms) | same turn, second person (ms) |",
        "|---|---|---|---|",
    ]
    for i, (cold, warm) in enumerate(zip(main["first_person"], main["twin_person"], strict=False)):
        lines.append(f"| {i + 1} | {cold['question']} ({cold['kind']}) | {cold['latency_ms']} "
                     f"| {warm['latency_ms']} |")
    return lines


def _memory(results: dict[str, Any]) -> list[str]:
    rows = ["| setup | process | peak RSS (MB) |", "|---|---|---|"]
    for setup in results["setups"]:
        for name, usage in rss_peaks(setup).items():
            rows.append(f"| {setup['name']} | {name.removeprefix('bench-')} | "
                        f"{usage['rss_peak_mb']:.0f} |")
    return rows


def _turns_per_conversation(results: dict[str, Any]) -> str:
    runs = [r for s in results["setups"] for r in s["runs"] if r["shape"] == "open"]
    if not runs:
        return "?"
    return f"{np.mean([r['turns'] / r['concurrency'] for r in runs]):.0f}"


def section(results: dict[str, Any], levers: dict[str, Any] | None, plots: dict[str, str]) -> str:
    plan = results["plan"]
    m = results["machine"]
    busy = results["other_busy_processes"]
    quiet = (
        "Nothing else used more than 5 % of a core" if not busy
        else "Also running (more than 5 % of a core over the run): " + "; ".join(busy)
    )
    lines = [
        HEADING,
        "",
        "<!-- Written by `make bench` (bench/report.py): change the code, not this section. -->",
        "",
        f"Measured {results['date']} with `{results['command']}` ({results['elapsed_s']} s), "
        f"model {results['model']}.",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB, Linux {m['kernel']}, "
        f"Python {m['python']}. Load average before / after: {results['load_average_before']} / "
        f"{results['load_average_after']}. {quiet}.",
        "",
        "What runs: Rasa (`python -m stack.run rasa`), the action server, the front "
        "(`python -m bot`, long polling) and Redis, all on 127.0.0.1; the benchmark process "
        "plays Telegram (the project's fake Bot API, tests/fake_telegram.py) and the people. "
        "Rasa alone is the same Rasa server (with the speed-ups under Levers) on the same model, "
        "driven through `POST /webhooks/rest/webhook`, with no front; stock Rasa 3.6 (without "
        "the speed-ups, `bench/rasa_server.py --stock …`) is started after it, in the same run.",
        "",
        "- **Conversation**: 12 turns per person (bench/people.py): a greeting, the consent "
        "button, « Trouver une formation », the profile questions (prénom typed; each closed "
        "question answered by a button or, 4 times in 10, typed SMS-style: « g le bac pro », "
        "« chui au chomage a koungou »; 3 people in 10 ask a practical question in the middle), "
        "the recommendations, practical questions (« c payant ? », « c'est où le cnam »), then "
        "« prendre rendez-vous » and the booking questions, until 12 turns. People read the "
        "answer and reply to the question asked. Over REST there is no consent turn.",
        "- **Turn, latency**: from the moment the person sends (the scheduled arrival in the "
        "open loop) to the last reply of the turn. Over REST the last reply is the HTTP answer. "
        "The front sends a turn's replies one by one with nothing marking the last: a "
        "pass-through between the front and Rasa (bench/rasa_tap.py) reads how many messages "
        "Rasa's answer makes, and the turn ends when the fake Bot API has received them all "
        "(plus the front's own messages: the consent question). No quiet period, no think time. "
        "The pass-through adds one local HTTP hop to the front's path (measured under Levers).",
        f"- **Open loop**: turns arrive at {' and '.join(f'{r:g}' for r in plan['rates'])} "
        f"turns/s through the front as shipped, and {plan['unthrottled_rate']:g} turns/s "
        f"without its flood limit (Poisson), spread over {plan['conversations']} conversations, "
        "each waiting for its answer; a finished conversation is replaced by a new person. In a "
        f"run each conversation gets about {_turns_per_conversation(results)} turns, so the mix "
        "leans to the first half of the conversation (`by_question` in the JSON). **Closed "
        f"loop**: N people send their next message as soon as the previous turn ended; the "
        f"capacity figure is N = {plan['capacity']}, front without flood limit, one Rasa. "
        "**Overload**: bench/overload.py.",
        "- **Errors**: no answer within 30 s, an apology or error message from the front, a "
        "non-200 or empty REST answer; in the open loop, an arrival finding all conversations "
        "waiting (dropped) or a turn still unanswered 10 s after the last arrival (unfinished).",
        "",
        "### Targets",
        "",
        *targets(results),
        "",
        "### Bot API calls per turn, and the ceiling",
        "",
        *calls_table(results),
        "",
        f"![calls per turn]({plots['calls']})",
        "",
        "### Through the throttled front",
        "",
        *throttled(results),
        "",
        f"![latency]({plots['latency']})",
        "",
        "### Overload",
        "",
        "bench/overload.py: the front as shipped, offered more turns than the flood limit lets "
        "out, then left to drain. People in a conversation (spread over 3,000 chats so that none "
        "is dropped, each waiting for its answer), 10 % of the arrivals from 20 chats sending "
        "practical questions without waiting (so one chat has several messages queued), and an "
        "appointment reminder falling due halfway. A turn not answered by the end of the drain "
        "limit is unanswered.",
        "",
        *overload(results),
        "",
        "### Capacity without the flood limit, and stock Rasa",
        "",
        *capacity(results),
        "",
        "### Runs",
        "",
        *_run_table(results),
        "",
        "### Cost of the front",
        "",
        *front_cost(results),
        "",
        "### One chat's burst",
        "",
        *_bursts(results),
        "",
        "### Start",
        "",
        *_start(results),
        "",
        "### Memory",
        "",
        *_memory(results),
        "",
        "### One → two Rasa processes",
        "",
        "The front spreads chats over the servers of `RASA_URLS` by a stable hash of the chat "
        "id (bot/rasa_client.py), so one process only ever handles a given conversation.",
        "",
        *(two_rasa(levers) if levers else ["Not measured yet (`python -m bench.run --levers`)."]),
        "",
        "### Levers",
        "",
        "Kept only if they pay. The Telegram flood limit and 1 → 2 Rasa processes are above.",
        "",
        *lever_lines(results, levers),
        "",
        "Reproduce: `make bench` (full run, under 15 minutes; run it on an otherwise idle "
        "machine), `python -m bench.run --quick` (smoke run), `python -m bench.run --levers`. "
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


def write(bench_dir: Path) -> None:
    """Plots and section from bench/results/whole-stack.json (and levers.json if there)."""
    main_path = bench_dir / "results" / "whole-stack.json"
    if not main_path.exists():
        print(f"{main_path} missing: run `make bench` first; BENCHMARKS.md not written.")
        return
    results = json.loads(main_path.read_text())
    plots_dir = bench_dir / "plots"
    plots_dir.mkdir(exist_ok=True)
    plot_latency(results, plots_dir / "latency.png")
    plot_calls(results, plots_dir / "calls.png")
    levers_path = bench_dir / "results" / "levers.json"
    levers = json.loads(levers_path.read_text()) if levers_path.exists() else None
    plots = {"latency": "bench/plots/latency.png", "calls": "bench/plots/calls.png"}
    update_benchmarks(bench_dir.parent / "BENCHMARKS.md", section(results, levers, plots))
