"""The canonical values of the project and their French labels, in one place.

The NLU contract, the catalog, the funding rules, the profile form, the
adviser cards and the statistics all speak these values. Each table maps a
canonical value to the label shown to people; the list of values is the
table's keys, in the table's order (the order of ``NIVEAUX`` matters). The
surface forms people type for each value are data for the NLU, in
``rasa_ext/entity_values.yml`` (a test keeps both in step).

Unknown values fall back to the raw value in ``label``: a new catalogue entry
never breaks a card, it only shows its code.
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
# How a field is named inside a sentence shown to people ("vous visez le BTP").
DOMAINE_IN_SENTENCE = {
    "informatique": "l'informatique",
    "cybersecurite": "la cybersécurité",
    "btp": "le BTP",
    "gestion_comptabilite": "la gestion et la comptabilité",
    "rh": "les ressources humaines",
    "management": "le management",
    "commerce": "le commerce",
    "sante_social": "le sanitaire et social",
    "transport_logistique": "le transport et la logistique",
    "tourisme": "le tourisme",
    "agriculture": "l'agriculture",
    "economie_bleue": "les métiers de la mer",
    "energie": "l'énergie",
    "enseignement": "l'enseignement et la formation",
    "medecine": "la médecine",
    "pilotage": "le pilotage d'avion",
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
# What an appointment is about: taken from the conversation, or asked before
# it is confirmed. The adviser's card starts with it.
SUJET = {
    "orientation": "Choix d'une formation",
    "vae": "Question VAE",
    "financement": "Question de financement",
    "conditions": "Question sur les conditions d'accès",
    "format": "Question sur le format des cours",
    "autre": "Autre demande",
}
COMMUNES = [
    "Acoua", "Bandraboua", "Bandrélé", "Bouéni", "Chiconi", "Chirongui", "Dembéni",
    "Dzaoudzi", "Kani-Kéli", "Koungou", "Mamoudzou", "M'Tsamboro", "M'Tsangamouji",
    "Ouangani", "Pamandzi", "Sada", "Tsingoni",
]

# The NLU contract's intents, as an adviser labelling a message reads them.
INTENT = {
    "greet": "Salutation",
    "goodbye": "Au revoir",
    "thank": "Remerciement",
    "affirm": "Oui, d'accord",
    "deny": "Non, refus",
    "inform": "Donne une info sur soi",
    "ask_offers": "Cherche une formation",
    "ask_prerequisites": "Conditions d'entrée",
    "ask_funding": "Coût, financement",
    "ask_cnam": "Ce qu'est le CNAM",
    "ask_format": "Rythme, format",
    "ask_location": "Où est le CNAM",
    "ask_vae": "VAE",
    "book_appointment": "Prendre rendez-vous",
    "cancel_appointment": "Annuler un rendez-vous",
    "reschedule_appointment": "Décaler un rendez-vous",
    "ask_human": "Parler à quelqu'un",
    "restart": "Recommencer",
    "delete_data": "Effacer ses données",
    "bot_challenge": "Est-ce un robot ?",
    "out_of_scope": "Hors sujet",
}
NIVEAUX = list(NIVEAU)
SITUATIONS = list(SITUATION)
DOMAINES = list(DOMAINE)
MODALITES = list(MODALITE)
TRANCHES_AGE = list(TRANCHE_AGE)
# Fields the CNAM does not teach: the dialogue says so and suggests neighbours.
DOMAINES_HORS_CNAM = {"medecine", "pilotage"}
DOMAINES_CNAM = [d for d in DOMAINES if d not in DOMAINES_HORS_CNAM]

# Catalog vocabularies (``catalog/offers.yaml``).
FORMATS = ["distance", "presentiel", "alternance", "hybride"]
# Evidence flag -> how the catalog summary counts it.
EVIDENCE = {
    "confirme_mayotte": "confirmées à Mayotte",
    "offre_nationale_cnam": "offres nationales du CNAM (à confirmer à Mayotte)",
    "illustratif": "exemples à valider avec le CNAM Mayotte",
}
# Funding routes an offer may accept (its ``financements``); their wording and
# the rules of who may use them are in ``cnam/orientation/funding.py``.
# Order = the order shown when the person's situation is unknown.
FINANCEMENTS = [
    "CPF", "AIF_FRANCE_TRAVAIL", "DEPARTEMENT_PUIC", "MISSION_LOCALE", "OPCO_PLAN_COMPETENCES",
    "TRANSITIONS_PRO_PTP", "PLAN_FORMATION_EMPLOYEUR_PUBLIC", "CFP_FONCTION_PUBLIQUE",
    "APPRENTISSAGE", "PROFESSIONNALISATION", "LADOM", "BOURSE_CD_HORS_MAYOTTE",
    "AUTOFINANCEMENT",
]


def label(table: dict[str, str], value: str | None) -> str | None:
    """The French label of ``value``, the value itself when unknown."""
    if value is None:
        return None
    return table.get(value, value)
