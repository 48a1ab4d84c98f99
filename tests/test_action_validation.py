"""rasa_ext.action_validation: the validator built once gives Rasa's own verdict."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_ext import action_validation

GOOD = {
    "events": [
        {"event": "slot", "name": "tranche_age", "value": "18_25", "timestamp": None},
        {"event": "active_loop", "name": "profile_form"},
    ],
    "responses": [{"response": "utter_ask_situation"}, {"text": "Bonjour", "buttons": []}],
}
ANSWERS: list[dict[str, Any]] = [
    GOOD,
    {"events": [], "responses": []},
    {"events": "slot", "responses": []},
    {"events": [{"name": "tranche_age"}], "responses": []},
    {"events": [{"event": "slot", "name": 3}], "responses": []},
    {"events": [], "responses": "utter_greet"},
    {"events": [{"event": "unknown_event"}], "responses": []},
]


@pytest.fixture
def action(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    # Restored after the test: the replacement is for the Rasa server's process.
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)
    return RemoteAction("action_hand_over", EndpointConfig("http://127.0.0.1:9/webhook"))


def verdict(action: RemoteAction, answer: dict[str, Any]) -> str:
    """"valid", or the message Rasa's action raises (and logs) for a bad answer."""
    try:
        assert action._validate_action_result(answer)
    except ValidationError as refusal:
        return refusal.message
    return "valid"


@pytest.mark.parametrize("answer", ANSWERS)
def test_same_verdict_and_message_as_rasa(action: RemoteAction, answer: dict[str, Any]) -> None:
    rasa_verdict = verdict(action, answer)
    action_validation.install()
    assert verdict(action, answer) == rasa_verdict


def test_installed_once_and_still_refuses(action: RemoteAction) -> None:
    action_validation.install()
    installed = RemoteAction._validate_action_result
    action_validation.install()  # a second call does not wrap the first
    assert RemoteAction._validate_action_result is installed
    assert verdict(action, GOOD) == "valid"
    assert "Failed to validate Action server response" in verdict(
        action, {"events": "slot", "responses": []}
    )
