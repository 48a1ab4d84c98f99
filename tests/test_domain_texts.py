"""What the assistant says from the domain: short French messages."""

from __future__ import annotations

from pathlib import Path

import yaml

DOMAIN = Path(__file__).parents[1] / "domain"


def test_every_response_fits_one_short_message() -> None:
    too_long = []
    for path in sorted(DOMAIN.glob("*.yml")):
        for name, variants in (yaml.safe_load(path.read_text()).get("responses") or {}).items():
            too_long += [f"{path.name}:{name}" for v in variants if len(v.get("text") or "") > 350]
    assert too_long == []


def test_every_profile_question_has_buttons() -> None:
    responses = yaml.safe_load((DOMAIN / "profile.yml").read_text())["responses"]
    asks = {name: variants for name, variants in responses.items() if name.startswith("utter_ask_")}
    assert len(asks) >= 7
    assert all(v.get("buttons") for variants in asks.values() for v in variants)


def test_the_booking_topic_question_offers_every_topic_of_the_vocabulary() -> None:
    """utter_ask_rdv_sujet is a domain response (no action-server call): its
    buttons must stay the topics cnam.vocabulary.SUJET names, "autre" last."""
    from actions.payloads import STOP_BOOKING, button
    from cnam.vocabulary import SUJET

    responses = yaml.safe_load((DOMAIN / "booking.yml").read_text())["responses"]
    [question] = responses["utter_ask_rdv_sujet"]
    expected = [button(label, "inform", rdv_sujet=key) for key, label in SUJET.items() if key != "autre"]
    expected += [button("Autre chose, je ne sais pas", "inform", rdv_sujet="autre"), STOP_BOOKING]
    # Rasa fills {slots} in payloads, hence the doubled braces in the YAML.
    assert [{**b, "payload": b["payload"].replace("{{", "{").replace("}}", "}")}
            for b in question["buttons"]] == expected


def test_the_booking_form_asks_for_the_commune_as_the_profile_does() -> None:
    responses = yaml.safe_load((DOMAIN / "profile.yml").read_text())["responses"]
    assert responses["utter_ask_rdv_commune"] == responses["utter_ask_commune"]
