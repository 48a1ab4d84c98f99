"""Who can pay for a training: the funding routes open to a profile for one offer.

Rules from the funding schemes open in Mayotte (France Travail, the
Département, the Mission locale, employers and OPCO, LADOM). Each
route is a short label (shown on the offer card) and one plain sentence (shown
when the person asks how to pay). The offer's own ``financements`` list says
which routes the CNAM accepts for it; the profile says which ones apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnam.orientation.catalog import Offer
from cnam.orientation.profile import Profile
from cnam.vocabulary import SITUATIONS, TRANCHES_AGE


@dataclass(frozen=True)
class FundingRoute:
    key: str
    label: str
    explication: str


# The wording of each catalog key (``cnam.vocabulary.FINANCEMENTS``, same order).
FUNDING: dict[str, FundingRoute] = {
    route.key: route
    for route in [
        FundingRoute(
            "CPF", "Votre CPF (compte formation)",
            "Le CPF, compte personnel de formation : des droits gagnés en travaillant, "
            "à utiliser sur Mon Compte Formation.",
        ),
        FundingRoute(
            "AIF_FRANCE_TRAVAIL", "Aide de France Travail (AIF)",
            "AIF, aide individuelle à la formation : France Travail paie si votre conseiller "
            "valide le projet.",
        ),
        FundingRoute(
            "DEPARTEMENT_PUIC", "Département de Mayotte (PUIC)",
            "Le Département et l'État (pacte PUIC) paient des formations pour les demandeurs "
            "d'emploi.",
        ),
        FundingRoute(
            "MISSION_LOCALE", "Mission locale (16-25 ans)",
            "Pour les 16-25 ans : un conseiller vous suit (CEJ) et peut faire financer "
            "la formation.",
        ),
        FundingRoute(
            "OPCO_PLAN_COMPETENCES", "Votre employeur (plan de compétences)",
            "L'employeur peut payer la formation ; son OPCO, l'organisme de sa branche, "
            "l'aide sous 50 salariés.",
        ),
        FundingRoute(
            "TRANSITIONS_PRO_PTP", "Transition professionnelle (Transitions Pro)",
            "Pour changer de métier en gardant votre salaire. Transitions Pro Mayotte : "
            "avenir incertain, à vérifier.",
        ),
        FundingRoute(
            "PLAN_FORMATION_EMPLOYEUR_PUBLIC", "Plan de formation de votre administration",
            "Votre administration, par exemple le rectorat, peut payer la formation : "
            "demandez à votre service.",
        ),
        FundingRoute(
            "CFP_FONCTION_PUBLIQUE", "Congé de formation professionnelle",
            "Agent public avec 3 ans de service : jusqu'à 12 mois payés à 85 % pour vous "
            "former.",
        ),
        FundingRoute(
            "APPRENTISSAGE", "Contrat d'apprentissage (16-29 ans)",
            "De 16 à 29 ans : vous êtes salarié(e) d'une entreprise, payé(e), et la formation "
            "est gratuite.",
        ),
        FundingRoute(
            "PROFESSIONNALISATION", "Contrat de professionnalisation",
            "16-25 ans, ou demandeur d'emploi de 26 ans et plus : un salaire et la formation "
            "payée.",
        ),
        FundingRoute(
            "LADOM", "LADOM (passeport mobilité)",
            "Si la formation n'existe pas à Mayotte : LADOM aide à payer le voyage et les "
            "frais d'études.",
        ),
        FundingRoute(
            "BOURSE_CD_HORS_MAYOTTE", "Bourses du Département (hors Mayotte)",
            "Le Département aide les étudiants qui partent étudier hors de Mayotte.",
        ),
        FundingRoute(
            "AUTOFINANCEMENT", "Financement personnel",
            "Vous payez vous-même, parfois en plusieurs fois : demandez un devis au CNAM.",
        ),
    ]
}

# The CPF rules differ by status: the flat fee (~102 € in 2025) is waived for
# job seekers, public agents and when the employer co-funds.
_CPF_BY_SITUATION = {
    "demandeur_emploi": "Le CPF, vos droits formation gagnés en travaillant. Demandeur d'emploi : "
                        "pas de forfait de 102 € à payer.",
    "salarie": "Le CPF, vos droits formation gagnés en travaillant. Environ 102 € restent à "
               "payer, sauf si l'employeur complète.",
    "agent_rectorat": "Le CPF des agents publics se compte en heures (25 h par an), sans "
                      "forfait à payer.",
}

# Routes specific to a situation, most useful first.
_BY_SITUATION = {
    "demandeur_emploi": ["AIF_FRANCE_TRAVAIL", "CPF", "DEPARTEMENT_PUIC"],
    "agent_rectorat": ["PLAN_FORMATION_EMPLOYEUR_PUBLIC", "CPF", "CFP_FONCTION_PUBLIQUE"],
    "salarie": ["CPF", "OPCO_PLAN_COMPETENCES", "TRANSITIONS_PRO_PTP"],
    "lyceen": [],
    "etudiant": [],
    "decrocheur": [],
}
_STUDENTS = {"lyceen", "etudiant", "decrocheur"}
_EMPLOYED = {"salarie", "agent_rectorat"}
_ALTERNANCE = ("APPRENTISSAGE", "PROFESSIONNALISATION")


def _known(value: str | None, allowed: list[str]) -> str | None:
    """Skipped or free answers ("inconnu") count as unknown."""
    return value if value in allowed else None


def _age_allows(key: str, age: str | None, situation: str | None) -> bool:
    """Age conditions; an unknown age never rules a route out (the label states it)."""
    if key == "MISSION_LOCALE":
        return age in {None, "16_17", "18_25"}
    if key == "APPRENTISSAGE":
        # 26_plus may still be under 30: the label says "16-29 ans".
        return age != "moins_16"
    if key == "PROFESSIONNALISATION":
        return age in {None, "16_17", "18_25"} or (
            age == "26_plus" and situation == "demandeur_emploi"
        )
    return True


def _candidates(situation: str | None, jeune: bool) -> list[str]:
    """Route keys for this profile, most useful first, before the offer's own list."""
    if situation is None:
        return list(FUNDING)
    keys = list(_BY_SITUATION[situation])
    # Employees hear about the Mission locale only when we know they are young.
    if situation not in _EMPLOYED or jeune:
        keys.append("MISSION_LOCALE")
    # A rectorat agent is already in post: alternance contracts are for those
    # who sign with an employer to train.
    if situation != "agent_rectorat":
        keys.extend(_ALTERNANCE)
    if situation in _STUDENTS or jeune:
        keys.append("BOURSE_CD_HORS_MAYOTTE")
    keys.extend(["LADOM", "AUTOFINANCEMENT"])
    return keys


