"""The two ways a simulated person reaches Rasa, and what one turn is.

- ``TelegramTransport``: through the fake Bot API and the real front
  (``python -m bot``), as on Telegram.
- ``RestTransport``: straight to Rasa's REST channel, as stock Rasa.

A turn starts when the person sends (its scheduled time in the open loop)
and ends with the last reply. Over REST the last reply is the HTTP answer.
On Telegram the front sends the replies one by one, so the turn ends when
no new message has come for ``quiet`` seconds; its latency is measured to
the last message received, the quiet period is not counted in it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from bench.people import Move, Person, Reply
from tests.fake_telegram import FakeTelegram

TURN_TIMEOUT = 30.0  # seconds without a first reply: the turn failed
# What the front says when something failed: an error for the benchmark.
FAILURE_TEXTS = (
    "Désolé, je n'arrive pas à vous répondre",
    "Désolé, un problème est survenu",
    "Ce bouton n'est plus valable",
    "Le service est momentanément indisponible",
)
NOT_UNDERSTOOD = ("Je n'ai pas bien compris", "je ne comprends toujours pas")


@dataclass(frozen=True)
class Turn:
    started: float  # monotonic time the person sent (or was scheduled to)
    latency: float  # seconds to the last reply
    question: str
    kind: str  # "button" or "text"
    replies: int
    error: str = ""
    not_understood: bool = False
    max_gap: float = 0.0  # longest silence between two replies of the turn

    @property
    def ended(self) -> float:
        return self.started + self.latency


class Transport(Protocol):
    name: str

    async def turn(self, person: Person, started: float) -> Turn: ...


def _judge(texts: list[str]) -> tuple[str, bool]:
    failed = next((t for t in texts for f in FAILURE_TEXTS if t.startswith(f)), "")
    return (failed[:60], any(n in t for t in texts for n in NOT_UNDERSTOOD))


class TimedTelegram(FakeTelegram):
    """The project's fake Bot API, noting when each message reaches each chat."""

    def reset(self) -> None:
        super().reset()
        self.arrivals: dict[int, list[tuple[float, dict[str, Any]]]] = defaultdict(list)
        self._news: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def _store_sent(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        message = super()._store_sent(params, content)
        chat_id = int(params["chat_id"])
        self.arrivals[chat_id].append((time.monotonic(), message))
        self._news[chat_id].set()
        return message

    async def next_arrival(self, chat_id: int, seen: int, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait for a message beyond the first ``seen`` of the chat; False on timeout."""
        news = self._news[chat_id]
        news.clear()
        if len(self.arrivals[chat_id]) > seen:
            return True
        try:
            await asyncio.wait_for(news.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def forget(self, chat_id: int) -> None:
        """Drop a finished conversation, so that memory stays flat over a long run.

        The logs of all chats go too: the benchmark reads none of them.
        """
        for store in (self.arrivals, self._news, self.sent, self.from_users, self.members):
            store.pop(chat_id, None)
        for log in (self.calls, self.edits, self.chat_actions):
            log.clear()
        self.callback_answers.clear()
        self.sent_markups.clear()


class TelegramTransport:
    name = "front"

    def __init__(self, fake: TimedTelegram, quiet: float):
        self.fake = fake
        self.quiet = quiet
        self._last: dict[int, list[Reply]] = {}

    async def turn(self, person: Person, started: float) -> Turn:
        chat = person.chat_id
        move = person.next_move(self._last.get(chat, []))
        seen = len(self.fake.arrivals[chat])
        self._send(chat, move)
        if not await self.fake.next_arrival(chat, seen, started + TURN_TIMEOUT - time.monotonic()):
            person.turns_done += 1
            self._last[chat] = []
            return Turn(started, time.monotonic() - started, move.question, move.kind, 0, "timeout")
        count = len(self.fake.arrivals[chat])
        while await self.fake.next_arrival(chat, count, self.quiet):
            count = len(self.fake.arrivals[chat])
        arrived = self.fake.arrivals[chat][seen:]
        times = [t for t, _ in arrived]
        replies = [_reply(m) for _, m in arrived]
        person.turns_done += 1
        self._last[chat] = replies
        if person.done:
            self._last.pop(chat, None)
            self.fake.forget(chat)
        error, not_understood = _judge([r.text for r in replies])
        gaps = [b - a for a, b in itertools.pairwise(times)]
        return Turn(
            started, times[-1] - started, move.question, move.kind, len(replies),
            error, not_understood, max(gaps, default=0.0),
        )

    def _send(self, chat: int, move: Move) -> None:
        if move.button and move.reply is not None:
            self.fake.press_button(chat, move.reply.message_id, move.button)
        else:
            self.fake.send_text(chat, move.text, first_name="Bench")


def _reply(message: dict[str, Any]) -> Reply:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    titles = tuple(b["text"] for row in rows for b in row)
    return Reply(message.get("text") or "", titles, message["message_id"])


class RestTransport:
    """Rasa's REST channel, no front: buttons send their payloads.

    After each answer the person waits ``think`` seconds, the quiet period a
    person on Telegram waits, so that both transports see the same pacing.
    """

    name = "rest"

    def __init__(self, rasa_urls: list[str], session: aiohttp.ClientSession, think: float):
        self.urls = [u.rstrip("/") + "/webhooks/rest/webhook" for u in rasa_urls]
        self.session = session
        self.think = think
        self._last: dict[int, list[Reply]] = {}

    async def turn(self, person: Person, started: float) -> Turn:
        chat = person.chat_id
        move = person.next_move(self._last.get(chat, []))
        message = move.text
        if move.button and move.reply is not None:
            message = move.reply.payloads[move.reply.buttons.index(move.button)]
        body = {"sender": str(chat), "message": message}
        url = self.urls[chat % len(self.urls)]
        error = ""
        replies: list[Reply] = []
        try:
            async with self.session.post(url, json=body) as response:
                answer = await response.json(content_type=None)
            if response.status != 200 or not isinstance(answer, list) or not answer:
                error = f"HTTP {response.status}" if response.status != 200 else "empty answer"
            else:
                replies = [_rest_reply(r) for r in answer if isinstance(r, dict)]
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            error = type(exc).__name__
        latency = time.monotonic() - started
        person.turns_done += 1
        self._last[chat] = replies
        if person.done:
            self._last.pop(chat, None)
        failed, not_understood = _judge([r.text for r in replies])
        await asyncio.sleep(self.think)
        return Turn(started, latency, move.question, move.kind, len(replies),
                    error or failed, not_understood)


def _rest_reply(raw: dict[str, Any]) -> Reply:
    custom = raw.get("custom") if isinstance(raw.get("custom"), dict) else {}
    buttons = raw.get("buttons") or custom.get("buttons") or []
    buttons = [b for b in buttons if isinstance(b, dict) and b.get("title")]
    return Reply(
        str(raw.get("text") or custom.get("text") or ""),
        tuple(str(b["title"]) for b in buttons),
        payloads=tuple(str(b.get("payload", "")) for b in buttons),
    )
