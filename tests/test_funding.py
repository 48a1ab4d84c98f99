import pytest

from cnam.orientation.funding import FUNDING, funding_routes
from cnam.orientation.profile import Profile
from cnam.vocabulary import FINANCEMENTS
from tests.factories import make_offer

ALL = make_offer()
ALTERNANCE = make_offer(formats=["alternance", "presentiel"])


def keys(profile: Profile, offer=ALL) -> list[str]:
    return [route.key for route in funding_routes(profile, offer)]


def explanation(profile: Profile, key: str, offer=ALL) -> str:
    return next(r.explication for r in funding_routes(profile, offer) if r.key == key)


def test_job_seeker_gets_france_travail_first_and_cpf_without_fee() -> None:
    profile = Profile(situation="demandeur_emploi", tranche_age="26_plus")
    found = keys(profile)
    assert found[:3] == ["AIF_FRANCE_TRAVAIL", "CPF", "DEPARTEMENT_PUIC"]
    assert "pas de forfait" in explanation(profile, "CPF")
    assert not {"OPCO_PLAN_COMPETENCES", "PLAN_FORMATION_EMPLOYEUR_PUBLIC",
                "CFP_FONCTION_PUBLIQUE", "MISSION_LOCALE"} & set(found)


def test_rectorat_agent_gets_employer_plan_cpf_in_hours_and_cfp() -> None:
    profile = Profile(situation="agent_rectorat", tranche_age="26_plus")
    found = keys(profile, ALTERNANCE)
    assert found[:3] == ["PLAN_FORMATION_EMPLOYEUR_PUBLIC", "CPF", "CFP_FONCTION_PUBLIQUE"]
    assert "heures" in explanation(profile, "CPF")
    # Already in post: no apprenticeship or professionalisation contract.
    assert not {"APPRENTISSAGE", "PROFESSIONNALISATION", "AIF_FRANCE_TRAVAIL"} & set(found)


def test_private_employee_pays_the_cpf_fee_unless_employer_helps() -> None:
    profile = Profile(situation="salarie", tranche_age="26_plus")
    found = keys(profile)
    assert found[:3] == ["CPF", "OPCO_PLAN_COMPETENCES", "TRANSITIONS_PRO_PTP"]
    cpf = explanation(profile, "CPF")
    assert "102 €" in cpf and "employeur" in cpf
    assert "incertain" in explanation(profile, "TRANSITIONS_PRO_PTP")
    assert "AIF_FRANCE_TRAVAIL" not in found and "MISSION_LOCALE" not in found


@pytest.mark.parametrize(("age", "situation", "expected"), [
    ("16_17", "decrocheur", True),
    ("18_25", "salarie", True),
    (None, "decrocheur", True),  # age unknown: the label says 16-25
    (None, "salarie", False),  # an adult employee by default
    ("26_plus", "demandeur_emploi", False),
    ("moins_16", "lyceen", False),
])
def test_mission_locale_is_for_16_to_25(age, situation, expected) -> None:
    assert ("MISSION_LOCALE" in keys(Profile(tranche_age=age, situation=situation))) is expected


@pytest.mark.parametrize(("age", "situation", "apprentissage", "professionnalisation"), [
    ("16_17", "decrocheur", True, True),
    ("18_25", "etudiant", True, True),
    ("26_plus", "demandeur_emploi", True, True),  # 26-29 apprentice; 26+ job seeker
    ("26_plus", "salarie", True, False),
    ("moins_16", "lyceen", False, False),
])
def test_alternance_contracts_follow_age_rules(age, situation, apprentissage,
                                               professionnalisation) -> None:
    found = keys(Profile(tranche_age=age, situation=situation), ALTERNANCE)
    assert ("APPRENTISSAGE" in found) is apprentissage
    assert ("PROFESSIONNALISATION" in found) is professionnalisation


def test_alternance_contracts_need_an_offer_in_alternance() -> None:
    found = keys(Profile(tranche_age="18_25", situation="decrocheur"), ALL)
    assert "APPRENTISSAGE" not in found and "PROFESSIONNALISATION" not in found


def test_routes_are_limited_to_the_offer_financements() -> None:
    offer = make_offer(financements=["CPF", "LADOM"])
    assert keys(Profile(situation="demandeur_emploi"), offer) == ["CPF", "LADOM"]
    assert keys(Profile(situation="agent_rectorat"), make_offer(financements=["AIF_FRANCE_TRAVAIL"])) == []


def test_unknown_situation_lists_every_accepted_route_in_table_order() -> None:
    offer = make_offer(financements=["AUTOFINANCEMENT", "OPCO_PLAN_COMPETENCES", "CPF"])
    for profile in (Profile(), Profile(situation="inconnu", tranche_age="inconnu")):
        routes = funding_routes(profile, offer)
        assert [r.key for r in routes] == ["CPF", "OPCO_PLAN_COMPETENCES", "AUTOFINANCEMENT"]
        assert routes[0] == FUNDING["CPF"]


def test_students_far_from_mayotte_get_mobility_aid() -> None:
    offer = make_offer(financements=["LADOM", "BOURSE_CD_HORS_MAYOTTE", "AUTOFINANCEMENT"])
    assert keys(Profile(situation="lyceen", tranche_age="16_17"), offer) == [
        "BOURSE_CD_HORS_MAYOTTE", "LADOM", "AUTOFINANCEMENT",
    ]
    assert keys(Profile(situation="salarie", tranche_age="26_plus"), offer) == [
        "LADOM", "AUTOFINANCEMENT",
    ]


def test_jargon_is_explained_in_one_short_line() -> None:
    assert "compte personnel de formation" in FUNDING["CPF"].explication
    assert "aide individuelle à la formation" in FUNDING["AIF_FRANCE_TRAVAIL"].explication
    assert "OPCO, l'organisme de sa branche" in FUNDING["OPCO_PLAN_COMPETENCES"].explication
    profiles = [Profile(situation=s) for s in ("demandeur_emploi", "salarie", "agent_rectorat")]
    routes = list(FUNDING.values()) + [r for p in profiles for r in funding_routes(p, ALL)]
    for route in routes:
        assert len(route.explication) <= 120, route
        assert len(route.label) <= 45, route
        assert "\n" not in route.explication


def test_every_catalog_funding_key_has_its_wording_in_order() -> None:
    assert list(FUNDING) == FINANCEMENTS
