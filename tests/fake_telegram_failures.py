"""Failures the fake Bot API serves on purpose (part of ``FakeTelegram``):
429 with retry_after, 5xx, 403 and 400 with Telegram's words, a group
upgraded to a supergroup; for every call of a method, or for one chat."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tests.fake_telegram_format import ApiError

# What Telegram says with each refusal the fake can serve.
DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was kicked from the supergroup chat",
}


@dataclass
class Failure:
    status: int
    retry_after: int
    chat_id: int | None = None  # only calls to this chat fail
    migrate_to: int | None = None  # the group became this supergroup

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        if self.migrate_to is not None:
            return ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrate_to},
            )
        return ApiError(self.status, DESCRIPTIONS.get(self.status, "Internal Server Error"))


class Failures:
    """The failure queue of each method (``reset_failures`` empties it)."""

    def reset_failures(self) -> None:
        self.failures_served: list[tuple[str, int]] = []
        self._failures: dict[str, list[Failure]] = defaultdict(list)

    def fail_next(
        self, method: str, status: int = 429, times: int = 1, retry_after: int = 1,
        chat_id: int | None = None, migrate_to: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` only, if given)
        fail with ``status`` (429: with retry_after; with ``migrate_to``: a 400
        saying the group became that supergroup, as Telegram does)."""
        self._failures[method].extend(
            Failure(status, retry_after, chat_id, migrate_to) for _ in range(times)
        )

    def take_failure(self, method: str, params: dict[str, Any]) -> ApiError | None:
        """The error this call must get, if one is queued for it (and count it)."""
        failures = self._failures[method]
        for index, failure in enumerate(failures):
            if failure.chat_id is None or str(failure.chat_id) == str(params.get("chat_id")):
                self.failures_served.append((method, failures.pop(index).status))
                return failure.error()
        return None
