"""The profile form's validation, on trackers recorded from conversations."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.profile_form import ValidateProfileForm, age_bracket, availability, first_name
from tests.actions_support import DOMAIN, tracker_from_fixture

FIXTURE = "tracker_profile_niveau.json"
FORM_SLOTS = ["prenom", "tranche_age", "situation", "niveau", "gout_1", "gout_2", "domaine", "commune"]


@pytest.fixture
def form() -> ValidateProfileForm:
    return ValidateProfileForm()


async def test_entity_value_is_kept(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE)
    result = await form.validate_niveau("bac", CollectingDispatcher(), tracker, DOMAIN)
    assert result["niveau"] == "bac"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("BTS", "bac+2"), ("j'ai une licence", "bac+3"), ("pas de diplome", "sans_bac"), ("bac pro", "bac")],
)
async def test_free_text_is_canonicalised(form: ValidateProfileForm, text: str, expected: str) -> None:
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[])
    result = await form.validate_niveau(text, CollectingDispatcher(), tracker, DOMAIN)
    assert result["niveau"] == expected


async def test_two_misses_explain_and_offer_skip(form: ValidateProfileForm) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_fixture(FIXTURE, text="euh", entities=[])
    first = await form.validate_niveau("euh", dispatcher, tracker, DOMAIN)
    assert first["niveau"] is None and first["echecs"] == {"niveau": 1}
    assert dispatcher.messages[-1]["response"] == "utter_not_understood_answer"
    tracker = tracker_from_fixture(FIXTURE, text="bof", entities=[], echecs=first["echecs"])
    second = await form.validate_niveau("bof", dispatcher, tracker, DOMAIN)
    assert second["echecs"] == {"niveau": 2}
    assert dispatcher.messages[-1]["response"] == "utter_explain_niveau"


async def test_skip_is_accepted_and_clears_failures(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE, echecs={"niveau": 2})
    result = await form.validate_niveau("inconnu", CollectingDispatcher(), tracker, DOMAIN)
    assert result == {"niveau": "inconnu", "echecs": {}}


async def test_dont_know_field_starts_discovery(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE, text="jsp trop", entities=[], requested_slot="domaine")
    result = await form.validate_domaine(["jsp trop"], CollectingDispatcher(), tracker, DOMAIN)
    assert result["domaine"] is None and result["decouverte"] is True
    slots = await form.required_slots(
        FORM_SLOTS, CollectingDispatcher(), tracker_from_fixture(FIXTURE, decouverte=True), DOMAIN,
    )
    assert slots[slots.index("gout_1"):] == ["gout_1", "gout_2", "domaine", "commune"]
    usual = await form.required_slots(FORM_SLOTS, CollectingDispatcher(), tracker_from_fixture(FIXTURE), DOMAIN)
    assert "gout_1" not in usual


async def test_field_in_free_text(form: ValidateProfileForm) -> None:
    text = "je veux travailler dans le batiment"
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], requested_slot="domaine")
    result = await form.validate_domaine([text], CollectingDispatcher(), tracker, DOMAIN)
    assert result["domaine"] == ["btp"]


async def test_under_16_ends_the_form(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE, tranche_age="moins_16")
    assert await form.required_slots(["prenom", "niveau"], CollectingDispatcher(), tracker, DOMAIN) == []


async def test_evening_format_fills_availability(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE, text="le soir", entities=[])
    result = await form.validate_modalite("soir_weekend", CollectingDispatcher(), tracker, DOMAIN)
    assert result["modalite"] == "soir_weekend" and result["disponibilite"] == "soir_weekend"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Je m'appelle fatima", "Fatima"), ("moi c anli", "Anli"), ("Marie-Ange", "Marie-Ange"),
     ("bonjour", None), ("raconte moi une blague stp", None), ("12345", None), ("x" * 60, None)],
)
def test_first_name(text: str, expected: str | None) -> None:
    assert first_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("j'ai 15 ans", "moins_16"), ("17", "16_17"), ("19 ans", "18_25"), ("42", "26_plus"), ("vieux", None)],
)
def test_age_bracket(text: str, expected: str | None) -> None:
    assert age_bracket(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("le soir apres le taf", "soir_weekend"), ("en journée", "journee"), ("les deux", "indifferent"),
     ("samedi et le matin", "indifferent"), ("???", None)],
)
def test_availability(text: str, expected: str | None) -> None:
    assert availability(text) == expected


async def test_discovery_answers_give_fields(form: ValidateProfileForm) -> None:
    dispatcher = CollectingDispatcher()
    text = "proteger la planete"
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], requested_slot="gout_2",
                                   gout_1="ordinateurs", decouverte=True)
    result = await form.validate_gout_2(text, dispatcher, tracker, DOMAIN)
    assert result["gout_2"] == "planete"
    assert result["domaine"][0] == "informatique" and "energie" in result["domaine"]
    assert "informatique" in dispatcher.messages[-1]["text"]


async def test_skipped_discovery_leaves_field_unknown(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE, gout_1="inconnu", decouverte=True, requested_slot="gout_2")
    result = await form.validate_gout_2("inconnu", CollectingDispatcher(), tracker, DOMAIN)
    assert result["domaine"] == ["inconnu"]


async def test_asking_for_a_person_instead_of_a_name_is_honoured(form: ValidateProfileForm, redis) -> None:  # type: ignore[no-untyped-def]
    from cnam import handoff

    text = "je veux parler a un conseiller"
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], intent="ask_human", requested_slot="prenom")
    dispatcher = CollectingDispatcher()
    result = await form.validate_prenom(text, dispatcher, tracker, DOMAIN)
    assert result == {"prenom": None}
    assert dispatcher.messages[-1]["response"] == "utter_handoff_done"
    records = [r async for r in handoff.all_records(redis)]
    assert [r.reason for r in records] == ["demande_conseiller"]
