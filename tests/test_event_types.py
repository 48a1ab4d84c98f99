"""rasa_ext.event_types: events deserialise to the same classes, unknown names fail the same."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)

from rasa_ext import event_types

EVENTS = [
    SessionStarted(), ActionExecuted("action_listen"),
    UserUttered("g le bac pro", {"name": "inform", "confidence": 0.98},
                [{"entity": "niveau", "value": "bac", "start": 5, "end": 11}]),
    SlotSet("niveau", "bac"), ActiveLoop("profile_form"), BotUttered("Quel âge avez-vous ?"),
]


@pytest.fixture(autouse=True)
def _restore_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    # Restored after each test: the replacement is for the Rasa server's process.
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])


def test_same_events_back() -> None:
    dumped = [event.as_dict() for event in EVENTS]
    by_rasa = deserialise_events(dumped)
    event_types.install()
    event_types.install()  # a second call does not wrap the first
    assert Event.resolve_by_type.cached  # type: ignore[attr-defined]
    assert deserialise_events(dumped) == by_rasa == EVENTS
    assert deserialise_events(dumped) == EVENTS  # from the cache this time


def test_unknown_names_and_defaults_as_rasa() -> None:
    event_types.install()
    with pytest.raises(ValueError, match="Unknown event name 'nope'"):
        Event.resolve_by_type("nope")
    assert Event.resolve_by_type("nope", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("slot", default=BotUttered) is SlotSet
