"""The report's figures on Telegram's terms (issue 16): the targets, Bot API calls per
turn and the ceiling they imply, the throttled front's open loops, the overload case,
and the capacity without the flood limit against stock Rasa."""

from __future__ import annotations

from typing import Any

from bench.calls import FLOOD_LIMIT, METHODS, NOT_LIMITED
from bench.plan import STOCK_SETUP
from bench.report_comparisons import PATHS
from bench.results_lookup import (
    FRONT,
    REST,
    TARGETS,
    UNLIMITED,
    find_run,
    find_runs,
    find_setup,
    rss_peaks,
)


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _cell(value: Any, unit: str, ok: bool) -> str:
    return f"{value}{unit}, {_met(ok)}"


def _overload_cells(overload: dict[str, Any] | None) -> dict[str, str]:
    if overload is None:
        return {}
    ratio = overload["fairness"].get("worst_mean_ratio")
    own = overload.get("fairness_after_own", {}).get("worst_mean_ratio")
    drain = overload["drain_calls_s"]
    limit = TARGETS["worst_chat_ratio"]
    return {
        "answered": _cell(overload["unanswered"], " unanswered", overload["unanswered"] == 0),
        "order": _cell("kept" if overload["in_order"] else "broken", "", overload["in_order"]),
        "fair": _cell(ratio, "× the median chat's mean wait", ratio is not None and ratio <= limit),
        **({"fair_own": _cell(own, "× the median chat's", own <= limit)} if own else {}),
        "drain": _cell(drain, f" calls/s (of {overload['flood_limit']:g})",
                       drain is not None
                       and drain >= TARGETS["drain_share"] * overload["flood_limit"]),
    }


def targets(results: dict[str, Any]) -> list[str]:
    one = find_setup(results, "1 Rasa")
    if one is None:
        return []
    capacity = results["plan"]["capacity"]
    rate = TARGETS["open_rate"]
    throttled = find_run(one, shape="open", transport=FRONT, offered_rate=rate)
    closed = find_run(one, shape="closed", transport=UNLIMITED, concurrency=capacity)
    fast = find_run(one, shape="open", transport=UNLIMITED)
    overloads = one.get("overloads", [])
    over = _overload_cells(overloads[0] if overloads else None)
    rows = ["| target (issue 16) | measured |", "|---|---|"]
    if throttled:
        per_turn = throttled["calls_per_turn"].get("limited")
        rows += [
            f"| throttled front, open loop {rate:g} turns/s: p95 ≤ {TARGETS['open_p95_ms']} ms | "
            + _cell(throttled["p95_ms"], " ms", throttled["p95_ms"] <= TARGETS["open_p95_ms"]) + " |",
            f"| … p99 ≤ {TARGETS['open_p99_ms']} ms | "
            + _cell(throttled["p99_ms"], " ms", throttled["p99_ms"] <= TARGETS["open_p99_ms"]) + " |",
            "| … no error | " + _cell(throttled["errors"], "", throttled["errors"] == 0) + " |",
            f"| ≤ {TARGETS['calls_per_turn']} limited Bot API calls per turn (same run) | "
            + _cell(per_turn, "", per_turn is not None and per_turn <= TARGETS["calls_per_turn"])
            + " |",
        ]
    if closed:
        rows += [
            f"| front without flood limit, closed loop {capacity} conversations, 1 Rasa: "
            f"≥ {TARGETS['capacity']} turns/s | "
            + _cell(closed["throughput"], " turns/s", closed["throughput"] >= TARGETS["capacity"])
            + " |",
            f"| … p95 ≤ {TARGETS['open_p95_ms']} ms | "
            + _cell(closed["p95_ms"], " ms", closed["p95_ms"] <= TARGETS["open_p95_ms"]) + " |",
        ]
    if fast:
        rows.append(f"| front without flood limit, open loop {fast['offered_rate']:g} turns/s: "
                    f"p95 ≤ {TARGETS['open_p95_ms']} ms, no error | "
                    + _cell(f"{fast['p95_ms']} ms, {fast['errors']} errors", "",
                            fast["p95_ms"] <= TARGETS["open_p95_ms"] and not fast["errors"]) + " |")
    names = {"answered": "overload: every turn answered", "order": "… in order within each chat",
             "fair": f"… worst chat ≤ {TARGETS['worst_chat_ratio']:g}× the median chat",
             "fair_own": "… the same, each wait counted from the answer to the chat's "
                         "previous message (not the time behind its own messages)",
             "drain": f"… drains at the ceiling (≥ {TARGETS['drain_share']:.0%} of the flood "
                      "limit's calls/s)"}
    rows += [f"| {name} | {over[key]} |" for key, name in names.items() if key in over]
    first = next((t for t in one["first_person"] if not t["error"]), None)
    rasa_rss = max(v["rss_peak_mb"] for k, v in rss_peaks(one).items() if "rasa" in k)
    rows += [
        f"| first turn after a start ≤ {TARGETS['first_turn_ms']} ms | "
        + (_cell(first["latency_ms"], " ms", first["latency_ms"] <= TARGETS["first_turn_ms"])
           if first else "no answer, **not met**") + " |",
        f"| cold start (launch → first answer) ≤ {TARGETS['cold_start_s']} s | "
        + _cell(one["cold_start_s"], " s", one["cold_start_s"] <= TARGETS["cold_start_s"]) + " |",
        "| Rasa server memory (peak RSS of one process) ≤ 1.5 GB | "
        + _cell(f"{rasa_rss:.0f}", " MB", rasa_rss <= TARGETS["rasa_rss_mb"]) + " |",
    ]
    return rows


