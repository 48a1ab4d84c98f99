"""The Levers part of the report: each lever or what-if, measured or reasoned, with its verdict.

The warm-up and cached answers are read from the main run; the action-server
workers, the speed-ups left out (Rasa's own code) and the tap's cost from
levers.json (``python -m bench.run --levers``), when there is one. A speed-up
left out is read against the stack's own runs at the start and at the end of the
levers run (bench/plan.py, ``AGAIN``): a change smaller than their drift is noise.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.plan import AGAIN
from bench.report_comparisons import PATHS, pct, verdict
from bench.results_lookup import FRONT, REST, TARGETS, UNLIMITED, find_run, find_runs, find_setup


def lever_lines(results: dict[str, Any], levers: dict[str, Any] | None) -> list[str]:
    """The bullets under Levers, in the order of the section."""
    return [
        *_warm_up(results),
        *_action_workers(levers),
        *_cached_validation(levers),
        *(line for name, texts in SPEEDUP_TEXTS.items() for line in _speedup(levers, name, *texts)),
        *_model_loading(levers),
        *_all_stock(levers),
        *_tap_cost(levers),
        *_cached_answers(results),
    ]


def _action_workers(levers: dict[str, Any] | None) -> list[str]:
    if not levers:
        return ["- Action-server workers: not measured yet (`python -m bench.run --levers`)."]
    setup = levers["setups"][0]
    lines = [f"- Action-server workers (`ACTION_SERVER_SANIC_WORKERS`), 1 → 2, measured "
             f"{levers['date']} with `{levers['command']}`:"]
    capacity = levers["plan"]["capacity"]
    gains = []
    for path in (UNLIMITED, REST):
        runs = find_runs(setup, shape="closed", transport=path, concurrency=capacity)
        one = next((r for r in runs if not r["note"]), None)
        two = next((r for r in runs if r["note"]), None)
        if one and two:
            gains.append(two["throughput"] / one["throughput"] - 1)
            lines.append(
                f"  {PATHS[path]}, {one['concurrency']} conversations: {one['throughput']} → "
                f"{two['throughput']} turns/s ({pct(two['throughput'], one['throughput'])}), "
                f"p95 {one['p95_ms']} → {two['p95_ms']} ms; action server peak RSS "
                f"{one['footprint']['bench-actions']['rss_peak_mb']:.0f} → "
                f"{two['footprint']['bench-actions']['rss_peak_mb']:.0f} MB."
            )
    lines.append(f"  Verdict: {verdict(gains)} (kept if both paths gain 10 % or more); one "
                 "worker stays: the action server does about 1.5 ms of work per turn. (The runs "
                 "after the restart continue conversations under way, a slightly heavier mix "
                 "than the first runs, which start with new people.)")
    return lines


def _closed_at_capacity(setup: dict[str, Any] | None, path: str, capacity: int) -> dict[str, Any] | None:
    if setup is None:
        return None
    runs = find_runs(setup, shape="closed", transport=path, concurrency=capacity)
    return next((r for r in runs if not r["note"]), None)


def _rasa_cpu_ms(run: dict[str, Any]) -> float:
    return run["footprint"]["bench-rasa-1"]["cpu_s"] / max(run["turns"], 1) * 1000


def _speedup_runs(levers: dict[str, Any], name: str) -> tuple[list[str], list[float], float]:
    """Rasa's own code (``--stock name``) → the stack's, read against the stack's runs at
    the start and at the end of the levers run: one person alone, then capacity. Also
    returns the drift between those two (the noise floor)."""
    before = find_setup(levers, f"1 Rasa, stock {name}")
    firsts = [s for s in (find_setup(levers, "1 Rasa"), find_setup(levers, AGAIN)) if s]
    if not (before and firsts):
        return [], [], 0.0
    capacity = levers["plan"]["capacity"]
    lines, gains, drifts = [], [], []
    alone = find_run(before, transport=REST, concurrency=1)
    ours_alone = [r for s in firsts if (r := find_run(s, transport=REST, concurrency=1))]
    if alone and ours_alone:
        lines.append(f"  Rasa alone over REST, one person: median {alone['p50_ms']} → "
                     f"{' / '.join(str(r['p50_ms']) for r in ours_alone)} ms;")
    for path in (UNLIMITED, REST):
        a = _closed_at_capacity(before, path, capacity)
        ours = [r for s in firsts if (r := _closed_at_capacity(s, path, capacity))]
        if not (a and ours):
            continue
        mean = statistics.mean(r["throughput"] for r in ours)
        gains.append(mean / a["throughput"] - 1)
        if len(ours) == 2:
            drifts.append(abs(ours[0]["throughput"] - ours[1]["throughput"]) / mean)
        lines.append(
            f"  {PATHS[path]}, {capacity} conversations: {a['throughput']} → "
            f"{' / '.join(str(r['throughput']) for r in ours)} turns/s (**"
            f"{pct(mean, a['throughput'])}**{' against their mean' if len(ours) == 2 else ''}), p95 {a['p95_ms']} → "
            f"{' / '.join(str(r['p95_ms']) for r in ours)} ms, Rasa CPU per turn "
            f"{_rasa_cpu_ms(a):.0f} → {' / '.join(f'{_rasa_cpu_ms(r):.0f}' for r in ours)} ms."
        )
    return lines, gains, max(drifts, default=0.0)


def _speedup(levers: dict[str, Any] | None, name: str, intro: str, tested: str) -> list[str]:
    """One speed-up's bullet: what it replaces, Rasa's own way → the stack's, the verdict."""
    lines, gains, drift = _speedup_runs(levers, name) if levers else ([], [], 0.0)
    if not lines:
        return []
    return [intro, *lines, f"  Verdict: {verdict(gains, drift)}; {tested}"]


