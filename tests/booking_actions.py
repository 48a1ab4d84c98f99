"""Support of the booking action tests: rasa_sdk trackers built from
tests/fixtures/*.json, a real Redis and the clock set to Monday 30 November
2026, 9:00 (the ``env`` fixture, registered in tests/conftest.py)."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import booking_form, booking_manage, booking_questions
from cnam import clock
from tests.actions_support import tracker_from_fixture
from tests.calendar_config import NOW, make_config

DOMAIN = yaml.safe_load(Path("domain/booking.yml").read_text(encoding="utf-8"))
CONFIG = make_config()
ME = "900"
SLOT = "adv1|2026-12-03T14:30"


@pytest.fixture
async def env(redis, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    for module in (booking_form, booking_questions, booking_manage):
        monkeypatch.setattr(module, "get_advisers", lambda: CONFIG)
    return redis


def make_tracker(fixture: str, *, entities: dict[str, str] | None = None,
                 slots: dict[str, Any] | None = None, **message: Any) -> Tracker:
    """``tracker_from_fixture`` with entities as ``{entity: value}`` and slots as a dict."""
    found = None if entities is None else [{"entity": k, "value": v} for k, v in entities.items()]
    return tracker_from_fixture(fixture, entities=found, **message, **(slots or {}))


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


async def validate(**kwargs: Any) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("booking_form_step.json", **kwargs)
    events = await booking_form.ValidateBookingForm().run(dispatcher, tracker, DOMAIN)
    return slot_events(events), dispatcher


async def run(action: Any, fixture: str = "booking_form_step.json", **kwargs: Any):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(fixture, **kwargs), DOMAIN)
    return slot_events(events), dispatcher, events


