"""Build rasa_sdk trackers from recorded JSON fixtures and run actions on them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

FIXTURES = Path(__file__).parent / "fixtures"
# The metadata the front sends for someone who refused (bot/consent.py).
REFUSED = {"transport": "telegram", "consent": "non", "minor": False}
DOMAIN: dict[str, Any] = {}


def tracker_from_fixture(name: str, *, text: str | None = None, entities: list[dict] | None = None,
                         intent: str | None = None, candidates: dict[str, Any] | None = None,
                         active: bool | None = None, metadata: dict[str, Any] | None = None,
                         **slots: Any) -> Tracker:
    """The recorded tracker, with its latest message and slots overridden.

    ``candidates``: slot values appended last as events, as Rasa's form does
    before calling its validation action; ``active``: the form is (not) running;
    ``metadata``: what the front said with the message (recorded: a person who agreed).
    """
    state = copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))
    state["slots"].update(slots)
    message = state["latest_message"]
    if text is not None:
        message["text"] = text
    if entities is not None:
        message["entities"] = entities
    if metadata is not None:
        message["metadata"] = metadata
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 1.0}
        message["intent_ranking"] = [message["intent"]]
    for slot, value in (candidates or {}).items():
        state["events"].append({"event": "slot", "name": slot, "value": value})
        state["slots"][slot] = value
    if active is not None:
        state["active_loop"] = {"name": "booking_form"} if active else {}
    return Tracker.from_dict(state)


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or (m.get("custom") or {}).get("text") or m.get("response") or ""
            for m in dispatcher.messages]


def cards(dispatcher: CollectingDispatcher) -> list[str]:
    """The offers' cards behind the list's "Détails" buttons (bot/details.py)."""
    return [d["text"] for m in dispatcher.messages for d in (m.get("custom") or {}).get("details", [])]