def calls_table(results: dict[str, Any]) -> list[str]:
    """Calls per turn by method for every run through the front, and the ceiling."""
    rows: list[tuple[str, dict[str, Any]]] = []
    for setup in results["setups"]:
        for r in setup["runs"]:
            if r["transport"] in (FRONT, UNLIMITED) and r.get("calls_per_turn"):
                load = (f"open {r['offered_rate']:g}/s" if r["shape"] == "open"
                        else f"closed {r['concurrency']}")
                rows.append((f"{setup['name']}, {PATHS[r['transport']]}, {load}",
                             r["calls_per_turn"]))
        for o in setup.get("overloads", []):
            if o["calls_per_turn"]:
                rows.append((f"{setup['name']}, overload {o['offered_rate']:g}/s",
                             o["calls_per_turn"]))
    if not rows:
        return ["No run through the front."]
    others = sorted({m for _, c in rows for m in c["by_method"]} - set(METHODS) - NOT_LIMITED)
    limited = [m for m in (*METHODS, *others) if m not in NOT_LIMITED]
    table = [
        "| run | " + " | ".join(limited) + " | **limited, in all** | ceiling (turns/s) | "
        + " | ".join(sorted(NOT_LIMITED)) + " (not limited) |",
        "|---|" + "---|" * (len(limited) + 2 + len(NOT_LIMITED)),
    ]
    for name, c in rows:
        cells = [f"{c['by_method'].get(m, 0):.2f}" for m in limited]
        apart = [f"{c['by_method'].get(m, 0):.2f}" for m in sorted(NOT_LIMITED)]
        table.append(f"| {name} | " + " | ".join(cells) + f" | **{c['limited']:.2f}** | "
                     f"{c['ceiling_turns_s']} | " + " | ".join(apart) + " |")
    return [
        "Counted by the fake Bot API itself during each run (tests/fake_telegram.py, "
        "`method_counts`), divided by the turns of the run: whatever the front sends is what is "
        f"counted. Telegram lets a bot make about {FLOOD_LIMIT:g} calls per second that name a "
        "chat; answerCallbackQuery (the answer to a button press) is not limited and is shown "
        f"apart. The ceiling is {FLOOD_LIMIT:g} ÷ the limited calls per turn: the turns per "
        "second the bot can carry on Telegram, whatever the servers. The mix differs by run "
        "(an open loop's conversations are younger: more first turns, fewer recommendations).",
        "",
        *table,
    ]


