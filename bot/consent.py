"""Consent before anything personal is kept, and the person's data commands.

The pipeline reads the person's ``Status`` once per input, calls ``gate``
before Rasa, and hands the status to Rasa as message metadata (the actions
refuse to write anything for someone who may not be kept, ``actions/consent.py``):

- first contact (no decision stored): the first message is kept in this
  process's memory only, for an hour, and the consent question is asked;
- ``!consent_ok``: the decision is stored; the pipeline then answers the kept
  message (``take_first_message``) so the question gets its answer;
- ``!consent_non``: the decision is stored and everything else erased; the
  kept message is answered too, without storing anything;
- a refuser or a minor still talks to Rasa, under a throwaway sender id whose
  tracker is deleted after the turn: nothing is written under their chat id;
- ``!mesdonnees`` sends the export as a JSON file; ``!supprimer`` asks to
  confirm and ``!supprimer_ok`` erases (``bot/erasure.py``), all without Rasa.

The ``!`` payloads are front actions, listed in ``bot/app.py``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from bot.messages import Document, OutMessage
from cnam import clock, privacy
from cnam.settings import get_settings
from cnam.store import get_redis

ACCEPT = "!consent_ok"
REFUSE = "!consent_non"
EXPORT = "!mesdonnees"
ASK_ERASE = "!supprimer"
ERASE = "!supprimer_ok"
KEEP = "!garder"
# Answered whatever the decision: deciding, and seeing or erasing one's data.
ALWAYS_ALLOWED = {ACCEPT, REFUSE, EXPORT, ASK_ERASE, ERASE, KEEP}

# Long enough for the person to read the prompt and decide.
FIRST_MESSAGE_TTL = 3600.0
# A bound on the memory kept for people who never decide.
MAX_FIRST_MESSAGES = 10_000


@dataclass(frozen=True)
class Status:
    decision: str | None  # privacy.ACCEPTED, privacy.REFUSED or None (not asked yet)
    is_minor: bool

    @property
    def may_keep(self) -> bool:
        return self.decision == privacy.ACCEPTED and not self.is_minor

    @property
    def decided(self) -> bool:
        return self.decision is not None or self.is_minor

    def metadata(self) -> dict[str, object]:
        """What the actions are told with each message (``actions/consent.py``)."""
        return {"consent": self.decision, "minor": self.is_minor}


async def status(chat_id: int) -> Status:
    decision, is_minor = await privacy.consent_state(get_redis(), chat_id)
    return Status(decision, is_minor)


class FirstMessages:
    """The question a person wrote before deciding, in memory only: nothing
    they wrote reaches Redis before they accept."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[float, str]] = {}

    def keep(self, chat_id: int, text: str) -> None:
        now = time.monotonic()
        if len(self._kept) >= MAX_FIRST_MESSAGES:
            self._kept = {c: kept for c, kept in self._kept.items() if kept[0] > now}
            if len(self._kept) >= MAX_FIRST_MESSAGES:
                self._kept.pop(next(iter(self._kept)))  # the oldest
        self._kept.setdefault(chat_id, (now + FIRST_MESSAGE_TTL, text))

    def take(self, chat_id: int) -> str | None:
        expires, text = self._kept.pop(chat_id, (0.0, ""))
        return text if expires > time.monotonic() else None

    def drop(self, chat_id: int) -> None:
        self._kept.pop(chat_id, None)


FIRST_MESSAGES = FirstMessages()


def consent_prompt() -> list[OutMessage]:
    # One message with its buttons: the question and what it is about belong together.
    days = get_settings().retention_days
    return [
        OutMessage(
            text=(
                "Bonjour ! Je garde vos messages et vos réponses (niveau, commune, projet…) "
                "pour vous orienter et préparer un rendez-vous. Seuls les conseillers du "
                f"CNAM Mayotte les lisent. Tout est effacé {days} jours après votre dernier "
                "message (/mesdonnees pour les voir, /supprimer pour les effacer). "
                "D'accord ? Sinon, je vous réponds quand même, sans rien garder."
            ),
            buttons=[("J'accepte", ACCEPT), ("Je refuse", REFUSE)],
        ),
    ]


# Both restate the decision: the prompt's long text may give way to them (bot/render.py).
ACCEPTED = OutMessage(
    text="Merci ! Si vous changez d'avis, /supprimer efface tout.",
    settles=True,
)
REFUSED = OutMessage(
    text=(
        "D'accord, je ne garde rien de personnel. Je réponds à vos questions, mais "
        "sans mémoire d'un message à l'autre : pas de rendez-vous ni de conseiller "
        "sans votre accord."
    ),
    buttons=[("Finalement, j'accepte", ACCEPT)],
    settles=True,
)
NOTHING_STORED = OutMessage(text="Je ne garde aucune donnée sur vous en ce moment.")
EXPORT_SENT = OutMessage(
    text="Voici tout ce que je garde sur vous, dans un fichier. Pour tout effacer : /supprimer."
)
ERASE_CONFIRM = OutMessage(
    text=(
        "Voulez-vous vraiment effacer toutes vos données ? Votre rendez-vous sera "
        "annulé et la conversation avec un conseiller s'arrêtera."
    ),
    buttons=[("Oui, tout effacer", ERASE), ("Non, garder", KEEP)],
)
KEPT = OutMessage(text="D'accord, je n'efface rien. Vous pouvez continuer.")


async def gate(chat_id: int, text: str, current: Status) -> list[OutMessage] | None:
    """The consent question on first contact; None to let the input go on."""
    if current.decided or text in ALWAYS_ALLOWED:
        return None
    # Only the first one: it is the question the person came with. A front
    # command ("!aide") is not a question: after consent the greeting comes instead.
    if not text.startswith("!"):
        FIRST_MESSAGES.keep(chat_id, text)
    return consent_prompt()


def take_first_message(chat_id: int) -> str | None:
    """The message kept while the person decided, once (for the pipeline to answer)."""
    return FIRST_MESSAGES.take(chat_id)


async def accept(chat_id: int, arg: str) -> list[OutMessage]:
    redis = get_redis()
    _, is_minor = await privacy.consent_state(redis, chat_id)
    if is_minor:
        FIRST_MESSAGES.drop(chat_id)
        return [OutMessage(text=privacy.MINOR_MESSAGE)]
    await privacy.record_consent(redis, chat_id, privacy.ACCEPTED)
    return [ACCEPTED]


async def refuse(chat_id: int, arg: str) -> list[OutMessage]:
    redis = get_redis()
    await privacy.record_consent(redis, chat_id, privacy.REFUSED)
    # Everything of someone who had accepted and changes their mind on an older prompt.
    await privacy.erase_person(redis, chat_id, clock.now(), keep=privacy.KEPT_WITHOUT_CONSENT)
    return [REFUSED]


async def export(chat_id: int, arg: str) -> list[OutMessage]:
    data = await privacy.export_person(get_redis(), chat_id)
    if not data["donnees"]:
        return [NOTHING_STORED]
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    document = Document("mes-donnees-cnam.json", content)
    return [OutMessage(text=EXPORT_SENT.text, document=document)]


async def ask_erase(chat_id: int, arg: str) -> list[OutMessage]:
    return [ERASE_CONFIRM]


async def keep(chat_id: int, arg: str) -> list[OutMessage]:
    return [KEPT]
