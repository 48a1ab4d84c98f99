"""The summary card posted in the advisers' group (pure functions).

Every string that came from a person (or from Telegram names) goes through
``_text``: invisible and direction-changing characters are removed (a
right-to-left override in a first name would otherwise reverse the rest of
the line), whitespace is folded, the length is capped, then it is
HTML-escaped. The card is sent with ``parse_mode=HTML``.
"""

from __future__ import annotations

import html
import unicodedata

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from cnam import handoff, vocabulary
from cnam.booking.config import Adviser, get_advisers
from cnam.handoff import HandoffRecord
from cnam.settings import get_settings
from cnam.vocabulary import label

MAX_CARD = 4096  # Telegram's limit for one message
MAX_OFFERS = 5
MAX_FUNDING = 8
# From roomy to tight: (each message, offer titles, other free texts).
_LEVELS = ((400, 120, 150), (200, 100, 120), (100, 80, 80), (40, 60, 60), (0, 40, 40))
_UNSET = "<i>non renseigné</i>"


def clean(value: str, limit: int) -> str:
    """One user string on one line: no invisible or direction-changing
    characters, whitespace folded, at most ``limit`` characters."""
    kept = "".join(
        " " if ch in "\n\r\t" or unicodedata.category(ch) in {"Zl", "Zp"} else ch
        for ch in value
        if ch in "\n\r\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Co", "Cs"}
    )
    kept = " ".join(kept.split())
    if len(kept) > limit:
        kept = kept[: max(limit - 1, 0)].rstrip() + "…"
    return kept


def _text(value: str, limit: int) -> str:
    """``clean`` then HTML-escape: outside attributes only &, < and > matter."""
    return html.escape(clean(value, limit), quote=False)


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int = MAX_CARD) -> str:
    """Plain text cut to one Telegram message, ending with "…" when cut."""
    if utf16_len(text) <= limit:
        return text
    kept, used = [], 1  # room for the ellipsis
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def motif(record: HandoffRecord) -> str:
    """What happened: "Question VAE, rendez-vous demandé", or the reason alone."""
    reason = label(handoff.REASON_LABELS, record.reason) or record.reason
    if not record.sujet:
        return reason
    return f"{label(vocabulary.SUJET, record.sujet)}, {reason[0].lower()}{reason[1:]}"


def telegram_identity(record: HandoffRecord) -> str | None:
    """ "Houssamie Abdou (@houss)": how the adviser recognises the person in Telegram."""
    username = f"@{record.telegram_username}" if record.telegram_username else None
    if record.telegram_name and username:
        return f"{record.telegram_name} ({username})"
    return record.telegram_name or username


def mention(adviser: Adviser) -> str:
    """@username (Telegram notifies them), else a link to their account, else the first name."""
    if adviser.telegram_username:
        return f"@{adviser.telegram_username}"  # validated: letters, digits, _
    name = _text(adviser.first_name, 40)
    if adviser.telegram_id:
        return f'<a href="tg://user?id={adviser.telegram_id}">{name}</a>'
    return name


def _routed(record: HandoffRecord) -> list[str]:
    """The "Pour" line when the case is meant for some advisers (cnam/routing.py)."""
    if not record.routed_to:
        return []
    config = get_advisers()  # already read when the case was routed
    found = [a for a in map(config.adviser, record.routed_to) if a is not None]
    return [f"<b>Pour</b> : {', '.join(mention(a) for a in found)}"] if found else []


def _field(name: str, value: str | None, limit: int) -> str:
    return f"<b>{name}</b> : {_text(value, limit) if value else _UNSET}"


def _footer(record: HandoffRecord, free: int) -> str:
    who = _text(record.claimed_by, free) if record.claimed_by else "un conseiller"
    how = (
        "écrivez dans ce sujet pour répondre à la personne ; /fin ici pour terminer"
        if record.thread_id else
        "répondez à cette fiche pour écrire à la personne ; /fin en réponse pour terminer"
    )
    if record.status == "pris":
        when = record.claimed_at and record.claimed_at.astimezone(get_settings().tz)
        at = f" à {when:%H:%M}" if when else ""
        return f"✅ Pris en charge par {who}{at}.\n{how[0].upper()}{how[1:]}."
    if record.status == "termine":
        return f"☑️ Échange terminé ({who})."
    return f"Appuyez sur « Je prends », puis {how.partition(' ; ')[0]}."


def _render(record: HandoffRecord, message: int, title: int, free: int) -> str:
    tz = get_settings().tz
    created = record.created_at.astimezone(tz).strftime("%d/%m/%Y à %H:%M")
    domaines = ", ".join(label(vocabulary.DOMAINE, d) for d in record.domaines)
    lines = [
        f"🔔 <b>Demande de conseiller</b> · <code>{_text(record.handoff_id, 20)}</code>",
        f"<b>Motif</b> : {_text(motif(record), free)}",
        *_routed(record),
        f"Reçue le {created}",
        "",
        _field("Telegram", telegram_identity(record), 80),
        _field("Prénom", record.prenom, 40),
        _field("Âge", label(vocabulary.TRANCHE_AGE, record.tranche_age), free),
        _field("Situation", label(vocabulary.SITUATION, record.situation), free),
        _field("Niveau", label(vocabulary.NIVEAU, record.niveau), free),
        _field("Domaines", domaines, free),
        _field("Commune", record.commune, free),
        _field("Format souhaité", label(vocabulary.MODALITE, record.modalite), free),
        _field("Disponibilité", label(vocabulary.DISPONIBILITE, record.disponibilite), free),
        _field("Rendez-vous", record.appointment, free),
        "",
        "<b>Formations proposées</b> :" + ("" if record.offers else f" {_UNSET}"),
        *(
            f"• {_text(offer.title, title)} (<code>{_text(offer.id, title)}</code>)"
            for offer in record.offers[:MAX_OFFERS]
        ),
        _field(
            "Financements possibles",
            ", ".join(record.funding[:MAX_FUNDING]),
            free * 2,
        ),
    ]
    if message and record.last_messages:
        lines += ["", "<b>Derniers messages</b> :"]
        lines += [f"› {_text(m, message)}" for m in record.last_messages]
    lines += ["", _footer(record, free)]
    return "\n".join(lines)


def render_card(record: HandoffRecord) -> str:
    """The card's HTML, at most 4096 characters whatever the person typed."""
    for message, title, free in _LEVELS:
        card = _render(record, message, title, free)
        if utf16_len(card) <= MAX_CARD:
            return card
    # Only a catalogue of absurd size gets here: keep the essentials.
    return "\n".join([
        f"🔔 <b>Demande de conseiller</b> · <code>{_text(record.handoff_id, 20)}</code>",
        *_routed(record),
        _field("Telegram", telegram_identity(record), 80),
        _field("Prénom", record.prenom, 40),
        "Fiche trop longue pour Telegram : voyez l'export (python -m bot export).",
        _footer(record, 40),
    ])


def claim_keyboard(record: HandoffRecord) -> InlineKeyboardMarkup | None:
    """The "Je prends" button while nobody has taken the handoff."""
    if record.status in {"pris", "termine"}:
        return None
    # "claim:" + 12 hex characters: far below the 64 bytes of callback data.
    button = InlineKeyboardButton("Je prends", callback_data=f"claim:{record.handoff_id}")
    return InlineKeyboardMarkup([[button]])
