"""How the paths and setups compare, for the report: the words of a comparison
(path names, change in per cent, verdict) and the sections made of them: the
cost of the front, one → two Rasa processes.
"""

from __future__ import annotations

from typing import Any

from bench.results_lookup import FRONT, REST, UNLIMITED, find_run, find_runs, find_setup, rss_peaks

PATHS = {FRONT: "front (Telegram, flood limit)", UNLIMITED: "front, no flood limit (what-if)",
         REST: "Rasa alone, REST"}


def verdict(gains: list[float], drift: float = 0.0) -> str:
    """Kept only if every path gains at least 10 %; no verdict when the gains are within
    ``drift``, how far the same setup measured twice in the run moved."""
    if gains and drift and max(abs(g) for g in gains) < drift:
        return f"**within noise** (the same runs moved {drift * 100:.0f} % over the levers run)"
    return "**pays**" if gains and min(gains) >= 0.10 else "**does not pay**"


def pct(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:+.0f} %" if b else "—"


def _cpu_per_turn(run: dict[str, Any] | None) -> str:
    if not run or not run["turns"]:
        return ""
    return ", ".join(
        f"{name.removeprefix('bench-')} {usage['cpu_s'] / run['turns'] * 1000:.1f} ms"
        for name, usage in run["footprint"].items()
    )


def front_cost(results: dict[str, Any]) -> list[str]:
    setup = find_setup(results, "1 Rasa")
    if setup is None:
        return []
    capacity = results["plan"]["capacity"]
    lines = []
    limited = find_run(setup, shape="closed", transport=FRONT, concurrency=capacity)
    front = find_run(setup, shape="closed", transport=UNLIMITED, concurrency=capacity)
    rest = find_run(setup, shape="closed", transport=REST, concurrency=capacity)
    if front and rest:
        lines.append(
            f"- Capacity, {capacity} conversations: Rasa alone over REST {rest['throughput']} "
            f"turns/s; through the front without flood limit {front['throughput']} turns/s "
            f"(**{front['throughput'] / rest['throughput']:.2f}×** Rasa alone)"
            + (f"; through the front as shipped {limited['throughput']} turns/s "
               f"(**{limited['throughput'] / rest['throughput']:.2f}×**)." if limited else ".")
        )
    mix = find_run(setup, shape="open", transport=UNLIMITED) or find_run(setup, shape="open", transport=FRONT)
    if mix and mix["turns"]:
        first = mix["by_question"].get("first", {"turns": 0})["turns"]
        lines.append(
            f"- Open-loop mix: {first / mix['turns']:.0%} of the front's turns were first messages, "
            "answered by the front alone (the consent question); over REST every turn goes to "
            "Rasa. The open-loop comparison favours the front by that much."
        )
    for path in (UNLIMITED, FRONT):
        run, base = find_run(setup, shape="open", transport=path), find_run(setup, shape="open", transport=REST)
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


def two_rasa(results: dict[str, Any]) -> list[str]:
    one, two = find_setup(results, "1 Rasa"), find_setup(results, "2 Rasa")
    if not (one and two):
        return ["Not measured in this run."]
    lines = []
    for path in (UNLIMITED, REST):
        for size in sorted({r["concurrency"] for r in find_runs(two, shape="closed", transport=path)}):
            a = find_run(one, shape="closed", transport=path, concurrency=size)
            b = find_run(two, shape="closed", transport=path, concurrency=size)
            if a and b:
                lines.append(
                    f"- {PATHS[path]}, closed loop {size} conversations: {a['throughput']} → "
                    f"{b['throughput']} turns/s (**{pct(b['throughput'], a['throughput'])}**), "
                    f"p95 {a['p95_ms']} → {b['p95_ms']} ms."
                )
        a, b = find_run(one, shape="open", transport=path), find_run(two, shape="open", transport=path)
        if a and b:
            lines.append(f"- {PATHS[path]}, open loop {a['offered_rate']:g}/s: p95 {a['p95_ms']} → "
                         f"{b['p95_ms']} ms, p99 {a['p99_ms']} → {b['p99_ms']} ms, errors "
                         f"{a['errors']} → {b['errors']}.")
    capacity = results["plan"]["capacity"]
    gains = [
        b["throughput"] / a["throughput"] - 1
        for path in (UNLIMITED, REST)
        if (a := find_run(one, shape="closed", transport=path, concurrency=capacity))
        and (b := find_run(two, shape="closed", transport=path, concurrency=capacity))
    ]
    rss = max(v["rss_peak_mb"] for k, v in rss_peaks(two).items() if "rasa" in k)
    lines.append(
        f"- Verdict at {capacity} conversations: {verdict(gains)}. Cost: a second model in "
        f"memory (about {rss:.0f} MB more) and a slower start when both load at once (above). "
        "`RASA_URLS` in the front is kept; running a second Rasa process in production is a "
        "choice for the Procfile."
    )
    return lines
