"""actions.form_domain: the form validators do with the domain files what they
did with the domain Rasa used to send, which Rasa no longer sends (endpoints.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.booking_form import ValidateBookingForm
from actions.profile_form import ValidateProfileForm
from tests.actions_support import tracker_from_fixture

ROOT = Path(__file__).resolve().parents[1]
# The booking form lists its slots itself (required_slots): it needs no domain.
CASES = [
    (ValidateProfileForm, "tracker_profile_niveau.json", {"niveau": "g le bac pro"}, True),
    (ValidateBookingForm, "booking_form_step.json", {"rdv_mode": "par téléphone"}, False),
]


async def _run(form: FormValidationAction, fixture: str, candidates: dict[str, Any],
               domain: dict[str, Any], *, plain: bool = False) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_fixture(fixture, candidates=candidates)
    run = FormValidationAction.run if plain else type(form).run
    events = await run(form, dispatcher, tracker, domain)
    return events, dispatcher.messages


def test_rasa_sends_no_domain() -> None:
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True
    domain = Domain.load(str(ROOT / "domain"))
    assert not [a for a in domain.user_actions if domain.does_custom_action_explicitly_need_domain(a)]


@pytest.mark.parametrize(("form_class", "fixture", "candidates", "needs_files"), CASES)
async def test_same_events_without_the_domain_as_with_rasas(
    form_class: type[FormValidationAction], fixture: str, candidates: dict[str, Any],
    needs_files: bool,
) -> None:
    sent_before = Domain.load(str(ROOT / "domain")).as_dict()
    form = form_class()
    with_rasas = await _run(form, fixture, candidates, sent_before)
    assert with_rasas[0], "the step validates something"
    assert await _run(form, fixture, candidates, {}) == with_rasas
    # Without the files rasa_sdk would validate nothing: the mixin is what keeps it.
    plain = await _run(form, fixture, candidates, {}, plain=True)
    assert (plain != with_rasas) is needs_files
