"""French labels for the canonical values (cards, statistics, exports).

Unknown values fall back to the raw value: a new catalogue entry never
breaks a card, it only shows its code.
"""

from __future__ import annotations

NIVEAU = {
    "sans_bac": "Sans bac",
    "bac": "Bac",
    "bac+2": "Bac+2",
    "bac+3": "Bac+3",
    "bac+5": "Bac+5",
}
SITUATION = {
    "demandeur_emploi": "Demandeur d'emploi",
    "lyceen": "Lycéen",
    "etudiant": "Étudiant",
    "decrocheur": "Sorti des études sans diplôme",
    "salarie": "Salarié",
    "agent_rectorat": "Agent du rectorat",
}
DOMAINE = {
    "informatique": "Informatique",
    "cybersecurite": "Cybersécurité",
    "btp": "BTP",
    "gestion_comptabilite": "Gestion, comptabilité",
    "rh": "Ressources humaines",
    "management": "Management",
    "commerce": "Commerce",
    "sante_social": "Santé, social",
    "transport_logistique": "Transport, logistique",
    "tourisme": "Tourisme",
    "agriculture": "Agriculture",
    "economie_bleue": "Économie bleue",
    "energie": "Énergie",
    "enseignement": "Enseignement",
    "medecine": "Médecine (hors CNAM)",
    "pilotage": "Pilotage (hors CNAM)",
}
MODALITE = {
    "distance": "À distance",
    "presentiel": "En présentiel",
    "alternance": "En alternance",
    "soir_weekend": "Soir et week-end",
}
TRANCHE_AGE = {
    "moins_16": "Moins de 16 ans",
    "16_17": "16–17 ans",
    "18_25": "18–25 ans",
    "26_plus": "26 ans et plus",
}
DISPONIBILITE = {
    "journee": "En journée",
    "soir_weekend": "Soir et week-end",
    "indifferent": "Indifférent",
}
REASON = {
    "profil_complet_rdv": "Profil complet, rendez-vous demandé",
    "demande_conseiller": "La personne demande un conseiller",
    "incomprehension": "L'assistant ne comprend pas la personne",
    "vocal": "Message vocal ou média reçu",
}


def label(table: dict[str, str], value: str | None) -> str | None:
    """The French label of ``value``, the value itself when unknown."""
    if value is None:
        return None
    return table.get(value, value)
