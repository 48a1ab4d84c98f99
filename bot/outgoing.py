"""The front's outgoing scheduler: every Bot API call, within Telegram's
limits, by priority and fairly across chats.

Limits kept (sliding windows, so never more than the limit in any window):
``OUTGOING_PER_SECOND`` calls per second for the whole bot (Telegram: about
30) and ``OUTGOING_GROUP_PER_MINUTE`` per group chat (negative id; Telegram:
20). Telegram tolerates short bursts in a private chat: no limit of its own.

Policy, when calls wait:
- three classes: interactive (the reply to a person's turn, keyboard edits;
  the default) first, then background (reminders, follow-ups, the morning
  agenda, digests, cards, relay into the group: ``with background():``),
  then "typing…" (sendChatAction);
- background is not starved: when it waits, at least one call in
  ``BACKGROUND_SHARE`` is background;
- within a class, round-robin between chats; each chat has its FIFO and one
  call in flight, so its messages arrive in order, retries included, and a
  chat with 300 queued messages delays the others by one call each;
- "typing…" is dropped (True without calling Telegram) when replies wait or
  the bot's limit is reached, or once it waited ``TYPING_MAX_WAIT`` seconds.
Not limited: calls without a chat (answerCallbackQuery, which Telegram does
not count, setMyCommands…) and getUpdates (PTB never passes it here).

Retries: a 429 pauses every call for its retry_after; a 5xx or a refused
connection (NetworkError) is retried with a doubling delay. Timeouts are not
(the request may have reached Telegram: a retry could send it twice), nor is
BadRequest (a NetworkError for PTB), which would fail again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.rate_window import Window

log = logging.getLogger(__name__)

BACKGROUND_SHARE = 10
TYPING_MAX_WAIT = 1.0
TYPING = "sendChatAction"

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


class Priority(IntEnum):
    INTERACTIVE = 0
    BACKGROUND = 1
    TYPING = 2


_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "outgoing_priority", default=Priority.INTERACTIVE
)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """The calls made inside (in this task) wait behind interactive replies."""
    token = _priority.set(Priority.BACKGROUND)
    try:
        yield
    finally:
        _priority.reset(token)


@dataclass
class _Waiter:
    chat: int | str
    since: float
    granted: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat = data.get("chat_id")
    with contextlib.suppress(ValueError, TypeError):
        chat = int(chat)  # type: ignore[arg-type]
    return chat


def _is_group(chat: int | str) -> bool:
    # A string id names a channel or a supergroup (@name).
    return isinstance(chat, str) or chat < 0


class OutgoingScheduler(BaseRateLimiter[int]):
    def __init__(
        self,
        per_second: int = 30,
        group_per_minute: int = 20,
        *,
        max_retries: int = 5,
        first_delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._overall = Window(per_second, 1.0)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, Window] = {}
        self._max_retries = max_retries
        self._first_delay = first_delay
        self._clock, self._sleep = clock, sleep
        # Per class, the chats that wait, in round-robin order, each with its FIFO.
        self._queues: dict[Priority, OrderedDict[int | str, deque[_Waiter]]] = {
            p: OrderedDict() for p in Priority
        }
        self._busy: set[int | str] = set()  # chats with a call in flight
        self._interactive_run = 0  # interactive grants in a row while background waited
        self._paused_until = 0.0  # after a 429
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name="outgoing")

    async def shutdown(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat = _chat_of(data)
        if chat is None:
            return await self._with_retries(callback, args, kwargs, endpoint, rate_limit_args, None)
        priority = Priority.TYPING if endpoint == TYPING else _priority.get()
        if priority is Priority.TYPING and self._loaded():
            return True
        await self.initialize()
        waiter = _Waiter(chat, self._clock())
        self._queues[priority].setdefault(chat, deque()).append(waiter)
        self._wake.set()
        try:
            if not await waiter.granted:
                return True  # a "typing…" that waited too long
        except asyncio.CancelledError:
            if waiter.granted.cancelled():
                self._forget(priority, waiter)
            elif waiter.granted.result():
                self._release(chat)
            raise
        try:
            return await self._with_retries(callback, args, kwargs, endpoint, rate_limit_args, chat)
        finally:
            self._release(chat)

    def _loaded(self) -> bool:
        """Replies wait, or the bot's limit is reached: no room for "typing…"."""
        now = self._clock()
        full = max(self._paused_until, self._overall.free_at(now)) > now
        return full or bool(self._queues[Priority.INTERACTIVE])

    def _forget(self, priority: Priority, waiter: _Waiter) -> None:
        queue = self._queues[priority].get(waiter.chat)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self._queues[priority][waiter.chat]

    def _release(self, chat: int | str) -> None:
        self._busy.discard(chat)
        self._wake.set()

    def _group(self, chat: int | str) -> Window | None:
        if not self._group_per_minute or not _is_group(chat):
            return None
        return self._groups.setdefault(chat, Window(self._group_per_minute, 60.0))

    def _free_at(self, chat: int | str | None, now: float) -> float:
        """When a call to ``chat`` may go, as far as the limits go."""
        group = self._group(chat) if chat is not None else None
        free = max(self._paused_until, self._overall.free_at(now) if chat is not None else now)
        return max(free, group.free_at(now)) if group else free

    def _record(self, chat: int | str, now: float) -> None:
        self._overall.record(now)
        group = self._group(chat)
        if group:
            group.record(now)

    async def _admit(self, chat: int | str | None) -> None:
        """Wait for the limits (a retry: its chat already holds its turn)."""
        while (free := self._free_at(chat, self._clock())) > self._clock():
            await self._sleep(free - self._clock())
        if chat is not None:
            self._record(chat, self._clock())

    async def _with_retries(
        self, callback: Callback, args: Any, kwargs: dict[str, Any], endpoint: str,
        rate_limit_args: int | None, chat: int | str | None,
    ) -> Result:
        max_retries = rate_limit_args or self._max_retries
        delay = self._first_delay
        waits = failures = 0
        first = chat is not None  # the dispatcher admitted the first attempt
        while True:
            if not first:
                await self._admit(chat)
            first = False
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                waits += 1
                if waits > max_retries:
                    log.error("telegram %s: still flood-limited after %d retries", endpoint, max_retries)
                    raise
                pause = exc._retry_after.total_seconds() + 0.1  # a timedelta, whatever PTB_TIMEDELTA says
                log.info("telegram %s: flood limit, every call paused %.1f s", endpoint, pause)
                self._paused_until = max(self._paused_until, self._clock() + pause)
            except (TimedOut, BadRequest):
                raise
            except NetworkError as exc:
                failures += 1
                if failures > max_retries:
                    raise
                log.info("telegram %s failed (%s), retry in %.1f s", endpoint, exc, delay)
                await self._sleep(delay)
                delay *= 2

    def _next(self, now: float) -> tuple[Priority, _Waiter] | float | None:
        """The call to grant now, else when to look again (None: on the next wake)."""
        overall = max(self._paused_until, self._overall.free_at(now))
        if overall > now:
            return overall
        soonest: float | None = None
        candidates: dict[Priority, int | str] = {}
        for priority, chats in self._queues.items():
            for chat in chats:
                if chat in self._busy:
                    continue
                free = self._free_at(chat, now)
                if free <= now:
                    candidates[priority] = chat
                    break
                soonest = free if soonest is None else min(soonest, free)
        if not candidates:
            return soonest
        if Priority.BACKGROUND in candidates and (
            Priority.INTERACTIVE not in candidates or self._interactive_run >= BACKGROUND_SHARE - 1
        ):
            priority = Priority.BACKGROUND
        else:
            priority = min(candidates)
        if priority is Priority.INTERACTIVE:
            self._interactive_run = self._interactive_run + 1 if Priority.BACKGROUND in candidates else 0
        elif priority is Priority.BACKGROUND:
            self._interactive_run = 0
        chats = self._queues[priority]
        chat = candidates[priority]
        waiter = chats[chat].popleft()
        if chats[chat]:
            chats.move_to_end(chat)  # round-robin: this chat's next call after the others'
        else:
            del chats[chat]
        return priority, waiter

    async def _dispatch(self) -> None:
        while True:
            now = self._clock()
            self._drop_stale_typing(now)
            nxt = self._next(now)
            if isinstance(nxt, tuple):
                _, waiter = nxt
                if not waiter.granted.done():  # else its caller was cancelled
                    self._busy.add(waiter.chat)
                    self._record(waiter.chat, now)
                    waiter.granted.set_result(True)
                continue
            self._wake.clear()
            waits = [asyncio.ensure_future(self._wake.wait())]
            if nxt is not None:
                waits.append(asyncio.ensure_future(self._sleep(max(nxt - now, 0))))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for wait in waits:
                    wait.cancel()

    def _drop_stale_typing(self, now: float) -> None:
        chats = self._queues[Priority.TYPING]
        for chat in list(chats):
            queue = chats[chat]
            while queue and now - queue[0].since > TYPING_MAX_WAIT:
                granted = queue.popleft().granted
                if not granted.done():  # else its caller was cancelled
                    granted.set_result(False)
            if not queue:
                del chats[chat]
