"""``make bench``: the whole stack under load, against stock Rasa on the same model.

    python -m bench.run            full run (under 10 minutes): results JSON,
                                   plots and the "Whole stack" section of BENCHMARKS.md
    python -m bench.run --quick    1-minute smoke run (results/quick.json only)
    python -m bench.run --levers   the levers kept or not (warm-up, action workers)

Each setup starts Rasa, the action server and the front (``python -m bot``)
on 127.0.0.1 against a fake Bot API served by this process, then:
cold start and two people alone (the first turns after a start), the open
loop through the front and straight to Rasa's REST channel, and closed
loops of increasing size through both. Keys live under a Redis prefix of
the run's own, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

# Before anything reads the settings: this run's keys, and the children's.
PREFIX = "bench" + uuid.uuid4().hex[:8]
os.environ["REDIS_PREFIX"] = PREFIX

import aiohttp  # noqa: E402

from bench import report  # noqa: E402
from bench.load import Run, alone, closed_loop, open_loop  # noqa: E402
from bench.people import People  # noqa: E402
from bench.servers import Footprint, Options, Servers, launch, usage_by_group, wait_ready  # noqa: E402
from bench.transports import RestTransport, TelegramTransport, TimedTelegram  # noqa: E402
from cnam import privacy  # noqa: E402
from cnam.store import get_redis  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Plan:
    rate: float = 30.0  # open loop, turns/s
    conversations: int = 300  # open loop
    open_s: float = 60.0
    capacity: int = 20  # closed-loop people of the capacity figure
    capacity_s: float = 30.0
    sweep: tuple[int, ...] = (1, 5, 10, 40)  # other closed-loop sizes, for the plot
    sweep_s: float = 15.0
    rest: bool = True  # the same loads straight to Rasa's REST channel
    quiet: float = 0.2  # seconds without a new message that end a turn on Telegram
    seed: int = 20250601


FULL = Plan()
QUICK = Plan(rate=10.0, conversations=50, open_s=10.0, capacity_s=10.0, sweep=(), rest=True)
# Second setup of the full run: two Rasa processes, front only.
TWO_RASA = replace(FULL, open_s=45.0, sweep=(10, 40), rest=False)


class Setup:
    """One start of the stack and everything measured on it."""

    def __init__(self, name: str, options: Options, plan: Plan, number: int):
        self.name = name
        self.options = options
        self.plan = plan
        # Chat ids of their own per setup: no tracker left by a previous setup is reused.
        self.people = People(plan.seed + number, first_chat_id=1_000_000 * (number + 1))
        self.fake = TimedTelegram()
        self.result: dict[str, Any] = {"name": name, "options": _jsonable(asdict(options))}
        self.runs: list[Run] = []

    async def measure(self) -> dict[str, Any]:
        await self.fake.start()
        env = {"TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_API_BASE_URL": self.fake.base_url}
        servers = launch(self.options, PREFIX, env)
        footprint = Footprint(servers)
        footprint.begin()
        try:
            await wait_ready(servers, front_polling=lambda: bool(self.fake.calls_of("getUpdates")))
            await self._first_turns(servers)
            self.result["start_footprint"] = await footprint.end()
            await self._loads(servers, footprint)
        finally:
            servers.stop()
            await self.fake.stop()
        self.result["runs"] = [r.summary() for r in self.runs]
        return self.result

    async def _first_turns(self, servers: Servers) -> None:
        front = TelegramTransport(self.fake, self.plan.quiet)
        first = self.people.new()
        # Consent given beforehand: the first message goes straight to Rasa.
        await privacy.record_consent(get_redis(), first.chat_id, privacy.ACCEPTED)
        cold = await alone(front, first)
        warm = await alone(front, self.people.new())
        self.result["ready_s"] = {k: round(v, 2) for k, v in servers.ready.items()}
        self.result["cold_start_s"] = round(cold[0].ended - servers.launched, 2)
        self.result["first_person"] = [_turn_row(t) for t in cold]
        self.result["second_person"] = [_turn_row(t) for t in warm]

    async def _loads(self, servers: Servers, footprint: Footprint) -> None:
        plan = self.plan
        front = TelegramTransport(self.fake, plan.quiet)
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            rest = RestTransport(servers.rasa_urls, session, plan.quiet)
            transports = [front, rest] if plan.rest else [front]
            for transport in transports:
                await self._run(footprint, open_loop(
                    transport, self.people, plan.rate, plan.conversations, plan.open_s, plan.seed
                ))
            for transport in transports:
                for size in sorted({plan.capacity, *plan.sweep}):
                    seconds = plan.capacity_s if size == plan.capacity else plan.sweep_s
                    await self._run(footprint, closed_loop(transport, self.people, size, seconds))

    async def _run(self, footprint: Footprint, load: Any) -> None:
        footprint.begin()
        run: Run = await load
        run.footprint = await footprint.end()
        self.runs.append(run)
        summary = run.summary()
        print(
            f"  {self.name:8} {summary['transport']:5} {summary['shape']:6} "
            f"c={summary['concurrency']:<3} {summary['throughput']:6.1f} turns/s  "
            f"p50 {summary['p50_ms']:5} p95 {summary['p95_ms']:5} p99 {summary['p99_ms']:5} ms  "
            f"errors {summary['errors']}",
            flush=True,
        )


def _turn_row(turn: Any) -> dict[str, Any]:
    return {
        "question": turn.question, "kind": turn.kind, "latency_ms": round(turn.latency * 1000),
        "replies": turn.replies, "error": turn.error,
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def machine() -> dict[str, Any]:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": model, "cores": os.cpu_count(), "memory_mb": memory,
        "kernel": platform.release(), "python": platform.python_version(),
    }


def others(before: dict[int, Any], after: dict[int, Any], seconds: float, ours: set[int]) -> list[str]:
    """Process groups not ours that used more than 5 % of a core during the run."""
    busy = []
    for group, usage in after.items():
        share = (usage.cpu - before[group].cpu) / seconds if group in before else 0.0
        if group not in ours and share > 0.05:
            try:
                command = Path(f"/proc/{group}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                command = f"group {group}"
            busy.append(f"{command[:90].strip()} ({share:.0%} of a core)")
    return busy


async def delete_prefix() -> None:
    redis = get_redis()
    async for key in redis.scan_iter(match=f"{PREFIX}:*", count=1000):
        await redis.delete(key)
    await redis.close()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    plan = QUICK if args.quick else FULL
    options = Options(model=args.model)
    setups = [Setup("1 Rasa", options, plan, 0)]
    if not args.quick:
        setups.append(Setup("2 Rasa", replace(options, rasa_processes=2), TWO_RASA, 1))
    started = time.monotonic()
    load_before = os.getloadavg()
    groups_before = usage_by_group()
    results: dict[str, Any] = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": "make bench" if not args.quick else "python -m bench.run --quick",
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "plan": asdict(plan),
        "model": str(args.model or "current (make train)"),
        "setups": [],
    }
    try:
        for setup in setups:
            print(f"{setup.name}: start…", flush=True)
            results["setups"].append(await setup.measure())
    finally:
        await delete_prefix()
    elapsed = time.monotonic() - started
    results["elapsed_s"] = round(elapsed)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    ours = {os.getpgid(0)}
    results["other_busy_processes"] = others(groups_before, usage_by_group(), elapsed, ours)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1-minute smoke run")
    parser.add_argument("--model", type=Path, help="a trained model other than the current one")
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args))
    RESULTS.mkdir(exist_ok=True)
    name = "quick.json" if args.quick else "whole-stack.json"
    (RESULTS / name).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"results: {RESULTS / name}")
    if not args.quick:
        report.write(results, BENCH)
    sys.exit(0)


if __name__ == "__main__":
    main()
