"""Offers built in code, so that rule tests do not depend on the catalog's content."""

from __future__ import annotations

from typing import Any

from cnam.orientation.catalog import Offer
from cnam.vocabulary import FINANCEMENTS, SITUATIONS


def make_offer(**fields: Any) -> Offer:
    """A valid offer open to everyone and every funding route; ``fields`` override."""
    base: dict[str, Any] = {
        "id": "offre-test",
        "title": "Offre de test",
        "domaine": "btp",
        "niveau_requis": "bac",
        "niveau_obtenu": {"rncp": 5, "label": "bac+2"},
        "formats": ["distance"],
        "soir_weekend": False,
        "duree": "1 an",
        "publics": list(SITUATIONS),
        "financements": list(FINANCEMENTS),
        "lieu": "Mayotte",
        "lien": "https://formation.cnam.fr/",
        "evidence": "illustratif",
        "resume": "Une offre écrite pour les tests.",
    }
    base.update(fields)
    return Offer.parse_obj(base)
