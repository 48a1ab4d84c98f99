"""Practical answers that depend on the profile (the others are responses)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from cnam.funding import routes_for
from cnam.profile import Profile


class ActionAnswerFunding(Action):
    """"C'est payant ?": the training is often paid for; by whom depends on the person."""

    def name(self) -> str:
        return "action_answer_funding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        profile = Profile.from_slots(tracker.current_slot_values())
        dispatcher.utter_message(response="utter_funding_intro")
        for route in routes_for(profile):
            dispatcher.utter_message(text=f"💶 {route.label} : {route.explication}")
        if not profile.situation:
            dispatcher.utter_message(response="utter_funding_depends")
        return []
