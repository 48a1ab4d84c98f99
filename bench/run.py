"""``make bench``: the whole stack under load, against Rasa alone (REST) on the same model.

    python -m bench.run            full run (about 8 minutes): bench/results/whole-stack.json,
                                   bench/plots/*.png, section "Whole stack" of BENCHMARKS.md
    python -m bench.run --quick    smoke run, about 1.5 minutes (bench/results/quick.json)
    python -m bench.run --levers   the levers (bench/results/levers.json, section rewritten)

Each setup starts Rasa, the action server and the front (``python -m bot``)
on 127.0.0.1 against the fake Bot API this process serves, measures the
cold start and one person alone (the first turns after a start), then runs
its steps: open and closed loops through the front (as shipped, then with
Telegram's flood limit lifted) and straight to Rasa's REST channel. The
full run then does the same with two Rasa processes. Keys live under a
Redis prefix of the run's own, deleted between setups and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import signal
import sys
import tempfile
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
from bench.load import alone, closed_loop, open_loop  # noqa: E402
from bench.people import People, Person  # noqa: E402
from bench.rasa_server import validation_cost  # noqa: E402
from bench.rasa_tap import RasaTap  # noqa: E402
from bench.servers import (  # noqa: E402
    Footprint,
    Options,
    Servers,
    launch,
    restart_actions,
    restart_front,
    usage_by_group,
    wait_ready,
)
from bench.transports import RestTransport, TelegramTransport, TimedTelegram, Transport  # noqa: E402
from cnam import privacy  # noqa: E402
from cnam.store import get_redis  # noqa: E402
from stack.train import model_path  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Load:
    path: str  # "front" (through the front), "rest" (straight to Rasa), "rest-tap" (via the tap)
    shape: str  # "open" or "closed"
    size: float  # turns/s (open) or people (closed)
    seconds: float


@dataclass(frozen=True)
class FrontSwitch:
    """Restart the front alone, with or without its flood limit."""

    flood_limit: bool


@dataclass(frozen=True)
class ActionWorkers:
    """Restart the action server alone with this many Sanic workers."""

    workers: int


Step = Load | FrontSwitch | ActionWorkers
RATE = 30.0  # open loop, turns/s
CONVERSATIONS = 300  # open loop
CAPACITY = 20  # closed-loop people of the capacity figure
SEED = 20250601


def _closed(path: str, sizes: dict[int, float]) -> list[Step]:
    """Largest first: the smaller loops then continue conversations already under way."""
    return [Load(path, "closed", size, sizes[size]) for size in sorted(sizes, reverse=True)]


SWEEP = {1: 8.0, 5: 6.0, 10: 6.0, CAPACITY: 20.0, 40: 6.0}
FULL: list[tuple[str, Options, list[Step]]] = [
    ("1 Rasa", Options(), [
        *_closed("front", {1: 8, 5: 6, CAPACITY: 20, 40: 6}), Load("front", "open", RATE, 45),
        # Also drops the backlog the flood limit left in the front's queue.
        FrontSwitch(flood_limit=False),
        Load("front", "open", RATE, 45), *_closed("front", SWEEP),
        Load("rest", "open", RATE, 45), *_closed("rest", SWEEP),
    ]),
    ("2 Rasa", Options(rasa_processes=2, flood_limit=False), [
        *_closed("front", {10: 6, CAPACITY: 20, 40: 6}), Load("front", "open", RATE, 40),
        *_closed("rest", {CAPACITY: 20, 40: 6}),
    ]),
]
# The tap's own cost; action-server workers, 1 then 2, on the same start; then
# each of stack.run.SPEEDUPS left out (Rasa's own code): the action-server
# answers' validation, event classes' lookup, model loading (start only).
LEVERS: list[tuple[str, Options, list[Step]]] = [
    ("1 Rasa", Options(flood_limit=False), [
        Load("rest", "closed", 1, 15), Load("rest-tap", "closed", 1, 15),
        *_closed("front", {CAPACITY: 20}), *_closed("rest", {CAPACITY: 20}),
        ActionWorkers(2),
        *_closed("front", {CAPACITY: 20}), *_closed("rest", {CAPACITY: 20}),
    ]),
    *[(f"1 Rasa, stock {name}", Options(flood_limit=False, stock=(name,)), [
        Load("rest", "closed", 1, 15), *_closed("front", {CAPACITY: 20}),
        *_closed("rest", {CAPACITY: 20}),
    ]) for name in ("validation", "events")],
    ("1 Rasa, stock load", Options(flood_limit=False, stock=("load",)), []),
    ("1 Rasa, all stock", Options(flood_limit=False, stock=("validation", "events", "load")), [
        Load("rest", "closed", 1, 15), *_closed("rest", {CAPACITY: 20}),
    ]),
]
QUICK: list[tuple[str, Options, list[Step]]] = [
    ("1 Rasa", Options(), [
        Load("front", "open", 10, 8), Load("front", "closed", CAPACITY, 8),
        Load("rest", "closed", CAPACITY, 8),
        FrontSwitch(flood_limit=False), Load("front", "closed", CAPACITY, 8),
    ]),
]


class Setup:
    """One start of the stack and everything measured on it."""

    def __init__(self, name: str, options: Options, steps: list[Step], number: int):
        self.name = name
        self.options = options
        self.steps = steps
        # Chat ids of their own per setup, and keys wiped between setups.
        self.people = People(SEED + number, first_chat_id=1_000_000 * (number + 1))
        self.fake = TimedTelegram()
        self.tap = RasaTap(options.rasa_processes)
        self.result: dict[str, Any] = {"name": name, "options": _jsonable(asdict(options))}
        self.note = ""  # what a restart changed, for the runs after it
        self.groups: set[int] = set()  # process groups of its servers (not neighbours)
        # Per transport, people left mid-conversation by the previous closed loop.
        self.pools: dict[str, list[Person]] = {}

    async def measure(self) -> dict[str, Any]:
        await delete_keys()
        await self.fake.start()
        await self.tap.start()
        front_env = {
            "TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "RASA_URL": self.tap.urls[0], "RASA_URLS": ",".join(self.tap.urls),
        }
        servers = launch(self.options, PREFIX, front_env)
        self.tap.rasa_urls = servers.rasa_urls
        self.groups.update(p.popen.pid for p in servers.processes if p.popen)
        footprint = Footprint(servers)
        footprint.begin()
        try:
            await wait_ready(servers, front_polling=lambda: self.fake.polls > 0)
            await self._first_turns(servers)
            self.result["start_footprint"] = await footprint.end()
            self.result["runs"] = await self._steps(servers, footprint)
        finally:
            await asyncio.to_thread(servers.stop)
            await self.fake.stop()
            await self.tap.stop()
        return self.result

    def _front(self, flood_limit: bool) -> TelegramTransport:
        name = "front" if flood_limit else "front, no flood limit"
        return TelegramTransport(self.fake, self.tap, name)

    async def _first_turns(self, servers: Servers) -> None:
        front = self._front(self.options.flood_limit)
        first = self.people.new()
        # Consent given beforehand: the first message goes straight to Rasa.
        await privacy.record_consent(get_redis(), first.chat_id, privacy.ACCEPTED)
        first.consented = True
        cold = await alone(front, first)
        # The same conversation again, now that everything has run once.
        twin = self.people.twin(first)
        await privacy.record_consent(get_redis(), twin.chat_id, privacy.ACCEPTED)
        twin.consented = True
        warm = await alone(front, twin)
        self.result["ready_s"] = {k: round(v, 2) for k, v in servers.ready.items()}
        self.result["cold_start_s"] = round(cold[0].ended - servers.launched, 2)
        self.result["first_person"] = [_turn_row(t) for t in cold]
        self.result["twin_person"] = [_turn_row(t) for t in warm]

    async def _steps(self, servers: Servers, footprint: Footprint) -> list[dict[str, Any]]:
        front = self._front(self.options.flood_limit)
        summaries = []
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            rest = RestTransport(servers.rasa_urls, session)
            # The same REST requests through the tap: what its hop costs.
            tapped = RestTransport(self.tap.urls, session, "rest through the tap")
            for step in self.steps:
                if isinstance(step, FrontSwitch):
                    await self._switch_front(servers, step.flood_limit)
                    front = self._front(step.flood_limit)
                elif isinstance(step, ActionWorkers):
                    await asyncio.to_thread(restart_actions, servers, step.workers)
                    await wait_ready(servers)
                    self.note = f"{step.workers} action workers"
                if not isinstance(step, Load):
                    self.groups.update(p.popen.pid for p in servers.processes if p.popen)
                    continue
                transport: Transport = {"front": front, "rest": rest, "rest-tap": tapped}[step.path]
                if step.shape == "open":
                    load = open_loop(transport, self.people, step.size, CONVERSATIONS,
                                     step.seconds, SEED)
                else:
                    pool = self.pools.setdefault(transport.name, [])
                    load = closed_loop(transport, self.people, int(step.size), step.seconds, pool)
                footprint.begin()
                run = await load
                run.footprint = await footprint.end()
                summaries.append({**run.summary(), "note": self.note})
                _print(self.name, summaries[-1])
        return summaries


    async def _switch_front(self, servers: Servers, flood_limit: bool) -> None:
        # In a thread: the stopping front still calls the fake Bot API this loop serves.
        await asyncio.to_thread(restart_front, servers, replace(self.options, flood_limit=flood_limit))
        polls = self.fake.polls
        deadline = time.monotonic() + 60
        while self.fake.polls == polls:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the front did not restart:\n{servers.front.log_tail()}")
            await asyncio.sleep(0.2)


def _print(name: str, summary: dict[str, Any]) -> None:
    print(
        f"  {name:7} {summary['transport']:22} {summary['shape']:6} "
        f"{summary['offered_rate'] or summary['concurrency']:>4g} {summary['throughput']:6.1f} turns/s"
        f"  p50 {summary['p50_ms']:5} p95 {summary['p95_ms']:5} p99 {summary['p99_ms']:5} ms"
        f"  errors {summary['errors']}",
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


class Neighbours:
    """CPU used by processes that are not ours, sampled during the whole run.

    Sampled every few seconds, so jobs that start or end during the run count too.
    """

    def __init__(self) -> None:
        self.ours = os.getpgid(0)
        self.cpu: dict[int, float] = {}  # group → CPU seconds seen during the run
        self.names: dict[int, str] = {}
        self._last = usage_by_group()
        self._started = time.monotonic()

    def sample(self) -> None:
        now = usage_by_group()
        for group, usage in now.items():
            # A group first seen now started since the last sample: all its CPU is new.
            before = self._last[group].cpu if group in self._last else 0.0
            self.cpu[group] = self.cpu.get(group, 0.0) + max(0.0, usage.cpu - before)
            if group not in self.names:
                self.names[group] = _command(group)
        self._last = now

    async def watch(self, interval: float = 3.0) -> None:
        while True:
            await asyncio.sleep(interval)
            self.sample()

    def busy(self, servers: set[int]) -> list[str]:
        """Those that used more than 5 % of a core over the run."""
        seconds = time.monotonic() - self._started
        return [
            f"`{self.names.get(group) or f'group {group}'}` ({cpu / seconds:.0%} of a core)"
            for group, cpu in sorted(self.cpu.items(), key=lambda item: -item[1])
            if group != self.ours and group not in servers and cpu / seconds > 0.05
        ]


def _command(group: int) -> str:
    """The command line of a member of the process group."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == group:
                return Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()[:100]
        except (OSError, UnicodeDecodeError):
            continue
    return ""


