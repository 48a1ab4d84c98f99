"""Whether this person's data may be kept, as the front says with each message.

The front (``bot/consent.py``) sends ``{"consent": "oui"|"non"|None, "minor": bool}``
as the metadata of every message. Someone who refused, or is under 16, talks to
Rasa under a throwaway sender id: the actions still answer them, but write
nothing (no profile count, booking or handoff) and say why when asked for one.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from cnam.privacy import ACCEPTED


def agreed(tracker: Tracker) -> bool:
    """The person accepted and is not known to be a minor: the sender id is their chat id."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata.get("consent") == ACCEPTED and not metadata.get("minor")


def may_keep(tracker: Tracker) -> bool:
    """Data about this person may be written; not once they said they are under 16."""
    return agreed(tracker) and tracker.get_slot("tranche_age") != "moins_16"
