"""Which offers to propose first, and why, in words the person understands.

An offer's score adds up simple criteria: level (an offer one level above the
person's stays possible, lower, with the access route named), field, format
and schedule, public, and a small bonus for offers confirmed in Mayotte.
Unknown answers are neutral. Ties are broken by offer id, so the same profile
always gets the same list.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from cnam.catalog import DOMAINE_LABELS, Catalog, Offer
from cnam.funding import FundingRoute, funding_routes
from cnam.profile import DOMAINES, DOMAINES_HORS_CNAM, SITUATIONS, Profile, niveau_rank

MAX_MESSAGE = 350

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
_FORMAT_LABELS = {"distance": "à distance", "presentiel": "en présentiel",
                  "alternance": "en alternance"}
_UNCONFIRMED = "ℹ️ À confirmer avec un conseiller."


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


@dataclass(frozen=True)
class Neighbours:
    """Fields close to one the CNAM does not teach, and how to say so kindly."""

    domaines: tuple[str, ...]
    message: str


_NEIGHBOURS = {
    "medecine": Neighbours(
        ("sante_social", "enseignement"),
        "C'est un beau projet ! Le CNAM ne forme pas à la médecine : ces études se font à "
        "l'université. Si vous aimez soigner et aider, le sanitaire et social ou l'éducation "
        "sont proches, et le CNAM y forme.",
    ),
    "pilotage": Neighbours(
        ("transport_logistique", "tourisme"),
        "C'est un beau rêve ! Le CNAM ne forme pas les pilotes d'avion : ce sont des écoles "
        "spécialisées. Si les avions et les voyages vous attirent, le transport, la logistique "
        "ou le tourisme sont proches, et le CNAM y forme.",
    ),
}


def neighbour_domains(domaine: str) -> Neighbours | None:
    """Close fields for a wish the CNAM does not teach; None when it teaches it."""
    return _NEIGHBOURS.get(domaine)


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


@dataclass
class _Assessment:
    score: int = 0
    because: list[str] = field(default_factory=list)  # "parce que …" clauses
    caveats: list[str] = field(default_factory=list)  # always said (a missing level)
    notes: list[str] = field(default_factory=list)  # said if room, in this order

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
        if wish in _NEIGHBOURS:
            for close in _NEIGHBOURS[wish].domaines:
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
        a.notes.append(_OTHER_FIELD)
        return
    points, named = max(matches, key=lambda m: m[0])
    a.score += points
    label = DOMAINE_LABELS[named]
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
              limit: int = 3) -> list[Recommendation]:
    """The ``limit`` best offers for this profile, best first, skipping ``exclude`` ids."""
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
        ranked.append(Recommendation(offer, assessment.score, assessment.reasons(), routes,
                                     assessment.essential()))
    ranked.sort(key=lambda rec: (-rec.score, rec.offer.id))
    return ranked[:limit]


def _level_line(offer: Offer, rncp: bool, explain_rncp: bool) -> str:
    obtained = offer.niveau_obtenu
    label = obtained.label[0].upper() + obtained.label[1:]
    if obtained.rncp is None or not rncp:
        return f"🎓 {label}"
    meaning = " = diplôme reconnu par l'État" if explain_rncp else ""
    return f"🎓 {label} · RNCP niveau {obtained.rncp}{meaning}"


def _format_line(offer: Offer, with_duree: bool) -> str:
    parts = []
    for name in offer.formats:
        if name != "hybride":
            parts.append(_FORMAT_LABELS[name])
        elif "distance" not in offer.formats:
            parts.append("en partie à distance")
    text = ", ".join(parts)
    if "hybride" in offer.formats and "distance" in offer.formats:
        text += " + séances en salle"
    if offer.soir_weekend:
        text += " · soir et week-end"
    if offer.hors_mayotte:
        text += " · hors de Mayotte"
    if with_duree:
        text += f" · {offer.duree}"
    return f"🕒 {text[0].upper()}{text[1:]}"


def format_recommendation(rec: Recommendation, explain_rncp: bool = True) -> str:
    """One Telegram message (≤ 350 characters) presenting a recommendation.

    ``explain_rncp``: say what "RNCP" means; set it for the first card only.
    Details are dropped, least useful first, until the message fits.
    """
    offer = rec.offer
    funding = rec.funding[0].label if rec.funding else "à voir avec un conseiller"
    tail = [f"💶 Financement : {funding}"]
    if offer.evidence != "confirme_mayotte":
        tail.append(_UNCONFIRMED)
    every = len(rec.reasons)
    # (RNCP level, its meaning, duration, sentences of the reason), longest first.
    variants = [(True, explain_rncp, True, every), (True, False, True, every),
                (True, False, False, every)]
    variants += [(True, False, False, n) for n in range(every - 1, rec.essential - 1, -1)]
    variants.append((False, False, False, rec.essential))
    for rncp, explain, with_duree, sentences in variants:
        message = "\n".join([
            f"📚 {offer.title}",
            _level_line(offer, rncp, explain),
            _format_line(offer, with_duree),
            "👉 " + " ".join(rec.reasons[:sentences]),
            *tail,
        ])
        if len(message) <= MAX_MESSAGE:
            return message
    return message
