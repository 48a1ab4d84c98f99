"""Which offers to propose first, and why, in words the person understands.

An offer's score adds up simple criteria: level (an offer one level above the
person's stays possible, lower, with the access route named), field, format
and schedule, public, and a small bonus for offers confirmed in Mayotte.
Unknown answers are neutral. Ties are broken by offer id, so the same profile
always gets the same list. An offer *fits* when it is in the field the person
named (or a neighbour of a field the CNAM does not teach), or, with no field
named, when more criteria speak for it than against it: "voir plus" shows
only offers that fit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from cnam.orientation.catalog import Catalog, Offer
from cnam.orientation.funding import FundingRoute, funding_routes
from cnam.orientation.profile import Profile, niveau_rank
from cnam.orientation.ways_in import NEIGHBOURS
from cnam.vocabulary import DOMAINE_IN_SENTENCE, DOMAINES, DOMAINES_HORS_CNAM, SITUATIONS

# Points per criterion. The field weighs most: a person who names one expects
# to see it first; level comes next, then practical fit.
ELIGIBLE = 2
ONE_LEVEL_SHORT = -3
NO_STEP_UP = -2  # the diploma is not above the level already held
ABOVE_ENTRY = -1  # an entry-level certificate for someone who is past it
DOMAIN_POINTS = {
    ("wish", "main"): 5, ("wish", "secondary"): 3,
    ("neighbour", "main"): 3, ("neighbour", "secondary"): 2,
}
OTHER_DOMAIN = -4
FORMAT_MATCH = 2
FORMAT_PARTIAL = 1
FORMAT_MISS = -1
ALTERNANCE_MISS = -2  # wanted alternance (a salary) and the offer has none
EVENINGS = 2
EVENINGS_MISS = -2
EVENINGS_EMPLOYED = 1  # employees were not asked but need them
YOUNG_ALTERNANCE = 1
PUBLIC_MATCH = 2
PUBLIC_MISS = -2
CONFIRMED_MAYOTTE = 1
AWAY_FROM_MAYOTTE = -2
NO_FUNDING = -1

# RNCP level that each answer already holds (sans_bac: at most a CAP).
_RNCP_HELD = {"sans_bac": 3, "bac": 4, "bac+2": 5, "bac+3": 6, "bac+5": 7}
_HAVE_LEVEL = {
    "bac": "vous avez le bac", "bac+2": "vous avez un bac+2",
    "bac+3": "vous avez un bac+3", "bac+5": "vous avez un bac+5",
}
_NO_BAC_NEEDED = "le bac n'est pas demandé"
_MISSING_LEVEL = "Il vous manque un niveau : accès par la VAPP (expérience) ou une remise à niveau."
_OTHER_FIELD = "Autre domaine que celui visé, mais une piste possible."
_EMPLOYED = {"salarie", "agent_rectorat"}
_STUDY_AWAY_OK = {"lyceen", "etudiant"}  # most bacheliers already study outside Mayotte
_FORMAT_NOTES = {
    "distance": "À distance, comme vous le souhaitez.",
    "presentiel": "En présentiel, comme vous le souhaitez.",
    "alternance": "En alternance, comme vous le souhaitez : vous êtes payé(e).",
}
_PUBLIC_NOTES = {
    "demandeur_emploi": "Pensée aussi pour les demandeurs d'emploi.",
    "lyceen": "Ouverte aux jeunes qui sortent du lycée.",
    "etudiant": "Ouverte aux étudiants.",
    "decrocheur": "Pensée pour les jeunes qui ont quitté l'école.",
    "salarie": "Pensée pour les salariés.",
    "agent_rectorat": "Ouverte aux personnels du rectorat.",
}
_DEFAULT_REASON = "Une formation ouverte à des profils variés, à voir avec un conseiller."


@dataclass(frozen=True)
class Recommendation:
    offer: Offer
    score: int
    reasons: tuple[str, ...]  # short sentences, most important first
    funding: tuple[FundingRoute, ...]
    # Leading reasons a card must keep (why, and warnings such as a missing level).
    essential: int = 1

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


@dataclass
class _Assessment:
    score: int = 0
    because: list[str] = field(default_factory=list)  # "parce que …" clauses
    caveats: list[str] = field(default_factory=list)  # always said (a missing level)
    notes: list[str] = field(default_factory=list)  # said if room, in this order
    other_field: bool = False  # the person named a field and this offer is in none of them

    def reasons(self) -> tuple[str, ...]:
        sentences = []
        if self.because:
            sentences.append("Parce que " + " et que ".join(self.because) + ".")
        sentences.extend(self.caveats)
        sentences.extend(self.notes[: max(0, 3 - len(sentences))])
        return tuple(sentences) or (_DEFAULT_REASON,)

    def essential(self) -> int:
        return max(1, bool(self.because) + len(self.caveats))


def _wishes(profile: Profile) -> dict[str, str]:
    """Field to look for -> the field the person named (itself, or a CNAM-less wish)."""
    wishes = {d: d for d in profile.domaines if d in DOMAINES and d not in DOMAINES_HORS_CNAM}
    for wish in profile.domaines:
        if wish in NEIGHBOURS:
            for close in NEIGHBOURS[wish].domaines:
                wishes.setdefault(close, wish)
    return wishes


def _assess_level(profile: Profile, offer: Offer, a: _Assessment) -> bool:
    """False when the offer is out of reach (two levels or more above)."""
    held, required = niveau_rank(profile.niveau), niveau_rank(offer.niveau_requis)
    if held < 0:
        if required == 0:
            a.because.append(_NO_BAC_NEEDED)
        return True
    gap = held - required
    if gap <= -2:
        return False
    if gap == -1:
        a.score += ONE_LEVEL_SHORT
        a.caveats.append(_MISSING_LEVEL)
        return True
    a.score += ELIGIBLE
    a.because.append(_HAVE_LEVEL.get(profile.niveau, _NO_BAC_NEEDED))
    rncp = offer.niveau_obtenu.rncp
    if rncp is not None and rncp <= _RNCP_HELD[profile.niveau]:
        a.score += NO_STEP_UP
    elif rncp is None and gap > 0:
        a.score += ABOVE_ENTRY
    return True


def _assess_domain(offer: Offer, wishes: dict[str, str], a: _Assessment) -> None:
    if not wishes:
        return
    matches = [
        (DOMAIN_POINTS["wish" if wishes[d] == d else "neighbour", rank], wishes[d])
        for d, rank in [(offer.domaine, "main"),
                        *((s, "secondary") for s in offer.domaines_secondaires)]
        if d in wishes
    ]
    if not matches:
        a.score += OTHER_DOMAIN
        a.other_field = True
        a.notes.append(_OTHER_FIELD)
        return
    points, named = max(matches, key=lambda m: m[0])
    a.score += points
    label = DOMAINE_IN_SENTENCE[named]
    if named in DOMAINES_HORS_CNAM:
        a.because.append(f"c'est proche {_of(label)}")
    else:
        a.because.append(f"vous visez {label}")


def _of(label: str) -> str:
    """« de » before a field's label, with the French contractions (du, des)."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if label.startswith(article):
            return contracted + label[len(article):]
    return "de " + label


