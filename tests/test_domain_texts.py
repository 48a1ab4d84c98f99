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