def throttled(results: dict[str, Any]) -> list[str]:
    one = find_setup(results, "1 Rasa")
    runs = sorted(find_runs(one, shape="open", transport=FRONT) if one else [],
                  key=lambda r: r["offered_rate"])
    if not runs:
        return ["Not measured in this run."]
    rows = ["| offered (turns/s) | turns | p50 ms | p95 ms | p99 ms | max ms | errors | "
            "limited calls/s sent | ceiling of this mix (turns/s) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        kinds = [*r["error_kinds"], *(f"{r[k]} {k}" for k in ("dropped", "unfinished") if r.get(k))]
        errors = str(r["errors"]) + (f" ({'; '.join(kinds)})" if kinds else "")
        wall_s = r.get("wall_s", r["duration_s"])  # arrivals, then the last turns' grace
        sent = r["calls_per_turn"].get("limited", 0) * r["turns"] / max(wall_s, 1e-9)
        rows.append(f"| {r['offered_rate']:g} | {r['turns']} | {r['p50_ms']} | {r['p95_ms']} | "
                    f"{r['p99_ms']} | {r['max_ms']} | {errors} | {sent:.1f} | "
                    f"{r['calls_per_turn'].get('ceiling_turns_s')} |")
    return [
        f"The front as shipped (`python -m bot`, its limiter configured as in production), open "
        f"loop over {results['plan']['conversations']} conversations:",
        "",
        *rows,
    ]


def overload(results: dict[str, Any]) -> list[str]:
    one = find_setup(results, "1 Rasa")
    overloads = one.get("overloads", []) if one else []
    if not overloads:
        return ["Not measured in this run."]
    lines = []
    for o in overloads:
        fair, bg, imp = o["fairness"], o["background"], o["impatient"]
        reminder = (f"delivered {bg['delay_s']} s after falling due" if bg["delivered"]
                    else "**not delivered**")
        lines += [
            f"- Offered {o['offered_rate']:g} turns/s ({o['factor']:g} × the ceiling of "
            f"{o['ceiling_before']} turns/s the run before measured) for {o['seconds']:g} s"
            + (f", once the front had sent nothing for 2 s ({o['settled_before_s']} s after the "
               "run before)" if "settled_before_s" in o else "") + ": "
            f"{o['turns']} turns, **{o['unanswered']} unanswered** {o['drain_limit_s']:g} s "
            "after the load stopped"
            + (f" ({'; '.join(o['error_kinds'])})" if o["error_kinds"] else "") + ".",
            f"- Order within each chat: **{'kept' if o['in_order'] else 'broken'}** "
            f"({imp['chats']} chats sent {imp['messages']} practical questions without waiting; "
            f"{imp['answered']} answered; the fake Bot API received the answers' texts in the "
            "order of the person's messages).",
            f"- Fairness over {fair.get('chats')} chats: mean wait of the median chat "
            f"{fair.get('median_chat_mean_s')} s, of the worst {fair.get('worst_chat_mean_s')} s "
            f"(**{fair.get('worst_mean_ratio')}×**); longest wait of the median chat "
            f"{fair.get('median_chat_max_s')} s, of the worst {fair.get('worst_chat_max_s')} s "
            f"({fair.get('worst_max_ratio')}×). Turn latency p50 {o['p50_s']} s, max {o['max_s']} s.",
            *_after_own(o),
            f"- Drain once the load stopped: **{o['drain_s']} s** for {o['drain_turns']} turns, "
            f"{o['drain_rate']} turns/s against a ceiling of "
            f"{o['calls_per_turn'].get('ceiling_turns_s')} turns/s for this mix "
            f"({o['calls_per_turn'].get('limited')} limited calls per turn); "
            f"**{o['drain_calls_s']} limited calls/s** against the flood limit of "
            f"{o['flood_limit']:g}.",
            f"- A background message (an appointment reminder falling due {bg['due_after_s']} s "
            f"into the overload, picked up by the front's reminder loop every second): {reminder}.",
        ]
    return lines


def _after_own(o: dict[str, Any]) -> list[str]:
    own = o.get("fairness_after_own")
    if not own:
        return []
    return [
        "- The same with each wait counted from when the chat's previous message was answered "
        "(the worst chats are the ones that sent several messages without waiting, answered in "
        "order on purpose): mean wait of the median chat "
        f"{own.get('median_chat_mean_s')} s, of the worst {own.get('worst_chat_mean_s')} s "
        f"(**{own.get('worst_mean_ratio')}×**); longest wait {own.get('median_chat_max_s')} s "
        f"against {own.get('worst_chat_max_s')} s ({own.get('worst_max_ratio')}×).",
    ]


def capacity(results: dict[str, Any]) -> list[str]:
    one, stock = find_setup(results, "1 Rasa"), find_setup(results, STOCK_SETUP)
    if one is None:
        return []
    capacity = results["plan"]["capacity"]
    closed = find_run(one, shape="closed", transport=UNLIMITED, concurrency=capacity)
    fast = find_run(one, shape="open", transport=UNLIMITED)
    rest = find_run(one, shape="closed", transport=REST, concurrency=capacity)
    base = find_run(stock, shape="closed", transport=REST, concurrency=capacity) if stock else None
    lines = []
    if closed:
        lines.append(f"- Front without flood limit, closed loop {capacity} conversations: "
                     f"**{closed['throughput']} turns/s**, p95 {closed['p95_ms']} ms, "
                     f"errors {closed['errors']}.")
    if fast:
        lines.append(f"- Front without flood limit, open loop {fast['offered_rate']:g} turns/s: "
                     f"p50 {fast['p50_ms']}, **p95 {fast['p95_ms']} ms**, p99 {fast['p99_ms']} ms, "
                     f"errors {fast['errors']}.")
    if rest:
        lines.append(f"- This stack's Rasa alone over REST, closed loop {capacity}: "
                     f"{rest['throughput']} turns/s, p95 {rest['p95_ms']} ms.")
    if base:
        lines.append(f"- Stock Rasa 3.6 over REST on the same model, same run "
                     f"(`bench/rasa_server.py {' '.join('--stock ' + n for n in stock['options']['stock'])}`), "
                     f"closed loop {capacity}: {base['throughput']} turns/s, p95 {base['p95_ms']} ms"
                     + (f"; the stack through its front carries **"
                        f"{closed['throughput'] / base['throughput']:.2f}×** stock Rasa"
                        if closed and base["throughput"] else "") + ".")
    return lines
