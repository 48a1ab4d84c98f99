"""A sliding-window limit: at most so many calls in any period (bot/outgoing.py)."""

from __future__ import annotations

from collections import deque


class Window:
    """At most ``limit`` calls in any ``period`` seconds (0: no limit)."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()

    def free_at(self, now: float) -> float:
        """When the next call may go (``now`` if it may go now)."""
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()
        if not self.limit or len(self._times) < self.limit:
            return now
        return self._times[0] + self.period

    def record(self, now: float) -> None:
        if self.limit:
            self._times.append(now)
