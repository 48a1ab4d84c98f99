"""The machine a run is measured on: what it is, and what else used its CPU meanwhile."""

from __future__ import annotations

import asyncio
import os
import platform
import time
from pathlib import Path
from typing import Any

from bench.servers import usage_by_group


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
