"""One setup of a benchmark run: a start of the stack and every step measured on it.

The Redis prefix of the run is passed in: bench/run.py picks it and puts it in
the environment before anything reads the settings.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import asdict, replace
from typing import Any

import aiohttp

from bench.burst import burst, print_burst
from bench.calls import since
from bench.load import alone, closed_loop, open_loop
from bench.overload import overload, print_overload
from bench.people import People, Person
from bench.plan import CONVERSATIONS, SEED, ActionWorkers, Burst, FrontSwitch, Load, Overload, Step, jsonable
from bench.rasa_tap import RasaTap
from bench.servers import Footprint, Options, Servers, launch, restart_actions, restart_front, wait_ready
from bench.transports import RestTransport, TelegramTransport, TimedTelegram, Transport
from cnam import privacy
from cnam.store import get_redis


class Setup:
    """One start of the stack and everything measured on it."""

    def __init__(self, name: str, options: Options, steps: list[Step], number: int, prefix: str):
        self.name = name
        self.prefix = prefix
        self.options = options
        self.steps = steps
        # Chat ids of their own per setup, and keys wiped between setups.
        self.people = People(SEED + number, first_chat_id=1_000_000 * (number + 1))
        self.fake = TimedTelegram()
        self.tap = RasaTap(options.rasa_processes)
        self.result: dict[str, Any] = {"name": name, "options": jsonable(asdict(options))}
        self.note = ""  # what a restart changed, for the runs after it
        self.groups: set[int] = set()  # process groups of its servers (not neighbours)
        # Per transport, people left mid-conversation by the previous closed loop.
        self.pools: dict[str, list[Person]] = {}

    async def measure(self) -> dict[str, Any]:
        await delete_keys(self.prefix)
        await self.fake.start()
        await self.tap.start()
        front_env = {
            "TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "RASA_URL": self.tap.urls[0], "RASA_URLS": ",".join(self.tap.urls),
            # The overload's reminder is sent within a second of falling due.
            "REMINDER_INTERVAL": "1",
        }
        servers = launch(self.options, self.prefix, front_env)
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
                elif isinstance(step, Burst):
                    result = await burst(self.fake, self.tap, front, self.people, step.messages)
                    self.result.setdefault("bursts", []).append({**result, "note": self.note})
                    print_burst(self.name, result)
                elif isinstance(step, Overload):
                    result = await self._overload(step, summaries)
                    self.result.setdefault("overloads", []).append({**result, "note": self.note})
                    print_overload(self.name, result)
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
                before, began = Counter(self.fake.method_counts), time.monotonic()
                run = await load
                run.calls = since(Counter(self.fake.method_counts), before)
                run.footprint = await footprint.end()
                # The calls were made over the arrivals and the grace after them.
                wall_s = round(time.monotonic() - began, 1)
                summaries.append({**run.summary(), "wall_s": wall_s, "note": self.note})
                _print(self.name, summaries[-1])
        return summaries

    async def _overload(self, step: Overload, summaries: list[dict[str, Any]]) -> dict[str, Any]:
        """At ``step.factor`` × the ceiling of the last throttled run before it."""
        measured = [r["calls_per_turn"].get("ceiling_turns_s") for r in summaries
                    if r["transport"] == "front" and r["calls_per_turn"]]
        if not measured or not measured[-1]:
            raise RuntimeError("the overload needs a throttled run before it, to know the ceiling")
        result = await overload(self.fake, self.tap, self.people, step.factor * measured[-1],
                                step.seconds, step.drain_limit, SEED)
        return {**result, "factor": step.factor, "ceiling_before": measured[-1],
                "drain_limit_s": step.drain_limit}

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



async def delete_keys(prefix: str) -> None:
    """Every key of this run (trackers, consents, bookings, seen update ids)."""
    redis = get_redis()
    async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        await redis.delete(key)