def _cached_validation(levers: dict[str, Any] | None) -> list[str]:
    costs = (levers or {}).get("validation_ms", {})
    return _speedup(
        levers, "validation",
        "- Cached validation of the action server's answers. Rasa checks each answer with "
        "`jsonschema.validate`, which first validates the (large) events schema against its "
        "meta-schema, on every call: "
        f"{costs.get('jsonschema.validate', '?')} ms per custom action call here, against "
        f"{costs.get('validator built once', '?')} ms with a validator built once, which gives "
        "the same verdict (`rasa_ext/action_validation.py`; on failure Rasa's own check runs, "
        "so the error reads the same). Rasa's own way (`bench/rasa_server.py --stock "
        "validation`) → the stack's; a turn calls the action server about once:",
        "tests/test_action_validation.py checks the same verdicts and messages as Rasa's.")


# The speed-ups whose bullet has no measured detail of its own: intro, what tests it.
SPEEDUP_TEXTS = {
    "events": (
        "- Event classes looked up once. For every event it reads back (the tracker from Redis, "
        "the same tracker again before saving it, each answer of the action server) Rasa lists "
        "every `Event` subclass anew; `rasa_ext/event_types.py` remembers the class found for "
        "each type name. Rasa's own way (`--stock events`) → the stack's:",
        "tests/test_event_types.py checks the same events back and the same errors."),
    "keepalive": (
        "- Action calls over kept-alive connections. Rasa opens a new HTTP session, hence a new "
        "TCP connection, for every call to the action server; `rasa_ext/action_calls.py` keeps "
        "one per endpoint (idle ones closed after 3 s, before the action server would). Rasa's "
        "own way (`--stock keepalive`) → the stack's:",
        "tests/test_action_calls.py checks one connection for successive calls, and calls that "
        "get through after a restart and after idling."),
}


def _all_stock(levers: dict[str, Any] | None) -> list[str]:
    stock = find_setup(levers, "1 Rasa, all stock") if levers else None
    ours = find_setup(levers, "1 Rasa") if levers else None
    if not (stock and ours):
        return []
    capacity = levers["plan"]["capacity"]  # type: ignore[index]
    base = find_run(stock, shape="closed", transport=REST, concurrency=capacity)
    rest, front = (next((r for r in find_runs(ours, shape="closed", transport=path,
                                          concurrency=capacity) if not r["note"]), None)
                   for path in (REST, UNLIMITED))
    if not (base and rest and front):
        return []
    return [
        "- Every speed-up left out, i.e. stock Rasa 3.6 on the same model over REST: "
        f"{base['throughput']} turns/s at {capacity} conversations (p95 {base['p95_ms']} ms), "
        f"against {rest['throughput']} for this stack's Rasa alone; through the front (no "
        f"flood limit) the stack carries {front['throughput']} turns/s, "
        f"**{front['throughput'] / base['throughput']:.2f}×** stock Rasa.",
    ]


def _model_loading(levers: dict[str, Any] | None) -> list[str]:
    before = find_setup(levers, "1 Rasa, stock load") if levers else None
    after = find_setup(levers, "1 Rasa") if levers else None
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
    direct = find_run(setup, transport=REST, concurrency=1) if setup else None
    tapped = find_run(setup, transport="rest through the tap", concurrency=1) if setup else None
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
    run = find_run(main, shape="closed", transport=UNLIMITED, concurrency=capacity) or find_run(
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
