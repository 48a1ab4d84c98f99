"""The person's profile, as collected by the dialogue (Rasa slots)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnam.vocabulary import DOMAINES, NIVEAUX

# What the profile form stores for a question the person chose to skip.
SKIPPED = "inconnu"



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
