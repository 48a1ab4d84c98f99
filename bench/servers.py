"""The real processes under test, started as in production, and their footprint.

Rasa (one or several, each ``python -m stack.run rasa`` on its own port),
the action server and the front (``python -m bot``, long polling on the
fake Bot API), all on 127.0.0.1 with the benchmark's own Redis prefix.
Memory and CPU come from /proc: each process runs in a session of its
own, so a process group holds the server and any worker it forks.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.stack import ROOT, Process, free_port

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
# Ready checks every quarter second: the cold start is reported to that precision.
POLL = 0.25
ADVISERS_GROUP = -100999


@dataclass
class Options:
    rasa_processes: int = 1
    action_workers: int = 1
    # False: the front without Telegram's overall flood limit (bench/front_unthrottled.py).
    flood_limit: bool = True
    # Names of rasa_ext.speedups.SPEEDUPS left out: Rasa's own code, as a what-if.
    stock: tuple[str, ...] = ()
    model: Path | None = None  # None: the model of the current data (make train) when Rasa starts


@dataclass
class Servers:
    rasa: list[Process]
    actions: Process
    front: Process | None
    rasa_urls: list[str]
    token: str
    launched: float  # monotonic
    ready: dict[str, float] = field(default_factory=dict)  # name → seconds after launch

    @property
    def processes(self) -> list[Process]:
        return [*self.rasa, self.actions, *([self.front] if self.front else [])]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def _rasa_command(options: Options) -> list[str]:
    if options.model is None and not options.stock:
        return [sys.executable, "-m", "stack.run", "rasa"]
    command = [sys.executable, "-m", "bench.rasa_server"]
    if options.model is not None:
        command += ["--model", str(options.model.resolve())]
    return command + [arg for name in options.stock for arg in ("--stock", name)]


def front_process(options: Options, env: dict[str, str]) -> Process:
    module = "bot" if options.flood_limit else "bench.front_unthrottled"
    return Process("bench-front", [sys.executable, "-m", module], env)


def launch(options: Options, prefix: str, front_env: dict[str, str] | None) -> Servers:
    """Start every process at once (as honcho does); ``front_env`` None: no front.

    ``front_env`` must give the front its Rasa URLs (RASA_URL, RASA_URLS).
    """
    token = "bench-token"
    action_url = f"http://127.0.0.1:{free_port()}/webhook"
    base = {
        **os.environ,
        "REDIS_PREFIX": prefix,
        "RASA_TOKEN": token,
        "ACTION_SERVER_URL": action_url,
        "ACTION_SERVER_SANIC_WORKERS": str(options.action_workers),
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "LOG_LEVEL": "WARNING",
    }
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(options.rasa_processes)]
    rasa = [
        Process(f"bench-rasa-{i + 1}", _rasa_command(options), {**base, "RASA_URL": url})
        for i, url in enumerate(urls)
    ]
    actions = Process("bench-actions", [sys.executable, "-m", "stack.run", "actions"], base)
    front = None
    if front_env is not None:
        env = {**base, "ADVISER_CHAT_ID": str(ADVISERS_GROUP), "WEBHOOK_URL": "", **front_env}
        front = front_process(options, env)
    servers = Servers(rasa, actions, front, urls, token, time.monotonic())
    for process in servers.processes:
        process.start()
    return servers


def restart_front(servers: Servers, options: Options) -> None:
    """Stop the front and start it again with ``options``, same environment."""
    old = servers.front
    if old is None:
        raise RuntimeError("no front to restart")
    old.stop()
    servers.front = front_process(options, old.env)
    servers.front.start()


def restart_actions(servers: Servers, workers: int) -> None:
    """Stop the action server and start it again with ``workers`` Sanic workers."""
    old = servers.actions
    old.stop()
    env = {**old.env, "ACTION_SERVER_SANIC_WORKERS": str(workers)}
    servers.actions = Process(old.name, old.command, env)
    servers.actions.start()
    servers.ready.pop(old.name, None)


async def wait_ready(
    servers: Servers, front_polling: Callable[[], bool] | None = None, within: float = 300
) -> None:
    """Wait until every server answers; note when each became ready.

    ``front_polling``: a callable telling whether the front polls the fake Bot API.
    """
    checks = {
        p.name: f"{url}/status?token={servers.token}"
        for p, url in zip(servers.rasa, servers.rasa_urls, strict=True)
    }
    action_url = servers.actions.env["ACTION_SERVER_URL"].removesuffix("/webhook")
    checks[servers.actions.name] = action_url + "/health"
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            for process in servers.processes:
                if process.popen and process.popen.poll() is not None:
                    raise RuntimeError(f"{process.name} stopped:\n{process.log_tail()}")
            for name, url in list(checks.items()):
                if await _answers(session, url):
                    servers.ready[name] = time.monotonic() - servers.launched
                    del checks[name]
            front = servers.front
            if front and front.name not in servers.ready and front_polling and front_polling():
                servers.ready[front.name] = time.monotonic() - servers.launched
            if not checks and (servers.front is None or servers.front.name in servers.ready):
                return
            await asyncio.sleep(POLL)
    late = [p for p in servers.processes if p.name not in servers.ready]
    names = [p.name for p in late]
    raise RuntimeError(f"not ready after {within:.0f} s: {names}\n{late[0].log_tail()}")


async def _answers(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url) as response:
            return response.status == 200 and (
                "/status" not in url or "model_file" in await response.text()
            )
    except (TimeoutError, aiohttp.ClientError):
        return False


@dataclass(frozen=True)
class Usage:
    rss: int  # bytes
    cpu: float  # seconds of CPU since start, children still alive included


def _stat(pid: str) -> tuple[int, Usage] | None:
    """(process group, usage) of one process; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # Fields after the command name, which may contain spaces: see proc(5).
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    return int(fields[2]), Usage(int(fields[21]) * PAGE, cpu)