def funding_routes(profile: Profile, offer: Offer) -> list[FundingRoute]:
    """The ways this person could pay for this offer, most useful first."""
    situation = _known(profile.situation, SITUATIONS)
    age = _known(profile.tranche_age, TRANCHES_AGE)
    routes = []
    for key in _candidates(situation, profile.jeune):
        if key not in offer.financements or not _age_allows(key, age, situation):
            continue
        if key in _ALTERNANCE and "alternance" not in offer.formats:
            continue
        route = FUNDING[key]
        if key == "CPF" and situation in _CPF_BY_SITUATION:
            route = FundingRoute(key, route.label, _CPF_BY_SITUATION[situation])
        routes.append(route)
    return routes


def routes_for(profile: Profile, limit: int = 3) -> list[FundingRoute]:
    """The main ways this person could pay, whatever the offer (for "c payant ?")."""
    situation = _known(profile.situation, SITUATIONS)
    age = _known(profile.tranche_age, TRANCHES_AGE)
    routes = []
    for key in _candidates(situation, profile.jeune):
        if key in {"AUTOFINANCEMENT", "LADOM", "BOURSE_CD_HORS_MAYOTTE"} or not _age_allows(key, age, situation):
            continue
        route = FUNDING[key]
        if key == "CPF" and situation in _CPF_BY_SITUATION:
            route = FundingRoute(key, route.label, _CPF_BY_SITUATION[situation])
        routes.append(route)
    return routes[:limit]
