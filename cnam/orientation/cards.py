"""An offer presented to the person: one Telegram message of at most 350
characters, details dropped (least useful first) until it fits."""

from __future__ import annotations

from cnam.orientation.catalog import Offer
from cnam.orientation.ranking import Recommendation
from cnam.packing import MAX_MESSAGE

_FORMAT_LABELS = {"distance": "à distance", "presentiel": "en présentiel",
                  "alternance": "en alternance"}
_UNCONFIRMED = "ℹ️ À confirmer avec un conseiller."


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


def _telling_reason(rec: Recommendation, shown: list[Recommendation]) -> str:
    """Its first reason the other offers shown do not share (what tells it apart)."""
    others = [set(r.reasons) for r in shown if r is not rec]
    for reason in rec.reasons:
        if not others or not all(reason in o for o in others):
            return reason
    return rec.reasons[0] if rec.reasons else ""


def format_list(intro: str, shown: list[Recommendation]) -> str:
    """The offers as one message (≤ 350 characters): a numbered title each, with
    the reason that tells it apart while they fit (the longest dropped first);
    each offer's card opens from it ("Détails")."""
    reasons = [_telling_reason(rec, shown) for rec in shown]
    while True:
        lines = [intro]
        for n, (rec, reason) in enumerate(zip(shown, reasons, strict=True), 1):
            lines.append(f"{n}. {rec.offer.title}")
            if reason:
                lines.append(f"   👉 {reason}")
        message = "\n".join(lines)
        if len(message) <= MAX_MESSAGE or not any(reasons):
            return message[:MAX_MESSAGE]
        longest = max(range(len(reasons)), key=lambda i: len(reasons[i]))
        reasons[longest] = ""