async def delete_keys() -> None:
    """Every key of this run (trackers, consents, bookings, seen update ids)."""
    redis = get_redis()
    async for key in redis.scan_iter(match=f"{PREFIX}:*", count=1000):
        await redis.delete(key)


MODES = {  # name → (plan, results file, command)
    "full": (FULL, "whole-stack.json", "make bench"),
    "quick": (QUICK, "quick.json", "python -m bench.run --quick"),
    "levers": (LEVERS, "levers.json", "python -m bench.run --levers"),
}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    plan, _, command = MODES[args.mode]
    # Pinned at the start, in a copy of our own: the data (hence the current model)
    # may change during the run, and models/ may be cleaned.
    model = args.model or model_path()
    if not model.exists():
        sys.exit(f"{model} missing: run `make train` first.")
    pinned = Path(tempfile.mkdtemp(prefix="bench-model-")) / model.name
    shutil.copy2(model, pinned)
    setups = [
        Setup(name, replace(options, model=pinned), steps, number)
        for number, (name, options, steps) in enumerate(plan)
    ]
    started = time.monotonic()
    load_before = os.getloadavg()
    neighbours = Neighbours()
    watching = asyncio.get_running_loop().create_task(neighbours.watch())
    results: dict[str, Any] = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": (command if args.model is None else
                    f"python -m bench.run{' --' + args.mode if args.mode != 'full' else ''} "
                    f"--model {args.model}")
        + (f" (under nice {os.nice(0)})" if os.nice(0) else ""),
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "plan": {"rate": RATE, "conversations": CONVERSATIONS, "capacity": CAPACITY, "seed": SEED,
                 "setups": [[name, _jsonable(asdict(o)), [_jsonable(asdict(s)) for s in steps]]
                            for name, o, steps in plan]},
        "model": model.name + ("" if args.model else " (the current data's, `make train`)"),
        "setups": [],
    }
    if args.mode == "levers":
        results["validation_ms"] = validation_cost()
    try:
        for setup in setups:
            print(f"{setup.name}: start…", flush=True)
            results["setups"].append(await setup.measure())
    finally:
        await delete_keys()
        await get_redis().close()
        shutil.rmtree(pinned.parent, ignore_errors=True)
    elapsed = time.monotonic() - started
    results["elapsed_s"] = round(elapsed)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    watching.cancel()
    neighbours.sample()
    servers = {g for setup in setups for g in setup.groups}
    results["other_busy_processes"] = neighbours.busy(servers)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--quick", action="store_const", dest="mode", const="quick",
                       help="smoke run, about 1.5 minutes (most of it Rasa's start)")
    modes.add_argument("--levers", action="store_const", dest="mode", const="levers",
                       help="the levers: action workers, each speed-up left out (about 9 minutes)")
    parser.add_argument("--model", type=Path, help="a trained model other than the current one")
    parser.set_defaults(mode="full")
    args = parser.parse_args(argv)
    # A SIGTERM (timeout, CI) unwinds like Ctrl-C, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # A front stopped mid-request (restart) makes the fake Bot API's server log the
    # reset; a turn that suffers from it is counted as an error anyway.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    results = asyncio.run(main_async(args))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / MODES[args.mode][1]
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"results: {path}")
    if args.mode != "quick":
        # The section shows the last full run and the last levers run.
        report.write(BENCH)


if __name__ == "__main__":
    main()
