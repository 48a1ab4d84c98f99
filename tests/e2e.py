"""End-to-end helpers: the real bot process, Rasa, actions and Redis, with the
project's fake Telegram Bot API playing the users."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_sent import said_in
from tests.stack import Process, Stack

ADVISERS_GROUP = -100777
ADVISER = 9001
QUIET_SECONDS = 1.5  # a turn is over when the bot stays silent this long


@dataclass
class LiveBot:
    fake: FakeTelegram
    stack: Stack
    bot: Process

    @classmethod
    async def start(cls, stack: Stack) -> LiveBot:
        fake = FakeTelegram()
        await fake.start()
        fake.members[ADVISERS_GROUP][ADVISER] = "member"
        env = {
            **stack.env,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "ADVISER_CHAT_ID": str(ADVISERS_GROUP),
            "WEBHOOK_URL": "",
            # Background loops at test speed: reminders every second, retries
            # (cards, restarts after a failure) at most 2 s apart.
            "REMINDER_INTERVAL": "1",
            "BACKGROUND_RETRY_MAX": "2",
            # Raising unclaimed cards would post into other tests' group
            # messages as the session goes on; test_e2e_cases turns it on.
            "UNCLAIMED_RAISE_MINUTES": "0",
            # Likewise the morning agenda whenever a test moves the clock to a
            # morning; test_e2e_agenda turns it on.
            "AGENDA_MORNING": "off",
            # And the attendance questions (whenever a test moves the clock past
            # appointments: dropped unasked) and the Monday digest: test_e2e_attendance
            # turns them on.
            "ATTENDANCE_CHECK": "off",
            "WEEKLY_DIGEST": "off",
        }
        bot = Process("bot", [sys.executable, "-m", "bot"], env)
        live = cls(fake, stack, bot)
        await live._start_bot()
        return live

    async def _start_bot(self) -> None:
        polls = len(self.fake.calls_of("getUpdates"))
        self.bot.start()
        await self.fake.wait_for(lambda: len(self.fake.calls_of("getUpdates")) > polls, timeout=60)

    async def restart(self, **env: str) -> None:
        """A new bot process on the same fake API (what it detects at start, read
        again), with ``env`` changed (``UNCLAIMED_RAISE_MINUTES="30"``)."""
        self.bot.stop()
        self.bot.env = {**self.bot.env, **env}
        await self._start_bot()

    async def stop(self) -> None:
        self.bot.stop()
        await self.fake.stop()

    def person(self, chat_id: int) -> Person:
        # The session shares one Redis prefix: a chat id reused by another test
        # inherits that test's consent and profile, and fails far from the cause.
        # The test function: the cases of one parametrized test are one person.
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0].split("[")[0]
        owner = _CHAT_OWNERS.setdefault(chat_id, test)
        if owner != test:
            raise AssertionError(f"chat {chat_id} is already used by {owner}; pick another id")
        return Person(self, chat_id)


_CHAT_OWNERS: dict[int, str] = {}


@dataclass
class Person:
    """One user in a private chat with the bot."""

    live: LiveBot
    chat_id: int

    @property
    def fake(self) -> FakeTelegram:
        return self.live.fake

    async def replies(self, timeout: float = 60) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """Everything the bot says until it has been quiet for QUIET_SECONDS: its new
        messages and what it edited in, part by part (``said_in``)."""
        changes = self.fake.changes[self.chat_id]
        start = len(changes)
        deadline = time.monotonic() + timeout
        while len(changes) == start:
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer in chat {self.chat_id}; bot log:\n{self.live.bot.log_tail()}")
            await asyncio.sleep(0.05)
        seen = len(changes)
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS:
            await asyncio.sleep(0.05)
            if len(changes) != seen:
                seen, quiet_since = len(changes), time.monotonic()
        return [part for change in changes[start:] for part in said_in(*change)]

    async def say(self, text: str) -> list[dict[str, Any]]:
        self.fake.send_text(self.chat_id, text)
        return await self.replies()

    async def press(self, title: str) -> list[dict[str, Any]]:
        """Press the button titled ``title`` on the latest message that has it."""
        for message in reversed(self.fake.sent[self.chat_id]):
            if title in button_titles(message):
                self.fake.press_button(self.chat_id, message["message_id"], title)
                return await self.replies()
        raise AssertionError(f"no button {title!r}; last messages: {texts(self.fake.sent[self.chat_id][-3:])}")

    async def answer_until_summary(self, latest: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Answer the booking form's questions about the person (actions/booking_person.py),
        whichever it asks, by their first button; returns the summary to confirm."""
        for _ in range(5):
            titles = button_titles(latest[-1])
            if "Confirmer" in titles:
                return latest
            for choice in ("Oui", "Mamoudzou", "Choix d'une formation", "Non merci, sans numéro"):
                if choice in titles:
                    latest = await self.press(choice)
                    break
            else:
                raise AssertionError(f"unexpected booking question: {texts(latest)}")
        raise AssertionError(f"no summary: {texts(latest)}")

    async def book_first_slot(self, mode: str = "Sur place au CNAM") -> list[dict[str, Any]]:
        """Book the first free time from "je veux un rdv"; returns the confirmation."""
        await self.say("je veux un rdv")
        days = await self.press(mode)
        times = await self.press(button_titles(days[-1])[0])
        await self.answer_until_summary(await self.press(button_titles(times[-1])[0]))
        return await self.press("Confirmer")

    async def start_with_consent(self, first: str = "bjr") -> list[dict[str, Any]]:
        prompt = await self.say(first)
        assert "J'accepte" in button_titles(prompt[-1]), texts(prompt)
        return await self.press("J'accepte")


def button_titles(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in messages]


def response(name: str) -> list[str]:
    """The texts Rasa may say for the response ``name`` (its variations, domain/*.yml)."""
    for path in sorted((Path(__file__).parent.parent / "domain").glob("*.yml")):
        variants = (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).get(name)
        if variants:
            return [v["text"] for v in variants]
    raise KeyError(name)


def said(messages: list[dict[str, Any]], *names: str) -> bool:
    """The messages are exactly the responses ``names``, one variation each, in order."""
    found = texts(messages)
    return len(found) == len(names) and all(t in response(n) for t, n in zip(found, names, strict=True))
