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
FRONT, UNLIMITED, REST = "front", "front, no flood limit", "rest"
TARGETS = {"open_p95_ms": 300, "open_p99_ms": 600, "capacity": 60, "first_turn_ms": 500,
           "cold_start_s": 30, "rasa_rss_mb": 1536}


def _runs(setup: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [r for r in setup["runs"] if all(r[k] == v for k, v in match.items())]


def _one(setup: dict[str, Any], **match: Any) -> dict[str, Any] | None:
    found = _runs(setup, **match)
    return found[0] if found else None


# ---- plots -------------------------------------------------------------------


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
            runs = sorted(_runs(setup, shape="closed", transport=transport),
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


# ---- the section -------------------------------------------------------------

PATHS = {FRONT: "front (Telegram, flood limit)", UNLIMITED: "front, no flood limit (what-if)",
         REST: "Rasa alone, REST"}


def _verdict(gains: list[float]) -> str:
    """Kept only if every path gains at least 10 %."""
    return "**pays**" if gains and min(gains) >= 0.10 else "**does not pay**"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _pct(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:+.0f} %" if b else "—"


def _setup(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in results["setups"] if s["name"] == name), None)


def _target_cells(setup: dict[str, Any] | None, path: str, capacity: int) -> dict[str, str]:
    if setup is None:
        return {}
    cells: dict[str, str] = {}
    run = _one(setup, shape="open", transport=path)
    if run:
        cells["p95"] = f"{run['p95_ms']} ms, {_met(run['p95_ms'] <= TARGETS['open_p95_ms'])}"
        cells["p99"] = f"{run['p99_ms']} ms, {_met(run['p99_ms'] <= TARGETS['open_p99_ms'])}"
        cells["errors"] = f"{run['errors']}, {_met(run['errors'] == 0)}"
    run = _one(setup, shape="closed", transport=path, concurrency=capacity)
    if run:
        cells["capacity"] = (f"{run['throughput']} turns/s, "
                             f"{_met(run['throughput'] >= TARGETS['capacity'])}")
    return cells


def _targets(results: dict[str, Any]) -> list[str]:
    capacity = results["plan"]["capacity"]
    one, two = _setup(results, "1 Rasa"), _setup(results, "2 Rasa")
    columns = [
        ("1 Rasa, front as shipped", _target_cells(one, FRONT, capacity)),
        ("1 Rasa, no flood limit", _target_cells(one, UNLIMITED, capacity)),
        ("2 Rasa, no flood limit", _target_cells(two, UNLIMITED, capacity)),
    ]
    columns = [(title, cells) for title, cells in columns if cells]
    rows = [
        "| target | " + " | ".join(title for title, _ in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    names = {
        "p95": f"open loop {results['plan']['rate']:g} turns/s: p95 ≤ 300 ms",
        "p99": "open loop: p99 ≤ 600 ms",
        "errors": "open loop: no error",
        "capacity": f"closed loop, {capacity} conversations: ≥ 60 turns/s",
    }
    for key, name in names.items():
        rows.append(f"| {name} | " + " | ".join(c.get(key, "—") for _, c in columns) + " |")
    for setup in [s for s in (one, two) if s]:
        first = next((t for t in setup["first_person"] if not t["error"]), None)
        rasa_rss = max(v["rss_peak_mb"] for k, v in _peaks(setup).items() if "rasa" in k)
        cells = {
            "first turn after a start ≤ 500 ms":
                f"{first['latency_ms']} ms, {_met(first['latency_ms'] <= TARGETS['first_turn_ms'])}"
                if first else "no answer, **not met**",
            "cold start (launch → first answer) ≤ 30 s":
                f"{setup['cold_start_s']} s, {_met(setup['cold_start_s'] <= TARGETS['cold_start_s'])}",
            "Rasa server memory (peak RSS of one process) ≤ 1.5 GB":
                f"{rasa_rss:.0f} MB, {_met(rasa_rss <= TARGETS['rasa_rss_mb'])}",
        }
        for name, cell in cells.items():
            rows.append(f"| {name} ({setup['name']}) | {cell} |" + " |" * (len(columns) - 1))
    return rows


def _peaks(setup: dict[str, Any]) -> dict[str, dict[str, float]]:
    peaks: dict[str, float] = {}
    for usage in [setup["start_footprint"], *(r["footprint"] for r in setup["runs"])]:
        for name, values in usage.items():
            peaks[name] = max(peaks.get(name, 0.0), values["rss_peak_mb"])
    return {name: {"rss_peak_mb": value} for name, value in peaks.items()}


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


def _cpu_per_turn(run: dict[str, Any] | None) -> str:
    if not run or not run["turns"]:
        return ""
    return ", ".join(
        f"{name.removeprefix('bench-')} {usage['cpu_s'] / run['turns'] * 1000:.1f} ms"
        for name, usage in run["footprint"].items()
    )


def _front_cost(results: dict[str, Any]) -> list[str]:
    setup = _setup(results, "1 Rasa")
    if setup is None:
        return []
    capacity = results["plan"]["capacity"]
    lines = []
    limited = _one(setup, shape="closed", transport=FRONT, concurrency=capacity)
    front = _one(setup, shape="closed", transport=UNLIMITED, concurrency=capacity)
    rest = _one(setup, shape="closed", transport=REST, concurrency=capacity)
    if front and rest:
        lines.append(
            f"- Capacity, {capacity} conversations: Rasa alone over REST {rest['throughput']} "
            f"turns/s; through the front without flood limit {front['throughput']} turns/s "
            f"(**{front['throughput'] / rest['throughput']:.2f}×** Rasa alone)"
            + (f"; through the front as shipped {limited['throughput']} turns/s "
               f"(**{limited['throughput'] / rest['throughput']:.2f}×**)." if limited else ".")
        )
    mix = _one(setup, shape="open", transport=UNLIMITED) or _one(setup, shape="open", transport=FRONT)
    if mix and mix["turns"]:
        first = mix["by_question"].get("first", {"turns": 0})["turns"]
        lines.append(
            f"- Open-loop mix: {first / mix['turns']:.0%} of the front's turns were first messages, "
            "answered by the front alone (the consent question); over REST every turn goes to "
            "Rasa. The open-loop comparison favours the front by that much."
        )
    for path in (UNLIMITED, FRONT):
        run, base = _one(setup, shape="open", transport=path), _one(setup, shape="open", transport=REST)
        if run and base:
            lines.append(
                f"- Open loop {run['offered_rate']:g} turns/s, {PATHS[path]} vs Rasa alone: "
                f"p50 {run['p50_ms']} vs {base['p50_ms']} ms, p95 {run['p95_ms']} vs "
                f"{base['p95_ms']} ms, p99 {run['p99_ms']} vs {base['p99_ms']} ms."
            )
    for label, run in (("front without flood limit", front), ("Rasa alone", rest)):
        cpu = _cpu_per_turn(run)
        if cpu:
            lines.append(f"- CPU per turn at capacity, {label}: {cpu}.")
    return lines


def _flood_limit(results: dict[str, Any]) -> list[str]:
    setup = _setup(results, "1 Rasa")
    capacity = results["plan"]["capacity"]
    limited = _one(setup, shape="closed", transport=FRONT, concurrency=capacity) if setup else None
    if not limited:
        return []
    per_turn = limited["replies_per_turn"]
    return [
        "Telegram accepts about 30 messages per second from a bot in all (its FAQ; more only "
        "as paid broadcasts), and the front keeps to it: PTB's `AIORateLimiter` "
        "(bot/retry_limiter.py) queues every call that names a chat (messages, keyboard "
        "edits, \"typing…\") at 30 per second for the whole bot. A turn sends "
        f"{per_turn} messages on average here (recommendations are 5 to 10), plus a keyboard "
        "edit after each button press, so on Telegram the whole stack cannot carry more than "
        f"about 30 ÷ ({per_turn} + edits) turns per second whatever the servers: measured "
        f"{limited['throughput']} turns/s at {capacity} conversations. The fake Bot API has no "
        "such limit; the runs marked \"no flood limit\" start the front with it lifted "
        "(`python -m bench.front_unthrottled`) to show what the rest of the stack carries.",
    ]


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
        for name, usage in _peaks(setup).items():
            rows.append(f"| {setup['name']} | {name.removeprefix('bench-')} | "
                        f"{usage['rss_peak_mb']:.0f} |")
    return rows


def _two_rasa(results: dict[str, Any]) -> list[str]:
    one, two = _setup(results, "1 Rasa"), _setup(results, "2 Rasa")
    if not (one and two):
        return ["Not measured in this run."]
    lines = []
    for path in (UNLIMITED, REST):
        for size in sorted({r["concurrency"] for r in _runs(two, shape="closed", transport=path)}):
            a = _one(one, shape="closed", transport=path, concurrency=size)
            b = _one(two, shape="closed", transport=path, concurrency=size)
            if a and b:
                lines.append(
                    f"- {PATHS[path]}, closed loop {size} conversations: {a['throughput']} → "
                    f"{b['throughput']} turns/s (**{_pct(b['throughput'], a['throughput'])}**), "
                    f"p95 {a['p95_ms']} → {b['p95_ms']} ms."
                )
        a, b = _one(one, shape="open", transport=path), _one(two, shape="open", transport=path)
        if a and b:
            lines.append(f"- {PATHS[path]}, open loop {a['offered_rate']:g}/s: p95 {a['p95_ms']} → "
                         f"{b['p95_ms']} ms, p99 {a['p99_ms']} → {b['p99_ms']} ms, errors "
                         f"{a['errors']} → {b['errors']}.")
    capacity = results["plan"]["capacity"]
    gains = [
        b["throughput"] / a["throughput"] - 1
        for path in (UNLIMITED, REST)
        if (a := _one(one, shape="closed", transport=path, concurrency=capacity))
        and (b := _one(two, shape="closed", transport=path, concurrency=capacity))
    ]
    rss = max(v["rss_peak_mb"] for k, v in _peaks(two).items() if "rasa" in k)
    lines.append(
        f"- Verdict at {capacity} conversations: {_verdict(gains)}. Cost: a second model in "
        f"memory (about {rss:.0f} MB more) and a slower start when both load at once (above). "
        "`RASA_URLS` in the front is kept; running a second Rasa process in production is a "
        "choice for the Procfile."
    )
    return lines


def _action_workers(levers: dict[str, Any] | None) -> list[str]:
    if not levers:
        return ["- Action-server workers: not measured yet (`python -m bench.run --levers`)."]
    setup = levers["setups"][0]
    lines = [f"- Action-server workers (`ACTION_SERVER_SANIC_WORKERS`), 1 → 2, measured "
             f"{levers['date']} with `{levers['command']}`:"]
    capacity = levers["plan"]["capacity"]
    gains = []
    for path in (UNLIMITED, REST):
        runs = _runs(setup, shape="closed", transport=path, concurrency=capacity)
        one = next((r for r in runs if not r["note"]), None)
        two = next((r for r in runs if r["note"]), None)
        if one and two:
            gains.append(two["throughput"] / one["throughput"] - 1)
            lines.append(
                f"  {PATHS[path]}, {one['concurrency']} conversations: {one['throughput']} → "
                f"{two['throughput']} turns/s ({_pct(two['throughput'], one['throughput'])}), "
                f"p95 {one['p95_ms']} → {two['p95_ms']} ms; action server peak RSS "
                f"{one['footprint']['bench-actions']['rss_peak_mb']:.0f} → "
                f"{two['footprint']['bench-actions']['rss_peak_mb']:.0f} MB."
            )
    lines.append(f"  Verdict: {_verdict(gains)} (kept if both paths gain 10 % or more); one "
                 "worker stays: the action server does about 1.5 ms of work per turn. (The runs "
                 "after the restart continue conversations under way, a slightly heavier mix "
                 "than the first runs, which start with new people.)")
    return lines


def _speedup_runs(levers: dict[str, Any], name: str) -> tuple[list[str], list[float]]:
    """Rasa's own code (``--stock name``) → the stack's: one person alone, then capacity."""
    before, after = _setup(levers, f"1 Rasa, stock {name}"), _setup(levers, "1 Rasa")
    if not (before and after):
        return [], []
    capacity = levers["plan"]["capacity"]
    lines, gains = [], []
    alone = [_one(s, transport=REST, concurrency=1) for s in (before, after)]
    if alone[0] and alone[1]:
        lines.append(f"  Rasa alone over REST, one person: median {alone[0]['p50_ms']} → "
                     f"{alone[1]['p50_ms']} ms;")
    for path in (UNLIMITED, REST):
        a = next((r for r in _runs(before, shape="closed", transport=path, concurrency=capacity)
                  if not r["note"]), None)
        b = next((r for r in _runs(after, shape="closed", transport=path, concurrency=capacity)
                  if not r["note"]), None)
        if a and b:
            gains.append(b["throughput"] / a["throughput"] - 1)
            cpu = [r["footprint"]["bench-rasa-1"]["cpu_s"] / max(r["turns"], 1) * 1000
                   for r in (a, b)]
            lines.append(
                f"  {PATHS[path]}, {capacity} conversations: {a['throughput']} → "
                f"{b['throughput']} turns/s (**{_pct(b['throughput'], a['throughput'])}**), p95 "
                f"{a['p95_ms']} → {b['p95_ms']} ms, Rasa CPU per turn {cpu[0]:.0f} → {cpu[1]:.0f} ms."
            )
    return lines, gains


def _cached_validation(levers: dict[str, Any] | None) -> list[str]:
    lines, gains = _speedup_runs(levers, "validation") if levers else ([], [])
    if not lines:
        return []
    costs = levers.get("validation_ms", {})  # type: ignore[union-attr]
    return [
        "- Cached validation of the action server's answers. Rasa checks each answer with "
        "`jsonschema.validate`, which first validates the (large) events schema against its "
        "meta-schema, on every call: "
        f"{costs.get('jsonschema.validate', '?')} ms per custom action call here, against "
        f"{costs.get('validator built once', '?')} ms with a validator built once, which gives "
        "the same verdict (`rasa_ext/action_validation.py`; on failure Rasa's own check runs, "
        "so the error reads the same). Rasa's own way (`bench/rasa_server.py --stock "
        "validation`) → the stack's; a turn calls the action server about once:",
        *lines,
        f"  Verdict: {_verdict(gains)}; tests/test_action_validation.py checks the same verdicts "
        "and messages as Rasa's.",
    ]


def _event_lookup(levers: dict[str, Any] | None) -> list[str]:
    lines, gains = _speedup_runs(levers, "events") if levers else ([], [])
    if not lines:
        return []
    return [
        "- Event classes looked up once. For every event it reads back (the tracker from Redis, "
        "the same tracker again before saving it, each answer of the action server) Rasa lists "
        "every `Event` subclass anew; `rasa_ext/event_types.py` remembers the class found for "
        "each type name. Rasa's own way (`--stock events`) → the stack's:",
        *lines,
        f"  Verdict: {_verdict(gains)}; tests/test_event_types.py checks the same events back "
        "and the same errors.",
    ]


def _all_stock(levers: dict[str, Any] | None) -> list[str]:
    stock = _setup(levers, "1 Rasa, all stock") if levers else None
    ours = _setup(levers, "1 Rasa") if levers else None
    if not (stock and ours):
        return []
    capacity = levers["plan"]["capacity"]  # type: ignore[index]
    base = _one(stock, shape="closed", transport=REST, concurrency=capacity)
    rest, front = (next((r for r in _runs(ours, shape="closed", transport=path,
                                          concurrency=capacity) if not r["note"]), None)
                   for path in (REST, UNLIMITED))
    if not (base and rest and front):
        return []
    return [
        f"- All three speed-ups left out, i.e. stock Rasa 3.6 on the same model over REST: "
        f"{base['throughput']} turns/s at {capacity} conversations (p95 {base['p95_ms']} ms), "
        f"against {rest['throughput']} for this stack's Rasa alone; through the front (no "
        f"flood limit) the stack carries {front['throughput']} turns/s, "
        f"**{front['throughput'] / base['throughput']:.2f}×** stock Rasa.",
    ]


def _model_loading(levers: dict[str, Any] | None) -> list[str]:
    before = _setup(levers, "1 Rasa, stock load") if levers else None
    after = _setup(levers, "1 Rasa") if levers else None
    if not (before and after):
        return []
    ready = [s["ready_s"].get("bench-rasa-1") for s in (before, after)]
    first = [s["first_person"][0]["latency_ms"] if s.get("first_person") else None
             for s in (before, after)]
    return [
        "- Model loading without Rasa's training step. To build DIET before restoring its "
        "weights, Rasa runs one training step, and TensorFlow traces the whole training graph "
        "with its gradients; `rasa_ext/model_loading.py` builds the same variables with one "
        "forward pass instead, then restores the "
        "weights and traces the prediction function as before. Rasa's own way "
        "(`--stock load`) → the stack's: Rasa ready after launch "
        f"{ready[0]} → {ready[1]} s; cold start through the front {before['cold_start_s']} → "
        f"**{after['cold_start_s']} s**; first turn after the start {first[0]} → {first[1]} ms. "
        "Verdict: **pays**; tests/test_model_loading.py checks that the held-out set parses "
        "the same (intents, confidences, entities) both ways.",
    ]


def _tap_cost(levers: dict[str, Any] | None) -> list[str]:
    setup = levers["setups"][0] if levers else None
    direct = _one(setup, transport=REST, concurrency=1) if setup else None
    tapped = _one(setup, transport="rest through the tap", concurrency=1) if setup else None
    if not (direct and tapped):
        return []
    return [
        f"- The benchmark's tap (one person alone, REST straight to Rasa vs through the tap): "
        f"median {direct['p50_ms']} → {tapped['p50_ms']} ms, p95 {direct['p95_ms']} → "
        f"{tapped['p95_ms']} ms. The front's latencies above include this hop."
    ]


def _warm_up(results: dict[str, Any]) -> list[str]:
    main = results["setups"][0]
    cold = [t["latency_ms"] for t in main["first_person"] if not t["error"]]
    warm = [t["latency_ms"] for t in main["twin_person"] if not t["error"]]
    if not (cold and warm):
        return []
    needed = cold[0] > TARGETS["first_turn_ms"] or sum(cold) > 1.2 * sum(warm)
    return [
        f"- Warm-up at start: **{'would pay' if needed else 'not needed'}**. The first turn "
        f"after a start took {cold[0]} ms "
        f"({warm[0]} ms for the same turn later); the first person's whole conversation "
        f"{sum(cold)} ms against {sum(warm)} ms for the same moves once warm. Rasa already runs "
        "one prediction through DIET when it loads the model, so TensorFlow's functions are "
        "traced before the server answers."
    ]


def _cached_answers(results: dict[str, Any]) -> list[str]:
    main = results["setups"][0]
    capacity = results["plan"]["capacity"]
    run = _one(main, shape="closed", transport=UNLIMITED, concurrency=capacity) or _one(
        main, shape="closed", transport=FRONT, concurrency=capacity)
    if not run:
        return []
    kinds = run["by_question"]
    total = sum(k["turns"] for k in kinds.values())
    practical = kinds.get("practical", {"turns": 0})["turns"]
    return [
        f"- Cached answers for practical questions: {practical} of {total} turns "
        f"({practical / max(total, 1):.0%}) at capacity were practical questions, and they cost "
        "Rasa as much as any turn (NLU, policies, tracker). A front-side cache would skip Rasa "
        "for them only if the answer did not depend on the conversation; here it does (asked in "
        "the middle of the profile, the question is answered and the pending question asked "
        "again; the funding answer depends on the situation given), and the tracker would miss "
        "the turn. The gain is bounded by that share: not implemented."
    ]


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
        "driven through `POST /webhooks/rest/webhook`, with no front; stock Rasa 3.6, without "
        "the speed-ups, is measured under Levers.",
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
        f"- **Open loop**: turns arrive at {plan['rate']:g}/s (Poisson) spread over "
        f"{plan['conversations']} conversations, each waiting for its answer; a finished "
        "conversation is replaced by a new person. In a run each conversation gets about "
        f"{_turns_per_conversation(results)} turns, so the mix leans to the first half of the "
        "conversation (see Cost of the front; `by_question` in the JSON). **Closed loop**: "
        "N people send their next message as soon "
        f"as the previous turn ended; the capacity figure is N = {plan['capacity']}. The loops "
        "of a path run from the largest to the smallest and each continues the conversations "
        "the previous one left under way, so the mix is that of whole conversations, except in "
        "the first (largest) loop, which starts with new people.",
        "- **Errors**: no answer within 30 s, an apology or error message from the front, a "
        "non-200 or empty REST answer; in the open loop, an arrival finding all conversations "
        "waiting (dropped) or a turn still unanswered 10 s after the last arrival (unfinished).",
        "",
        "### Targets",
        "",
        *_targets(results),
        "",
        "### The Telegram flood limit",
        "",
        *_flood_limit(results),
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
        *_front_cost(results),
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
        *_two_rasa(results),
        "",
        "### Levers",
        "",
        "Kept only if they pay. The Telegram flood limit and 1 → 2 Rasa processes are above.",
        "",
        *_warm_up(results),
        *_action_workers(levers),
        *_cached_validation(levers),
        *_event_lookup(levers),
        *_model_loading(levers),
        *_all_stock(levers),
        *_tap_cost(levers),
        *_cached_answers(results),
        "",
        "Reproduce: `make bench` (full run, under 10 minutes; run it on an otherwise idle "
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
    plot_throughput(results, plots_dir / "throughput.png")
    levers_path = bench_dir / "results" / "levers.json"
    levers = json.loads(levers_path.read_text()) if levers_path.exists() else None
    plots = {"latency": "bench/plots/latency.png", "throughput": "bench/plots/throughput.png"}
    update_benchmarks(bench_dir.parent / "BENCHMARKS.md", section(results, levers, plots))
