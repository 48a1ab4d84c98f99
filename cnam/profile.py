"""The person's profile, as collected by the dialogue (Rasa slots)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Canonical values (../shared/nlu-contract.md); the order of NIVEAUX matters.
NIVEAUX = ["sans_bac", "bac", "bac+2", "bac+3", "bac+5"]
SITUATIONS = [
    "demandeur_emploi", "lyceen", "etudiant", "decrocheur", "salarie", "agent_rectorat",
]
DOMAINES = [
    "informatique", "cybersecurite", "btp", "gestion_comptabilite", "rh", "management",
    "commerce", "sante_social", "transport_logistique", "tourisme", "agriculture",
    "economie_bleue", "energie", "enseignement", "medecine", "pilotage",
]
# Fields the CNAM does not teach: the dialogue says so and suggests neighbours.
DOMAINES_HORS_CNAM = {"medecine", "pilotage"}
MODALITES = ["distance", "presentiel", "alternance", "soir_weekend"]
TRANCHES_AGE = ["moins_16", "16_17", "18_25", "26_plus"]
DISPONIBILITES = ["journee", "soir_weekend", "indifferent"]
COMMUNES = [
    "Acoua", "Bandraboua", "Bandrélé", "Bouéni", "Chiconi", "Chirongui", "Dembéni",
    "Dzaoudzi", "Kani-Kéli", "Koungou", "Mamoudzou", "M'Tsamboro", "M'Tsangamouji",
    "Ouangani", "Pamandzi", "Sada", "Tsingoni",
]


def niveau_rank(niveau: str | None) -> int:
    """0 for no bac … 4 for bac+5; -1 when unknown."""
    return NIVEAUX.index(niveau) if niveau in NIVEAUX else -1


@dataclass
class Profile:
    prenom: str | None = None
    tranche_age: str | None = None
    situation: str | None = None
    niveau: str | None = None
    domaines: list[str] = field(default_factory=list)
    commune: str | None = None
    modalite: str | None = None
    disponibilite: str | None = None

    @classmethod
    def from_slots(cls, slots: dict[str, Any]) -> Profile:
        domaines = slots.get("domaine") or []
        if isinstance(domaines, str):
            domaines = [domaines]
        return cls(
            prenom=slots.get("prenom"),
            tranche_age=slots.get("tranche_age"),
            situation=slots.get("situation"),
            niveau=slots.get("niveau"),
            domaines=[d for d in domaines if d in DOMAINES],
            commune=slots.get("commune"),
            modalite=slots.get("modalite"),
            disponibilite=slots.get("disponibilite"),
        )

    @property
    def jeune(self) -> bool:
        """16–25: Mission locale, apprenticeship and professionalisation open."""
        return self.tranche_age in {"16_17", "18_25"}
