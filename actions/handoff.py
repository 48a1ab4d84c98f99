"""Hand the conversation to a CNAM adviser: the record goes to a Redis Stream
that the front delivers as a card in the advisers' group (bot/handoff_consumer.py).

Only for someone who agreed to their data being kept: anyone else is given
the CNAM's public contact instead (``utter_handoff_without_consent``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.consent import may_keep
from cnam import handoff
from cnam.orientation.catalog import get_catalog
from cnam.orientation.profile import Profile
from cnam.orientation.ranking import recommend
from cnam.store import get_redis

# The question a person asked that says what an appointment or a request is about.
INTENT_TOPICS = {
    "ask_vae": "vae",
    "ask_funding": "financement",
    "ask_prerequisites": "conditions",
    "ask_format": "format",
    "ask_offers": "orientation",
}


def topic_of(tracker: Tracker) -> str | None:
    """The topic the conversation shows: the last such question, else the offers seen."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in INTENT_TOPICS:
                return INTENT_TOPICS[intent]
    return "orientation" if tracker.get_slot("offres_vues") else None


def telegram_names(tracker: Tracker) -> dict[str, str | None]:
    """The names the front read from Telegram (``bot/person_chat.py``)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return {
        "telegram_name": metadata.get("telegram_name"),
        "telegram_username": metadata.get("telegram_username"),
    }


def last_user_messages(tracker: Tracker, count: int = 5) -> list[str]:
    texts = [
        e.get("text") or "" for e in tracker.events
        if e.get("event") == "user" and not (e.get("text") or "").startswith("/")
    ]
    return texts[-count:]


async def hand_over(tracker: Tracker, reason: str, appointment: str | None = None) -> bool:
    """Queue the adviser card for this person; False (nothing written) without consent."""
    if not may_keep(tracker):
        return False
    profile = Profile.from_slots(tracker.current_slot_values())
    recommendations = recommend(profile, get_catalog()) if profile.niveau or profile.domaines else []
    funding = list(dict.fromkeys(r.label for rec in recommendations for r in rec.funding))
    await handoff.request_handoff(
        get_redis(),
        tracker.sender_id,
        reason,
        tracker.current_slot_values(),
        last_user_messages(tracker),
        appointment,
        [(rec.offer.id, rec.offer.title) for rec in recommendations],
        funding,
        sujet=tracker.get_slot("rdv_sujet") or topic_of(tracker),
        **telegram_names(tracker),
    )
    return True


async def ask_for_adviser(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, done: str
) -> None:
    """Hand over and say so with the response ``done``, or give the public contact."""
    handed = await hand_over(tracker, reason)
    dispatcher.utter_message(response=done if handed else "utter_handoff_without_consent")


class ActionHandoff(Action):
    """The person asks for a human."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        await ask_for_adviser(dispatcher, tracker, "demande_conseiller", "utter_handoff_done")
        return []
