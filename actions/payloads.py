"""Buttons of the actions: a title and the payload Rasa reads back when it is
pressed, ``/intent`` or ``/intent{"entity":"value"}`` (compact JSON)."""

from __future__ import annotations

import json
from typing import Any


def payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    return {"title": title, "payload": payload(intent, **entities)}


def is_payload(value: Any) -> bool:
    """Text of a button (of another question, caught by a from_text mapping)."""
    return isinstance(value, str) and value.startswith("/")


# The ways out that several menus offer: an adviser, or a warm closing.
ADVISER = button("Parler à un conseiller", "ask_human")
DONE = button("C'est tout, merci", "goodbye")
# Inside the booking form: leave it (the rule stops the form, nothing is booked).
STOP_BOOKING = button("Annuler la demande", "cancel_appointment")
