"""The two ways a simulated person reaches Rasa, and what one turn is.

- ``TelegramTransport``: through the fake Bot API and the real front
  (``python -m bot``), as on Telegram.
- ``RestTransport``: straight to Rasa's REST channel, as stock Rasa.

A turn starts when the person sends (its scheduled time in the open loop)
and ends with the last reply. Over REST the last reply is the HTTP answer.
On Telegram the front sends the replies one by one: the turn ends with the
message that completes the count the tap (bench/rasa_tap.py) read in
Rasa's answer, plus the front's own messages (the consent question).
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
from bench.rasa_tap import RasaTap, rendered_texts, telegram_texts
from bot import consent
from bot.messages import OutMessage
from bot.person_chat import INVALID_BUTTON, SOMETHING_WENT_WRONG
from bot.pipeline import APOLOGY, SERVICE_DOWN_TEXT
from bot.rasa_client import RasaClient
from bot.render import PART_SEPARATOR
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_sent import said_in

TURN_TIMEOUT = 30.0  # seconds for the whole turn, else it failed
# What the front says when something failed: an error for the benchmark.
FAILURES = {
    APOLOGY.text: "front apology (Rasa unavailable)",
    SOMETHING_WENT_WRONG: "front error",
    INVALID_BUTTON.text: "invalid button",
    SERVICE_DOWN_TEXT: "Redis down",
}
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
    chat_id: int = 0

    @property
    def ended(self) -> float:
        return self.started + self.latency


class Transport(Protocol):
    name: str

    async def turn(self, person: Person, started: float) -> Turn: ...


def _judge(texts: list[str]) -> tuple[str, bool]:
    """(error label or "", whether the assistant said it did not understand)."""
    failed = next((label for t in texts for f, label in FAILURES.items() if t.startswith(f)), "")
    return failed, any(n in t for t in texts for n in NOT_UNDERSTOOD)


class TimedTelegram(FakeTelegram):
    """The project's fake Bot API, noting when each message reaches each chat."""

    def reset(self) -> None:
        super().reset()
        self.polls = 0  # getUpdates calls: the front is up once it polls
        self.arrivals: dict[int, list[tuple[float, dict[str, Any]]]] = defaultdict(list)
        self._news: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def _changed(self, message: dict[str, Any], before: str | None) -> None:
        """A message sent, or edited into saying something new (the front puts a
        button's answer into the pressed message, bot/render.py), is an arrival;
        the ✅ of a choice alone or a keyboard removed is not. An arrival reads as
        what it newly says, on the live message (its current keyboard)."""
        super()._changed(message, before)
        said = said_in(message, before, message.get("text") or "")
        if not said:
            return
        chat_id = int(message["chat"]["id"])
        shown = message if before is None else {**message, "text": PART_SEPARATOR.join(
            m.get("text") or "" for m in said)}
        self.arrivals[chat_id].append((time.monotonic(), shown))
        self._news[chat_id].set()

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polls += 1
        return await super()._api_getUpdates(params)

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
    """Through the front: the tap says how many messages Rasa's answer makes."""

    def __init__(self, fake: TimedTelegram, tap: RasaTap, name: str = "front",
                 timeout: float = TURN_TIMEOUT):
        self.name = name
        self.timeout = timeout  # seconds for the whole turn, else it failed
        self.fake = fake
        self.tap = tap
        self._last: dict[int, list[Reply]] = {}
        self._end: dict[int, int] = {}  # chat → messages the previous turns accounted for

    async def turn(self, person: Person, started: float) -> Turn:
        chat = person.chat_id
        move = person.next_move(self._last.get(chat, []))
        own, via_rasa = _front_messages(person, move)
        seen = len(self.fake.arrivals[chat])
        extra = seen - self._end.get(chat, seen)
        answer = self.tap.expect(chat) if via_rasa else None
        self._send(chat, move)
        expected, error = await self._wait(chat, seen, own, answer, started)
        arrived = self.fake.arrivals[chat][seen:seen + expected]
        self._end[chat] = seen + len(arrived)
        times = [t for t, _ in arrived]
        replies = [_reply(m) for _, m in arrived]
        person.turns_done += 1
        self._last[chat] = replies
        if person.done:
            for store in (self._last, self._end):
                store.pop(chat, None)
            self.fake.forget(chat)
            self.tap.forget(chat)
        failed, not_understood = _judge([r.text for r in replies])
        if extra and not error:
            error = "unexpected message before the turn"
        gaps = [b - a for a, b in itertools.pairwise(times)]
        ended = times[-1] if times and not error else time.monotonic()
        return Turn(started, ended - started, move.question, move.kind, len(replies),
                    error or failed, not_understood, max(gaps, default=0.0), chat)

    async def _wait(
        self, chat: int, seen: int, own: list[OutMessage], answer: asyncio.Future[Any] | None,
        started: float,
    ) -> tuple[int, str]:
        """(messages the turn makes, error): wait for Rasa's answer, then for the messages."""
        expected = len(rendered_texts(own))
        if answer is not None:
            try:
                expected = len(telegram_texts(await asyncio.wait_for(answer, self._left(started)), own))
            except TimeoutError:
                return len(self.fake.arrivals[chat]) - seen, "timeout (no answer from Rasa)"
        while len(self.fake.arrivals[chat]) < seen + expected:
            if not await self.fake.next_arrival(chat, len(self.fake.arrivals[chat]), self._left(started)):
                return len(self.fake.arrivals[chat]) - seen, "timeout (missing replies)"
        return expected, ""

    def _left(self, started: float) -> float:
        return max(0.0, started + self.timeout - time.monotonic())

    def _send(self, chat: int, move: Move) -> None:
        if move.button and move.reply is not None:
            self.fake.press_button(chat, move.reply.message_id, move.button)
        else:
            self.fake.send_text(chat, move.text, first_name="Bench")


def _front_messages(person: Person, move: Move) -> tuple[list[OutMessage], bool]:
    """(what the front says on its own first, whether Rasa answers too) — bot/consent.py."""
    if move.question == "first" and not person.consented:
        return consent.consent_prompt(), False  # the message is kept for later
    if move.question == "consent":
        person.consented = True
        return [consent.ACCEPTED], True  # then Rasa's answer to the kept first message
    return [], True


def _reply(message: dict[str, Any]) -> Reply:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    titles = tuple(b["text"] for row in rows for b in row)
    return Reply(message.get("text") or "", titles, message["message_id"])


class RestTransport:
    """Rasa's REST channel, no front: buttons send their payloads.

    Chats are spread over several Rasa servers as the front spreads them.
    """

    def __init__(self, rasa_urls: list[str], session: aiohttp.ClientSession, name: str = "rest"):
        self.name = name
        self.router = RasaClient(",".join(rasa_urls))
        self.session = session
        self._last: dict[int, list[Reply]] = {}

    async def turn(self, person: Person, started: float) -> Turn:
        chat = person.chat_id
        move = person.next_move(self._last.get(chat, []))
        message = move.text
        if move.button and move.reply is not None:
            message = move.reply.payloads[move.reply.buttons.index(move.button)]
        body = {"sender": str(chat), "message": message}
        url = self.router.url_for(chat)
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
