"""Routing of cases to advisers (cnam/routing.py) and its part of the
calendar file (catalog/advisers.yaml: telegram accounts, takes, teams)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cnam.booking.config import AdvisersConfig, AdvisersFileError, load_advisers
from cnam.handoff import HandoffRecord
from cnam.routing import adviser_of, route

SHIPPED = Path("catalog/advisers.yaml")


def config(**changes: Any) -> AdvisersConfig:
    """The shipped calendar, without its routing, with ``advisers`` (by index) and ``teams`` changed."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for adviser in data["advisers"]:
        adviser.pop("takes", None)
    for index, fields in changes.get("advisers", {}).items():
        data["advisers"][index].update(fields)
    if "teams" in changes:
        data["teams"] = changes["teams"]
    return AdvisersConfig.parse_obj(data)


def case(**fields: Any) -> HandoffRecord:
    return HandoffRecord(chat_id=1, reason="demande_conseiller", **fields)


def test_the_best_match_wins_and_a_contradiction_rules_out() -> None:
    routed = config(advisers={
        0: {"takes": {"domaines": ["informatique", "cybersecurite"], "communes": ["Mamoudzou"]}},
        1: {"takes": {"domaines": ["btp"]}},
    })
    assert route(case(domaines=["informatique"], commune="Mamoudzou"), routed) == ["adv1"]
    assert route(case(domaines=["btp"], commune="Mamoudzou"), routed) == ["adv2"]
    # Nothing known: nobody in particular, not everybody.
    assert route(case(), routed) == []
    # A commune nobody covers, no field known: anyone.
    assert route(case(commune="Sada"), routed) == []


def test_publics_and_subjects_count_and_teams_route_to_their_members() -> None:
    routed = config(
        advisers={0: {"takes": {"publics": ["demandeur_emploi"]}}},
        teams=[{"id": "vae", "name": "Pôle VAE", "members": ["adv1", "adv2"], "takes": {"sujets": ["vae"]}}],
    )
    assert route(case(situation="demandeur_emploi"), routed) == ["adv1"]
    assert route(case(sujet="vae", tranche_age="26_plus"), routed) == ["adv1", "adv2"]
    # Both criteria met beats one.
    assert route(case(sujet="vae", situation="demandeur_emploi"), routed) == ["adv1"]
    assert route(case(sujet="financement"), routed) == []


def test_an_adviser_is_found_by_telegram_id_or_username() -> None:
    routed = config(advisers={0: {"telegram_id": 9001}, 1: {"telegram_username": "Anli_CNAM"}})
    assert adviser_of(routed, 9001, None).id == "adv1"
    assert adviser_of(routed, 5, "anli_cnam").id == "adv2"
    assert adviser_of(routed, 5, None) is None and adviser_of(routed, 5, "x") is None


ZAINABA_TAKES = '    takes:\n      publics: [decrocheur, lyceen, etudiant, "16_17", "18_25"]\n'


@pytest.mark.parametrize(("lines", "field"), [
    ("    takes: {domaines: [plongee]}\n", r"advisers\.0\.takes\.domaines: domaine inconnu"),
    ("    takes: {communes: [Paris]}\n", r"advisers\.0\.takes\.communes: commune inconnu"),
    ("    takes: {domaine: [btp]}\n", r"advisers\.0\.takes\.domaine: extra fields"),
    ('    takes: {publics: [18_25]}\n', r"advisers\.0\.takes\.publics\.0: 1825 : écrivez les âges entre"),
    ('    telegram_username: "@zai"\n', r"advisers\.0\.telegram_username"),
    ("    telegram_id: -4\n", r"advisers\.0\.telegram_id"),
])
def test_a_wrong_routing_field_is_named(tmp_path: Path, lines: str, field: str) -> None:
    source = SHIPPED.read_text(encoding="utf-8")
    assert ZAINABA_TAKES in source
    broken = tmp_path / "advisers.yaml"
    broken.write_text(source.replace(ZAINABA_TAKES, lines, 1), encoding="utf-8")
    with pytest.raises(AdvisersFileError, match=field):
        load_advisers(broken)


def test_a_team_of_unknown_advisers_is_refused() -> None:
    with pytest.raises(ValueError, match=r"teams\.vae\.members : conseillers inconnus \['adv9'\]"):
        config(teams=[{"id": "vae", "name": "VAE", "members": ["adv9"], "takes": {"sujets": ["vae"]}}])



def test_the_shipped_file_routes_young_people_and_employees_apart() -> None:
    shipped = load_advisers(SHIPPED)
    assert route(case(situation="demandeur_emploi", tranche_age="18_25"), shipped) == ["adv1"]
    assert route(case(situation="salarie", tranche_age="26_plus"), shipped) == ["adv2"]
