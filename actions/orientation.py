"""Orientation: the top offers for the profile, each with its reason and
funding; the ways in for people under 16, without the bac, or wishing a field
the CNAM does not teach; the discovery questions; the funding answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.consent import agreed, may_keep
from actions.payloads import ADVISER, DONE, button
from actions.profile_form import PROFILE_SLOTS, explain_wishes
from cnam import stats
from cnam.orientation.cards import format_list, format_recommendation
from cnam.orientation.catalog import get_catalog
from cnam.orientation.discovery import question
from cnam.orientation.funding import routes_for
from cnam.orientation.profile import SKIPPED, Profile
from cnam.orientation.ranking import Recommendation, recommend
from cnam.orientation.ways_in import access_routes_without_bac
from cnam.privacy import MINOR_MESSAGE, forget_profile
from cnam.store import get_redis

MORE = button("Voir plus", "more_offers")
OTHER_FIELD = button("Autre domaine", "other_field")
BOOK = button("Prendre rendez-vous", "book_appointment")
MORE_INTRO = "Voici d'autres formations pour vous :"


def show(dispatcher: CollectingDispatcher, profile: Profile, shown: list[Recommendation],
         seen: list[str], first: bool, intro: str = MORE_INTRO) -> list[dict[str, Any]]:
    """The offers as one list, each card behind a "Détails" button (bot/details.py),
    then what next: "Voir plus" only while offers that fit remain, else say so and
    offer an adviser. Remembers every offer shown."""
    details = [
        {"title": f"Détails {n}", "text": format_recommendation(rec, explain_rncp=first and n == 1)}
        for n, rec in enumerate(shown, 1)
    ]
    listed = {"text": format_list(intro, shown), "details": details}
    seen = seen + [r.offer.id for r in shown]
    if recommend(profile, get_catalog(), exclude=set(seen), limit=1, only_fitting=True):
        dispatcher.utter_message(json_message={**listed, "buttons": [MORE, OTHER_FIELD, BOOK, DONE]})
    else:
        if shown:
            dispatcher.utter_message(json_message=listed)
        dispatcher.utter_message(response="utter_no_more_offers", buttons=[ADVISER, BOOK, OTHER_FIELD, DONE])
    return [SlotSet("offres_vues", seen)]


class ActionRecommend(Action):
    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        profile = Profile.from_slots(tracker.current_slot_values())
        if profile.tranche_age == "moins_16":
            if agreed(tracker):  # the sender id is the chat id: mark them
                await forget_profile(tracker.sender_id)
            dispatcher.utter_message(text=MINOR_MESSAGE)
            return [SlotSet(slot, None) for slot in PROFILE_SLOTS]
        if not may_keep(tracker):
            # The form did not run for them (nothing kept): the wish is explained here.
            explain_wishes(dispatcher, profile.domaines)
            dispatcher.utter_message(response="utter_needs_consent")
            return []
        if profile.niveau == "sans_bac":
            dispatcher.utter_message(response="utter_no_bac_routes")
            for route in access_routes_without_bac(profile):
                dispatcher.utter_message(text=route)
        recommendations = recommend(profile, get_catalog())
        if not recommendations:
            dispatcher.utter_message(response="utter_no_offer", buttons=[ADVISER, OTHER_FIELD, DONE])
            return []
        name = f", {profile.prenom}" if profile.prenom and profile.prenom != SKIPPED else ""
        intro = f"Voici les formations qui vous correspondent le mieux{name} :"
        events = show(dispatcher, profile, recommendations, [], first=True, intro=intro)
        await stats.record(get_redis(), "profile_completed", tracker.sender_id,
                           domaines=profile.domaines, commune=profile.commune)
        return events


class ActionMoreOffers(Action):
    def name(self) -> str:
        return "action_more_offers"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        seen = list(tracker.get_slot("offres_vues") or [])
        profile = Profile.from_slots(tracker.current_slot_values())
        more = recommend(profile, get_catalog(), exclude=set(seen), only_fitting=True)
        return show(dispatcher, profile, more, seen, first=False)


class ActionOtherField(Action):
    """Forget the field (and the discovery answers) so the form asks again."""

    def name(self) -> str:
        return "action_other_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return [SlotSet(slot, None) for slot in ("domaine", "decouverte", "gout_1", "gout_2", "offres_vues")]


def ask_discovery(dispatcher: CollectingDispatcher, slot: str) -> list[dict[str, Any]]:
    """A discovery question with one button per choice (cnam/orientation/discovery.py)."""
    asked = question(slot)
    buttons = [button(c.label, "inform", gout=c.id) for c in asked.choices]
    buttons.append(button("Je ne sais pas", "skip"))
    dispatcher.utter_message(text=asked.text, buttons=buttons)
    return []


class ActionAskGout1(Action):
    def name(self) -> str:
        return "action_ask_gout_1"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return ask_discovery(dispatcher, "gout_1")


class ActionAskGout2(Action):
    def name(self) -> str:
        return "action_ask_gout_2"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return ask_discovery(dispatcher, "gout_2")


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