def _assess_practical(profile: Profile, offer: Offer, situation: str | None,
                      a: _Assessment) -> None:
    employed = situation in _EMPLOYED
    wants_evenings = "soir_weekend" in {profile.disponibilite, profile.modalite}
    if offer.soir_weekend and (wants_evenings or (employed and profile.disponibilite != "journee")):
        a.score += EVENINGS if wants_evenings else EVENINGS_EMPLOYED
        a.notes.append("Cours le soir ou le week-end, " + (
            "compatibles avec votre emploi." if employed else "comme vous le souhaitez."
        ))
    elif wants_evenings and not offer.soir_weekend:
        a.score += EVENINGS_MISS

    modalite = profile.modalite if profile.modalite in _FORMAT_NOTES else None
    if modalite in offer.formats:
        a.score += FORMAT_MATCH
        a.notes.append(_FORMAT_NOTES[modalite])
    elif modalite == "alternance":
        a.score += ALTERNANCE_MISS
    elif modalite and "hybride" in offer.formats:
        a.score += FORMAT_PARTIAL
        a.notes.append("En partie à distance, en partie en salle.")
    elif modalite:
        a.score += FORMAT_MISS
    if profile.jeune and "alternance" in offer.formats and modalite != "alternance":
        a.score += YOUNG_ALTERNANCE
        a.notes.append("En alternance : vous êtes payé(e) pendant la formation.")

    if offer.evidence == "confirme_mayotte":
        a.score += CONFIRMED_MAYOTTE
        a.notes.append("Déjà proposée à Mayotte.")
    # The card says "hors de Mayotte" on its format line.
    if offer.hors_mayotte and situation not in _STUDY_AWAY_OK:
        a.score += AWAY_FROM_MAYOTTE


def _assess(profile: Profile, offer: Offer, wishes: dict[str, str]) -> _Assessment | None:
    """Score and reasons, or None when the offer is not open to this person."""
    situation = profile.situation if profile.situation in SITUATIONS else None
    if offer.reserve and situation not in offer.publics:
        return None
    a = _Assessment()
    if not _assess_level(profile, offer, a):
        return None
    _assess_domain(offer, wishes, a)
    _assess_practical(profile, offer, situation, a)
    if situation in offer.publics:
        a.score += PUBLIC_MATCH
        a.notes.append(_PUBLIC_NOTES[situation])
    elif situation:
        a.score += PUBLIC_MISS
    return a


def recommend(profile: Profile, catalog: Catalog, exclude: Collection[str] = frozenset(),
              limit: int = 3, only_fitting: bool = False) -> list[Recommendation]:
    """The ``limit`` best offers for this profile, best first, skipping ``exclude`` ids
    (and, with ``only_fitting``, the offers that do not fit)."""
    wishes = _wishes(profile)
    ranked = []
    for offer in catalog.offers:
        if offer.id in exclude:
            continue
        assessment = _assess(profile, offer, wishes)
        if assessment is None:
            continue
        routes = tuple(funding_routes(profile, offer))
        if all(route.key == "AUTOFINANCEMENT" for route in routes):
            assessment.score += NO_FUNDING
        fits = not assessment.other_field if wishes else assessment.score > 0
        if only_fitting and not fits:
            continue
        ranked.append(Recommendation(offer, assessment.score, assessment.reasons(), routes,
                                     assessment.essential()))
    ranked.sort(key=lambda rec: (-rec.score, rec.offer.id))
    return ranked[:limit]
