"""Build rasa_sdk trackers from recorded JSON fixtures and run actions on them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN: dict[str, Any] = {}


def tracker_from_fixture(name: str, *, text: str | None = None, entities: list[dict] | None = None,
                         intent: str | None = None, **slots: Any) -> Tracker:
    """The recorded tracker, with its latest message and slots overridden."""
    state = copy.deepcopy(json.loads((FIXTURES / name).read_text()))
    state["slots"].update(slots)
    message = state["latest_message"]
    if text is not None:
        message["text"] = text
    if entities is not None:
        message["entities"] = entities
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 0.9}
    return Tracker.from_dict(state)


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or m.get("response") or "" for m in dispatcher.messages]
