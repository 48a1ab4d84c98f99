"""Consent before anything personal is kept, and the person's data commands.

The pipeline calls ``gate`` before Rasa for every input, and ``after_turn``
once the turn is answered:

- first contact (no decision stored): the first message is kept for an
  hour and the consent question is asked instead of answering;
- ``!consent_ok``: the decision is stored; the pipeline then replays the
  kept message (``take_first_message``) so the question gets its answer;
- ``!consent_non``, or a minor (``cnam.privacy.forget_profile``): the kept
  message is dropped; the person still talks to Rasa, but after each turn
  everything about them is erased except the decision itself (and their
  button tokens, so the buttons they were shown keep working);
- ``!mesdonnees`` sends the export as a JSON file, ``!supprimer_ok`` erases.

The four ``!`` payloads are front actions, listed in ``bot/app.py``.
"""

from __future__ import annotations

import json

from bot.messages import Document, OutMessage
from cnam import clock, privacy
from cnam.keys import person_key
from cnam.settings import get_settings
from cnam.store import get_redis

ACCEPT = "!consent_ok"
REFUSE = "!consent_non"
EXPORT = "!mesdonnees"
ERASE = "!supprimer_ok"
# Answered whatever the decision: deciding, and seeing or erasing one's data.
ALWAYS_ALLOWED = {ACCEPT, REFUSE, EXPORT, ERASE}

FIRST_MESSAGE = "first_message"
# Kept before any consent, so only long enough for the person to decide.
FIRST_MESSAGE_TTL = 3600
KEPT_AFTER_TURN = (*privacy.KEPT_WITHOUT_CONSENT, FIRST_MESSAGE)


def consent_prompt() -> list[OutMessage]:
    days = get_settings().retention_days
    return [
        OutMessage(
            text=(
                "Bonjour ! Avant de commencer : je garde vos messages et vos réponses "
                "(niveau, commune, projet…) pour vous orienter et préparer un rendez-vous. "
                "Seuls les conseillers du CNAM Mayotte les lisent. Tout est effacé "
                f"{days} jours après votre dernier message. /mesdonnees pour les voir, "
                "/supprimer pour les effacer."
            )
        ),
        OutMessage(
            text=(
                "Vous êtes d'accord ? Si vous refusez, je réponds quand même à vos "
                "questions, mais je ne garde rien."
            ),
            buttons=[("J'accepte", ACCEPT), ("Je refuse", REFUSE)],
        ),
    ]


ACCEPTED = OutMessage(
    text="Merci ! Vous pouvez changer d'avis quand vous voulez : /supprimer efface tout."
)
REFUSED = OutMessage(
    text=(
        "D'accord, je ne garde rien de personnel. Je réponds à vos questions, mais "
        "sans mémoire d'un message à l'autre : pas de rendez-vous ni de conseiller "
        "sans votre accord."
    ),
    buttons=[("Finalement, j'accepte", ACCEPT)],
)
NOTHING_STORED = OutMessage(text="Je ne garde aucune donnée sur vous en ce moment.")
EXPORT_SENT = OutMessage(
    text="Voici tout ce que je garde sur vous, dans un fichier. Pour tout effacer : /supprimer."
)


def erased(appointments: int) -> OutMessage:
    cancelled = " Votre rendez-vous est annulé." if appointments else ""
    return OutMessage(
        text=(
            f"C'est fait : j'ai effacé toutes vos données.{cancelled} "
            "Si vous m'écrivez à nouveau, je vous redemanderai votre accord."
        )
    )


async def gate(chat_id: int, text: str) -> list[OutMessage] | None:
    """The consent question on first contact; None to let the input go on."""
    redis = get_redis()
    decision, is_minor = await privacy.consent_state(redis, chat_id)
    if decision or is_minor or text in ALWAYS_ALLOWED:
        return None
    # Only the first one: it is the question the person came with. A front
    # command ("!aide") is not a question: after consent the greeting comes instead.
    if not text.startswith("!"):
        await redis.set(person_key(FIRST_MESSAGE, chat_id), text, nx=True, ex=FIRST_MESSAGE_TTL)
    return consent_prompt()


async def take_first_message(chat_id: int) -> str | None:
    """The message kept while the person decided, once (for the pipeline to replay)."""
    return await get_redis().getdel(person_key(FIRST_MESSAGE, chat_id))


async def after_turn(chat_id: int) -> None:
    """Without consent (refused, minor, or not yet decided), nothing stays."""
    redis = get_redis()
    if not await privacy.may_keep_data(redis, chat_id):
        await privacy.erase_person(redis, chat_id, clock.now(), keep=KEPT_AFTER_TURN)


async def accept(chat_id: int, arg: str) -> list[OutMessage]:
    redis = get_redis()
    _, is_minor = await privacy.consent_state(redis, chat_id)
    if is_minor:
        return [OutMessage(text=privacy.MINOR_MESSAGE)]
    await privacy.record_consent(redis, chat_id, privacy.ACCEPTED)
    return [ACCEPTED]


async def refuse(chat_id: int, arg: str) -> list[OutMessage]:
    redis = get_redis()
    await privacy.record_consent(redis, chat_id, privacy.REFUSED)
    # The kept first message goes too, and so does everything of someone who
    # had accepted and changes their mind on an older prompt.
    await privacy.erase_person(redis, chat_id, clock.now(), keep=privacy.KEPT_WITHOUT_CONSENT)
    return [REFUSED]


async def export(chat_id: int, arg: str) -> list[OutMessage]:
    data = await privacy.export_person(get_redis(), chat_id)
    if not data["donnees"]:
        return [NOTHING_STORED]
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    document = Document("mes-donnees-cnam.json", content)
    return [OutMessage(text=EXPORT_SENT.text, document=document)]


async def erase(chat_id: int, arg: str) -> list[OutMessage]:
    report = await privacy.erase_person(get_redis(), chat_id, clock.now())
    return [erased(report.appointments_cancelled)]

