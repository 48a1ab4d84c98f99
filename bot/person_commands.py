"""The person's slash commands (/rdv, /aide…), shared by Telegram and the
terminal chat.

Each command is a trusted payload: a Rasa intent (``/greet``) or a front
action (``!aide``, see ``bot/pipeline.py``), so both transports behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import OutMessage


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # shown in Telegram's command menu
    payload: str


COMMANDS = [
    Command("start", "Commencer", "/greet"),
    Command("aide", "Ce que je peux faire pour vous", "!aide"),
    Command("rdv", "Voir ou prendre un rendez-vous", "/show_booking"),
    Command("annuler", "Annuler mon rendez-vous", "/cancel_appointment"),
    Command("recommencer", "Recommencer depuis le début", "/restart"),
    Command("conseiller", "Parler à un conseiller", "/ask_human"),
    Command("mesdonnees", "Voir les données gardées sur moi", "!mesdonnees"),
    Command("supprimer", "Effacer mes données", "!supprimer"),
]
_BY_NAME = {c.name: c for c in COMMANDS}

HELP = OutMessage(
    text=(
        "Je vous aide à trouver une formation au CNAM Mayotte et à prendre rendez-vous. "
        "Écrivez votre question simplement.\n\n"
        "/rdv : votre rendez-vous\n"
        "/annuler : annuler le rendez-vous\n"
        "/conseiller : parler à une personne\n"
        "/recommencer : repartir de zéro\n"
        "/mesdonnees : vos données\n"
        "/supprimer : effacer vos données"
    ),
    buttons=[
        ("Trouver une formation", "/ask_offers"),
        ("Prendre rendez-vous", "/book_appointment"),
        ("Parler à un conseiller", "/ask_human"),
    ],
)


def payload_for(text: str) -> str | None:
    """``"/rdv"`` (or ``"/rdv@NomDuBot"``) → its payload; None if not a known command."""
    if not text.startswith("/"):
        return None
    name = text[1:].split(maxsplit=1)[0].split("@")[0].lower() if text[1:].strip() else ""
    command = _BY_NAME.get(name)
    return command.payload if command else None


async def help_answer(chat_id: int, arg: str) -> list[OutMessage]:
    """The ``!aide`` front action."""
    return [HELP]
