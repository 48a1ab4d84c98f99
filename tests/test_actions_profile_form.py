"""The profile form's validation, on trackers recorded from conversations."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.profile_form import ValidateProfileForm, age_bracket, availability, first_name
from cnam.orientation.ways_in import neighbour_domains
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


@pytest.mark.parametrize(("text", "intent"), [
    ("Mariama Abdou", "ask_funding"), ("houssamie madi", "out_of_scope"), ("Anli Saïd", "nlu_fallback"),
])
async def test_a_full_name_is_the_name_whatever_the_intent(form: ValidateProfileForm, text: str,
                                                           intent: str) -> None:
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], intent=intent, requested_slot="prenom")
    assert await form.extract_prenom(CollectingDispatcher(), tracker, DOMAIN) == {"prenom": text}
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], intent=intent, requested_slot="prenom",
                                   candidates={"prenom": text})
    result = await form.validate_prenom(text, dispatcher, tracker, DOMAIN)
    expected = " ".join(w[0].upper() + w[1:] for w in text.split())
    assert result["prenom"] == expected
    assert [m["text"] for m in dispatcher.messages] == [f"Enchanté, {expected} !"]


@pytest.mark.parametrize(("text", "intent"), [
    ("je veux parler a un conseiller", "ask_human"), ("c payant ?", "ask_funding"), ("t un robot ?", "bot_challenge"),
])
async def test_a_request_instead_of_the_name_is_left_to_its_rule(form: ValidateProfileForm, text: str,
                                                                  intent: str) -> None:
    """Nothing extracted: Rasa's form steps aside, the request's rule answers, the form asks again."""
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], intent=intent, requested_slot="prenom")
    assert await form.extract_prenom(CollectingDispatcher(), tracker, DOMAIN) == {}


async def test_the_name_is_read_only_while_it_is_asked(form: ValidateProfileForm) -> None:
    tracker = tracker_from_fixture(FIXTURE, text="Mariama Abdou", entities=[], intent="ask_funding")
    assert await form.extract_prenom(CollectingDispatcher(), tracker, DOMAIN) == {}


async def test_a_wish_typed_for_the_name_is_explained_not_misunderstood(form: ValidateProfileForm) -> None:
    text = "pilote de ligne"
    entities = [{"entity": "domaine", "value": "pilotage", "start": 0, "end": 15}]
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=entities, intent="inform", requested_slot="prenom",
                                   candidates={"domaine": ["pilotage"]})
    assert await form.extract_prenom(CollectingDispatcher(), tracker, DOMAIN) == {"prenom": text}
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=entities, intent="inform", requested_slot="prenom",
                                   candidates={"domaine": ["pilotage"], "prenom": text})
    dispatcher = CollectingDispatcher()
    assert await form.validate_prenom(text, dispatcher, tracker, DOMAIN) == {"prenom": None}
    assert await form.validate_domaine(["pilotage"], dispatcher, tracker, DOMAIN) == {
        "domaine": ["pilotage"], "echecs": {}}
    assert [m["text"] for m in dispatcher.messages] == [neighbour_domains("pilotage").message]
    assert "école de pilotage" in dispatcher.messages[0]["text"]


async def test_an_answer_to_another_question_is_not_a_miss(form: ValidateProfileForm) -> None:
    """Asked the age, "je veux etre medecin": the wish is explained, the age asked again, no complaint."""
    text = "je veux etre medecin"
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[{"entity": "domaine", "value": "medecine"}],
                                   intent="inform", requested_slot="tranche_age",
                                   candidates={"domaine": ["medecine"], "tranche_age": text})
    dispatcher = CollectingDispatcher()
    assert await form.validate_tranche_age(text, dispatcher, tracker, DOMAIN) == {"tranche_age": None}
    await form.validate_domaine(["medecine"], dispatcher, tracker, DOMAIN)
    said = [m["text"] for m in dispatcher.messages]
    assert said == [neighbour_domains("medecine").message]
    assert "Parcoursup" in said[0] and "université" in said[0]


@pytest.mark.parametrize("text", ["jsp", "je sais pas", "aucune idée"])
async def test_dont_know_typed_skips_the_question(form: ValidateProfileForm, text: str) -> None:
    tracker = tracker_from_fixture(FIXTURE, text=text, entities=[], intent="deny")
    dispatcher = CollectingDispatcher()
    assert (await form.validate_niveau(text, dispatcher, tracker, DOMAIN))["niveau"] == "inconnu"
    assert (await form.validate_tranche_age(text, dispatcher, tracker, DOMAIN))["tranche_age"] == "inconnu"
    assert dispatcher.messages == []
