"""Payloads starting with ``!``: handled by the front itself, never sent to Rasa.

Only trusted input reaches them (a button the assistant showed, a Telegram
command): a user typing ``!supprimer_ok`` does not run anything.

A payload is ``!<name>`` or ``!<name> <arg>``; other modules register their
handlers at import time::

    front_commands.register("rappel", on_reminder)   # or "!rappel"

    async def on_reminder(chat_id: int, arg: str) -> list[OutMessage]: ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.messages import OutMessage

PREFIX = "!"
Handler = Callable[[int, str], Awaitable[list[OutMessage]]]

_handlers: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    _handlers[name.removeprefix(PREFIX)] = handler


def is_front_command(payload: str) -> bool:
    return payload.startswith(PREFIX)


def parse(payload: str) -> tuple[str, str]:
    """``"!rappel 2024-05-02"`` → ``("rappel", "2024-05-02")``."""
    name, _, arg = payload.removeprefix(PREFIX).strip().partition(" ")
    return name, arg.strip()


def lookup(name: str) -> Handler | None:
    return _handlers.get(name)
