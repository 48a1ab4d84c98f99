"""The bot sends due reminders once, and puts them back when Telegram fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.ext import Application

from bot import reminder_sender as sender
from cnam import clock
from cnam.booking import appointments
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
