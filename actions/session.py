"""Starting over, and what happens when the assistant does not understand."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import ask_for_adviser
from actions.payloads import DONE, button
from actions.profile_form import PROFILE_SLOTS

# French names of the intents offered when the assistant hesitates.
INTENT_LABELS = {
    "ask_offers": "Trouver une formation",
    "ask_prerequisites": "Les conditions d'entrée",
    "ask_funding": "Le financement",
    "ask_cnam": "C'est quoi le CNAM ?",
    "ask_format": "Les horaires, la distance",
    "ask_location": "Où est le CNAM ?",
    "ask_vae": "Valider mon expérience (VAE)",
    "book_appointment": "Prendre rendez-vous",
    "cancel_appointment": "Annuler mon rendez-vous",
    "reschedule_appointment": "Changer mon rendez-vous",
    "ask_human": "Parler à un conseiller",
    "restart": "Recommencer",
    "delete_data": "Effacer mes données",
}


class ActionRestart(Action):
    """Replaces Rasa's immediate reset: the person confirms first."""

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_ask_restart_confirm")
        return []


class ActionClearProfile(Action):
    def name(self) -> str:
        return "action_clear_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_restart_done")
        dispatcher.utter_message(response="utter_greet")
        return [SlotSet(slot, None) for slot in PROFILE_SLOTS]


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """This misunderstood turn plus the misunderstood user turns just before it."""
    user_turns = [e for e in tracker.events if e.get("event") == "user"]
    count = 1
    for event in reversed(user_turns[:-1]):
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionFallback(Action):
    """First miss: ask to rephrase with the likely meanings. Second in a row:
    offer an adviser or an appointment, and tell the advisers."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if misunderstandings_in_a_row(tracker) >= 2:
            await ask_for_adviser(dispatcher, tracker, "incomprehension", "utter_fallback_twice")
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        likely = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS][:3]
        buttons = [button(INTENT_LABELS[name], name) for name in likely]
        buttons += [button("Autre chose", "help"), DONE]
        dispatcher.utter_message(response="utter_fallback_rephrase", buttons=buttons)
        return []
