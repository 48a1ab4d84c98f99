"""The bot sends due reminders once, puts them back when Telegram fails, and
keeps sending through unreadable entries and any exception of its loop."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from functools import partial

import pytest
from telegram.ext import Application

from bot import reminder_sender as sender
from bot import supervisor
from cnam import clock
from cnam.booking import appointments, reminders
from cnam.settings import get_settings
from tests.calendar_config import NOW, at, make_config
from tests.fake_telegram import FakeTelegram

CONFIG = make_config()
START = at("2026-12-03", "14:30")


@pytest.fixture
async def application(fake_telegram: FakeTelegram, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sender, "get_advisers", lambda: CONFIG)
    app = Application.builder().token(fake_telegram.token).base_url(fake_telegram.base_url).build()
    await app.initialize()
    yield app
    await app.shutdown()


async def test_due_reminder_sent_once(redis, application, fake_telegram: FakeTelegram, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    result = await appointments.book(redis, CONFIG, 8801, "adv1|2026-12-03T14:30", "site", NOW)
    assert result.ok
    monkeypatch.setattr(clock, "now", lambda: START - timedelta(hours=23))
    assert await sender.send_due(application) == 1
    assert await sender.send_due(application) == 0
    [message] = fake_telegram.messages(8801)
    assert "14 h 30" in message["text"]


async def test_reminder_put_back_when_telegram_fails(redis, application, fake_telegram: FakeTelegram,
                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert (await appointments.book(redis, CONFIG, 8802, "adv1|2026-12-03T14:30", "site", NOW)).ok
    monkeypatch.setattr(clock, "now", lambda: START - timedelta(hours=23))
    fake_telegram.fail_next("sendMessage", status=500, times=1)
    assert await sender.send_due(application) == 0
    assert await sender.send_due(application) == 1
    assert len(fake_telegram.messages(8802)) == 1


async def test_unreadable_entry_does_not_stop_the_reminder_after_it(redis, application, fake_telegram,
                                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert (await appointments.book(redis, CONFIG, 8803, "adv1|2026-12-03T14:30", "site", NOW)).ok
    now = START - timedelta(hours=23)
    monkeypatch.setattr(clock, "now", lambda: now)
    # due before the real one, so it is read first
    await redis.zadd(reminders.reminders_key(), {"8803|?": (now - timedelta(hours=1)).timestamp()})
    assert await sender.send_due(application) == 1
    [message] = fake_telegram.messages(8803)
    assert message["text"].startswith("Rappel : rendez-vous CNAM")
    assert await redis.zrange(reminders.parked_key(), 0, -1) == ["8803|?"]


async def test_reminder_loop_outlives_any_exception(redis, application, fake_telegram,
                                                    monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    assert (await appointments.book(redis, CONFIG, 8804, "adv1|2026-12-03T14:30", "site", NOW)).ok
    monkeypatch.setattr(clock, "now", lambda: START - timedelta(hours=23))
    monkeypatch.setattr(supervisor, "FIRST_DELAY", 0.01)
    monkeypatch.setattr(get_settings(), "reminder_interval", 0.01)
    failures = iter([RuntimeError("chat 8804 said Zaina"), KeyError("8804")])

    def advisers():  # type: ignore[no-untyped-def]
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return CONFIG

    monkeypatch.setattr(sender, "get_advisers", advisers)
    task = asyncio.create_task(supervisor.supervise("reminders", partial(sender.run, application)))
    try:
        [message] = await fake_telegram.wait_for_messages(8804, 1, timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert "14 h 30" in message["text"]
    failed = [r.getMessage() for r in caplog.records if r.name == "bot.supervisor"]
    assert [m.split(" at ")[0] for m in failed] == ["reminders failed (RuntimeError", "reminders failed (KeyError"]
    assert not any("8804" in m or "Zaina" in m for m in failed)
