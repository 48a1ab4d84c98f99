"""The names the trained model must use: the NLU contract's intents and entities,
with the canonical values of ``cnam.vocabulary``."""

from __future__ import annotations

from cnam.vocabulary import COMMUNES, DOMAINES, MODALITES, NIVEAUX, SITUATIONS

INTENTS = [
    "greet", "goodbye", "thank", "affirm", "deny", "inform", "ask_offers",
    "ask_prerequisites", "ask_funding", "ask_cnam", "ask_format", "ask_location", "ask_vae",
    "book_appointment", "cancel_appointment", "reschedule_appointment", "ask_human",
    "restart", "delete_data", "bot_challenge", "out_of_scope",
]

ENTITY_VALUES: dict[str, list[str]] = {
    "niveau": NIVEAUX,
    "situation": SITUATIONS,
    "domaine": DOMAINES,
    "commune": COMMUNES,
    "modalite": MODALITES,
}

# Places users name that the contract says are not communes.
NOT_COMMUNES = ["Mayotte", "Petite-Terre", "Grande-Terre", "la Réunion"]
