"""Ways in when the catalog alone does not answer: fields the CNAM does not
teach (said kindly, with the neighbouring fields it does teach) and the
routes into a CNAM training without the bac."""

from __future__ import annotations

from dataclasses import dataclass

from cnam.orientation.profile import Profile


@dataclass(frozen=True)
class Neighbours:
    """Fields close to one the CNAM does not teach, and how to say so kindly."""

    domaines: tuple[str, ...]
    message: str


NEIGHBOURS = {
    "medecine": Neighbours(
        ("sante_social", "enseignement"),
        "C'est un beau projet ! Le CNAM ne forme pas à la médecine : ces études se font à "
        "l'université, après le bac, en s'inscrivant sur Parcoursup. Si vous aimez soigner "
        "et aider, le sanitaire et social ou l'éducation sont proches : le CNAM y forme, "
        "je vous montre ces formations.",
    ),
    "pilotage": Neighbours(
        ("transport_logistique", "tourisme"),
        "C'est un beau rêve ! Le CNAM ne forme pas les pilotes d'avion : cela se fait dans "
        "une école de pilotage (par exemple l'ENAC, ou une école privée agréée). Si les avions "
        "et les voyages vous attirent, le transport, la logistique ou le tourisme sont "
        "proches : le CNAM y forme, je vous montre ces formations.",
    ),
}


def neighbour_domains(domaine: str) -> Neighbours | None:
    """Close fields for a wish the CNAM does not teach; None when it teaches it."""
    return NEIGHBOURS.get(domaine)


def access_routes_without_bac(profile: Profile) -> list[str]:
    """Ways into a CNAM training without the bac, each in one short message."""
    too_young = profile.tranche_age in {"moins_16", "16_17"}
    routes = []
    if not too_young:
        routes.append(
            "VAPP (validation des acquis personnels et professionnels) : dès 20 ans, et 2 ans "
            "après la fin de vos études, votre expérience peut remplacer le diplôme demandé."
        )
    routes.append(
        "Formations courtes qualifiantes : des parcours et des matières à la carte (UE) sans "
        "bac, pour reprendre les bases puis viser un certificat."
    )
    if profile.tranche_age not in {"moins_16", "26_plus"}:  # 16-25, or age unknown
        routes.append(
            "Mission locale (16-25 ans) : un conseiller vous aide à choisir une formation et "
            "peut la faire financer."
        )
    if not too_young:
        routes.append(
            "VAE (validation des acquis de l'expérience) : avec au moins 1 an d'expérience dans "
            "le métier, vous pouvez obtenir tout ou partie d'un diplôme."
        )
    return routes
