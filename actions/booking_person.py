"""Who an appointment is for, asked before it is confirmed when the
conversation has not said it: the first name (the Telegram one offered
first), the commune, the topic, and a phone number if the person agrees.
The adviser's card needs them: a booking made right after a question must
not reach the advisers as an empty card.

``PersonAnswers`` holds the validators, mixed into ``ValidateBookingForm``;
the ask actions below put the questions that depend on the conversation
(the commune and the topic are domain responses: utter_ask_rdv_*).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import INTENT_TOPICS
from actions.payloads import STOP_BOOKING, button, is_payload
from actions.profile_form import canonical, first_name
from cnam.booking.phone import normalize_phone
from cnam.orientation.profile import SKIPPED
from cnam.vocabulary import COMMUNES, SUJET

# The "Non, un autre prénom" button.
ANOTHER_NAME = "autre_prenom"
NAME_NOT_SAID = button("Je préfère ne pas le dire", "inform", rdv_prenom=SKIPPED)
REQUEST_CONTACT = {"request_contact": "📱 Partager mon numéro"}
PHONE_NEEDED = (
    "Pour un rendez-vous par téléphone, il faut un numéro. Vous pouvez aussi "
    "répondre « Changer » au résumé pour choisir une visio ou un rendez-vous sur place."
)


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def phone_required(tracker: Tracker) -> bool:
    return tracker.get_slot("rdv_mode") == "telephone"


class PersonAnswers:
    """Validators of the booking form's questions about the person."""

    async def validate_rdv_prenom(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value in (ANOTHER_NAME, None) or is_payload(value):
            return {"rdv_prenom": None}
        if value == SKIPPED:
            return {"rdv_prenom": SKIPPED, "prenom": SKIPPED}
        # Asked the name, a short answer that looks like one is the name, whatever
        # the NLU made of it ("Mariama Abdou" read as a question).
        name = first_name(str(value))
        if name is None:
            dispatcher.utter_message(text="Écrivez seulement votre prénom, par exemple : Houssamie.")
            return {"rdv_prenom": None}
        return {"rdv_prenom": name, "prenom": name}

    async def validate_rdv_commune(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == SKIPPED:
            return {"rdv_commune": SKIPPED, "commune": SKIPPED}
        found = canonical("commune", value, _text(tracker), COMMUNES)
        if found is None:
            dispatcher.utter_message(text="Je ne connais pas cette commune. Choisissez-la avec un bouton.")
            return {"rdv_commune": None}
        return {"rdv_commune": found, "commune": found}

    async def validate_rdv_sujet(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value in SUJET:
            return {"rdv_sujet": value}
        # Typed: the question it sounds like, else "autre" (the adviser reads the messages).
        return {"rdv_sujet": INTENT_TOPICS.get(_intent(tracker) or "", "autre")}

    async def validate_rdv_telephone(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Required by phone; otherwise given only if the person wants to."""
        if is_payload(value):  # another question's button, caught as text
            return {"rdv_telephone": None}
        declined = value == SKIPPED or _intent(tracker) in {"deny", "skip"}
        if declined and not phone_required(tracker):
            return {"rdv_telephone": None, "rdv_sans_telephone": True}
        if declined:
            dispatcher.utter_message(text=PHONE_NEEDED)
            return {"rdv_telephone": None}
        number = normalize_phone(str(value))
        if number is None:
            dispatcher.utter_message(
                text="Ce numéro ne semble pas valide. Écrivez-le comme 0639 12 34 56, "
                     "ou appuyez sur « Partager mon numéro »."
            )
            return {"rdv_telephone": None}
        return {"rdv_telephone": number, "rdv_validation": None}


class ActionAskRdvPrenom(Action):
    def name(self) -> str:
        return "action_ask_rdv_prenom"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        telegram = first_name(str(metadata.get("telegram_first_name") or ""))
        if telegram and ANOTHER_NAME not in _text(tracker):
            dispatcher.utter_message(
                text=f"Pour le conseiller : c'est bien {telegram} ?",
                buttons=[button("Oui", "inform", rdv_prenom=telegram),
                         button("Non, un autre prénom", "inform", rdv_prenom=ANOTHER_NAME),
                         NAME_NOT_SAID, STOP_BOOKING],
            )
        else:
            dispatcher.utter_message(text="Quel est votre prénom, pour le conseiller ?",
                                     buttons=[NAME_NOT_SAID, STOP_BOOKING])
        return []


class ActionAskRdvTelephone(Action):
    def name(self) -> str:
        return "action_ask_rdv_telephone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        # The text inside the custom message: one Telegram message with the contact key.
        if phone_required(tracker):
            dispatcher.utter_message(json_message={**REQUEST_CONTACT, "text": (
                "À quel numéro le conseiller peut-il vous appeler ? Appuyez sur « Partager "
                "mon numéro », ou écrivez-le (par exemple 0639 12 34 56).")})
            return []
        dispatcher.utter_message(json_message={**REQUEST_CONTACT, "text": (
            "Voulez-vous laisser votre numéro au conseiller, au cas où ? Appuyez sur "
            "« Partager mon numéro », ou écrivez-le.")})
        dispatcher.utter_message(
            text="C'est facultatif.",
            buttons=[button("Non merci, sans numéro", "inform", rdv_telephone=SKIPPED), STOP_BOOKING],
        )
        return []