def usage_by_group() -> dict[int, Usage]:
    """RSS and CPU time of every process group on the machine."""
    groups: dict[int, Usage] = {}
    for entry in os.scandir("/proc"):
        found = _stat(entry.name) if entry.name.isdigit() else None
        if found is not None:
            group, usage = found
            total = groups.get(group, Usage(0, 0.0))
            groups[group] = Usage(total.rss + usage.rss, total.cpu + usage.cpu)
    return groups


class Footprint:
    """Peak memory and CPU time of each process of the stack, phase by phase."""

    def __init__(self, servers: Servers):
        self.servers = servers
        self.groups: dict[str, int] = {}
        self._peaks: dict[str, int] = {}
        self._cpu_at_start: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def _sample(self) -> dict[str, Usage]:
        # start_new_session: each process leads its own group (read again: the front restarts).
        self.groups = {p.name: p.popen.pid for p in self.servers.processes if p.popen}
        found = usage_by_group()
        usage = {name: found.get(group, Usage(0, 0.0)) for name, group in self.groups.items()}
        # The load generator and the fake Bot API: this process alone.
        own = _stat(str(os.getpid()))
        usage["bench"] = own[1] if own else Usage(0, 0.0)
        return usage

    async def _watch(self, interval: float) -> None:
        while True:
            for name, usage in self._sample().items():
                self._peaks[name] = max(self._peaks.get(name, 0), usage.rss)
            await asyncio.sleep(interval)

    def begin(self, interval: float = 0.5) -> None:
        self._peaks = {}
        self._cpu_at_start = {n: u.cpu for n, u in self._sample().items()}
        self._task = asyncio.get_running_loop().create_task(self._watch(interval))

    async def end(self) -> dict[str, dict[str, float]]:
        """Per process: peak RSS (MB) and CPU seconds since ``begin``."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        now = self._sample()
        return {
            name: {
                "rss_peak_mb": round(max(self._peaks.get(name, 0), now[name].rss) / 2**20, 1),
                "cpu_s": round(now[name].cpu - self._cpu_at_start.get(name, 0.0), 2),
            }
            for name in now
        }
