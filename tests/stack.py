"""The real processes for end-to-end tests: Rasa server, action server, bot.

Started once per test session (Rasa needs about a minute to load its
model), each on a free port of 127.0.0.1, with this run's Redis prefix.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".run" / "test-logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    popen: subprocess.Popen | None = None
    log_path: Path = field(default_factory=Path)

    def start(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{self.name}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - lives as long as the process
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


async def wait_http(url: str, process: Process, within: float, expect: str = "") -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
        while time.monotonic() < deadline:
            if process.popen and process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} stopped:\n{process.log_tail()}")
            try:
                async with session.get(url) as response:
                    if response.status == 200 and expect in await response.text():
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(1)
    raise RuntimeError(f"{process.name} not ready after {within:.0f}s:\n{process.log_tail()}")


class RedisServer:
    """A redis-server of the test session's own, so a test can stop and restart
    it (Redis down for a moment) without touching the machine's Redis. Its
    append-only file keeps the data across that restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = LOGS / f"redis-{self.port}"
        self.process = Process("redis", [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", str(self.dir),
        ], dict(os.environ))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"redis-server did not start:\n{self.process.log_tail()}")

    def stop(self) -> None:
        self.process.stop()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Stack:
    """Rasa and the action server, running."""

    rasa_url: str
    action_url: str
    token: str
    env: dict[str, str]
    processes: list[Process]
    redis: RedisServer

    @property
    def url(self) -> str:  # the held-out NLU test reads .url and .token
        return self.rasa_url

    @classmethod
    async def start(cls) -> Stack:
        rasa_port, action_port = free_port(), free_port()
        token = "test-token"
        redis = RedisServer()
        await redis.start()
        LOGS.mkdir(parents=True, exist_ok=True)
        clock_file = LOGS / f"clock-{rasa_port}"
        clock_file.write_text("0")
        env = {
            **os.environ,
            "REDIS_URL": redis.url,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RASA_TOKEN": token,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "PYTHONPATH": str(ROOT),
            "CLOCK_OFFSET_FILE": str(clock_file),
        }
        actions = Process("actions", [sys.executable, "-m", "stack.run", "actions"], env)
        rasa = Process("rasa", [sys.executable, "-m", "stack.run", "rasa"], env)
        stack = cls(env["RASA_URL"], env["ACTION_SERVER_URL"], token, env, [actions, rasa], redis)
        actions.start()
        rasa.start()
        try:
            await wait_http(f"http://127.0.0.1:{action_port}/health", actions, 120)
            await wait_http(f"{stack.rasa_url}/status?token={token}", rasa, 300, expect="model_file")
        except Exception:
            stack.stop()
            raise
        return stack

    def move_clock(self, to: datetime | None) -> None:
        """Every process of the stack (bot included) reads ``to`` as now from
        here on, the clock still running; ``None``: back to the wall clock."""
        offset = 0.0 if to is None else (to - datetime.now(to.tzinfo)).total_seconds()
        Path(self.env["CLOCK_OFFSET_FILE"]).write_text(f"{offset:.3f}")

    def process(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    async def restart_rasa(self) -> None:
        """Start Rasa again after a test stopped it, and wait until it answers."""
        rasa = self.process("rasa")
        rasa.start()
        await wait_http(f"{self.rasa_url}/status?token={self.token}", rasa, 300, expect="model_file")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.redis.remove()
