"""Appointments once chosen: reserving at the end of the booking form (with the
.ics and the adviser's card), cancelling, moving, and the /rdv list."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking_form import FORM, choose_from_wish, end_attempt, typed_wish
from actions.booking_questions import slot_label
from actions.consent import may_keep
from actions.handoff import hand_over
from actions.payloads import DONE, button
from cnam import clock
from cnam.booking import appointments, ics, reservations, wording
from cnam.booking.calendar import Refusal, Slot
from cnam.booking.config import get_advisers
from cnam.booking.dates import format_fr, format_short
from cnam.store import get_redis


def _intent(tracker: Tracker) -> str | None:
    """The intent of the last message (the one under nlu_fallback, if any)."""
    return tracker.get_intent_of_latest_message() or (
        tracker.latest_message.get("intent") or {}
    ).get("name")


def _alternative_buttons(slots: list[Slot]) -> list[dict[str, str]]:
    return [button(slot_label(s, with_day=True), "inform", rdv_creneau=s.id) for s in slots]


class ActionConfirmBooking(Action):
    """Submit of booking_form: reserve atomically, then confirm with the .ics."""

    def name(self) -> str:
        return "action_confirm_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        config, now, redis = get_advisers(), clock.now(), get_redis()
        if not may_keep(tracker):
            dispatcher.utter_message(response="utter_needs_consent")
            return end_attempt()
        if tracker.get_slot("rdv_second") is False:
            current = await reservations.get_booking(redis, tracker.sender_id, now)
            line = f" du {format_fr(current.start)}" if current else ""
            dispatcher.utter_message(text=f"D'accord, votre rendez-vous{line} reste prévu. "
                                          "Tapez /rdv pour le revoir.")
            return end_attempt()
        mode = tracker.get_slot("rdv_mode")
        result = await appointments.book(
            redis, config, tracker.sender_id, tracker.get_slot("rdv_creneau"), mode, now,
            telephone=tracker.get_slot("rdv_telephone"),
            allow_second=tracker.get_slot("rdv_second") is True,
            replacing=tracker.get_slot("rdv_a_deplacer"),
        )
        if result.status == "already":
            existing = result.existing
            line = wording.booking_line(existing) if existing else ""
            dispatcher.utter_message(
                text=f"Vous avez déjà un rendez-vous : {line}.",
                buttons=[button("Déplacer", "reschedule_appointment"),
                         button("Annuler", "cancel_appointment"), DONE],
            )
            return end_attempt()
        made = result.booking
        if made is None:
            why = result.refusal or Refusal("taken")
            text = wording.refusal(config, why)
            if result.alternatives:
                text += " Voici les plus proches :"
            dispatcher.utter_message(text=text, buttons=[*_alternative_buttons(result.alternatives), DONE])
            return [SlotSet("rdv_creneau", None), SlotSet("rdv_validation", None)]
        dispatcher.utter_message(text=wording.confirmation(made))
        dispatcher.utter_message(text=wording.arrangement(config, made.mode,
                                                                   made.telephone))
        if config.to_bring:
            dispatcher.utter_message(text=wording.to_bring(config))
        dispatcher.utter_message(json_message=ics.document_payload(config, made, now))
        dispatcher.utter_message(text=wording.reminders_note())
        # The adviser receives the person's summary with the appointment.
        await hand_over(tracker, "profil_complet_rdv", appointment=wording.booking_line(made))
        return end_attempt(rdv_confirme=made.id)


class ActionCancelBooking(Action):
    """Asks which appointment to cancel and to confirm (buttons); inside the
    booking form, it only stops the form."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.active_loop_name == FORM:
            moving = tracker.get_slot("rdv_a_deplacer")
            dispatcher.utter_message(
                text="D'accord, j'arrête la prise de rendez-vous."
                + (" Votre rendez-vous actuel reste prévu." if moving else "")
            )
            return [ActiveLoop(None), SlotSet("requested_slot", None), *end_attempt()]
        return await ask_cancel(dispatcher, tracker)


async def ask_cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    bookings = await reservations.upcoming(get_redis(), tracker.sender_id, clock.now())
    if not bookings:
        dispatcher.utter_message(text="Vous n'avez pas de rendez-vous prévu.",
                                 buttons=[button("Prendre rendez-vous", "book_appointment"), DONE])
        return [SlotSet("rdv_annulation", None)]
    if len(bookings) == 1:
        [only] = bookings
        dispatcher.utter_message(
            text=wording.cancel_question(only),
            buttons=[button("Oui, annuler", "affirm", rdv_annulation=only.id),
                     button("Non, le garder", "deny")],
        )
        return [SlotSet("rdv_annulation", only.id)]
    dispatcher.utter_message(
        text="Quel rendez-vous voulez-vous annuler ?",
        buttons=[button(format_short(b.start), "affirm",
                         rdv_annulation=b.id) for b in bookings]
        + [button("Aucun", "deny")],
    )
    return [SlotSet("rdv_annulation", None)]


class ActionCancelBookingConfirm(Action):
    """The answer to the cancel question (or an old "Oui, annuler" button)."""

    def name(self) -> str:
        return "action_cancel_booking_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if _intent(tracker) == "deny":
            dispatcher.utter_message(text=wording.NOTHING_CANCELLED)
            return [SlotSet("rdv_annulation", None)]
        booking_id = tracker.get_slot("rdv_annulation")
        if not booking_id:  # "oui" typed while several appointments were listed
            return await ask_cancel(dispatcher, tracker)
        redis, now = get_redis(), clock.now()
        found = await reservations.find_booking(redis, tracker.sender_id, booking_id)
        if found is None:
            dispatcher.utter_message(text="Ce rendez-vous n'existe plus : il a déjà été annulé.")
            return [SlotSet("rdv_annulation", None)]
        if found.start <= now:
            dispatcher.utter_message(text="Ce rendez-vous est déjà passé.")
            return [SlotSet("rdv_annulation", None)]
        await appointments.cancel(redis, tracker.sender_id, booking_id)
        dispatcher.utter_message(
            text=wording.cancelled(found),
            buttons=[button("Prendre un autre rendez-vous", "book_appointment"), DONE],
        )
        events = [SlotSet("rdv_annulation", None)]
        if tracker.get_slot("rdv_confirme") == booking_id:
            events.append(SlotSet("rdv_confirme", None))
        return events


class ActionRescheduleBooking(Action):
    """Starts booking_form again; the current appointment stays until the new
    one is confirmed (then both change in one atomic step)."""

    def name(self) -> str:
        return "action_reschedule_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        config, now = get_advisers(), clock.now()
        events = end_attempt()
        current = await reservations.get_booking(get_redis(), tracker.sender_id, now)
        if current is None:
            dispatcher.utter_message(text="Vous n'avez pas de rendez-vous à déplacer. "
                                          "Choisissons-en un.")
            return events
        dispatcher.utter_message(
            text=f"Votre rendez-vous du {format_fr(current.start)} reste réservé jusqu'à ce "
                 "que vous confirmiez le nouveau."
        )
        events += [SlotSet("rdv_a_deplacer", current.id), SlotSet("rdv_mode", current.mode)]
        if current.telephone:
            events.append(SlotSet("rdv_telephone", current.telephone))
        wish = typed_wish(tracker, config, now)
        if wish and (wish.day or wish.at or wish.period):  # "décaler mon rdv à jeudi"
            chosen = await choose_from_wish(dispatcher, wish, current.mode, None)
            events += [SlotSet(k, v) for k, v in chosen.items()]
        return events


class ActionShowBooking(Action):
    """The /rdv command: upcoming appointments, with move and cancel buttons."""

    def name(self) -> str:
        return "action_show_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        bookings = await reservations.upcoming(get_redis(), tracker.sender_id, clock.now())
        if not bookings:
            dispatcher.utter_message(text="Vous n'avez pas de rendez-vous prévu.",
                                     buttons=[button("Prendre rendez-vous", "book_appointment"), DONE])
            return []
        lines = [f"• {wording.booking_line(b)}, avec {b.adviser_name}" for b in bookings]
        title = "Votre rendez-vous :" if len(bookings) == 1 else "Vos rendez-vous :"
        dispatcher.utter_message(
            text="\n".join([title, *lines, "(heure de Mayotte)"]),
            buttons=[button("Déplacer", "reschedule_appointment"),
                     button("Annuler", "cancel_appointment"), DONE],
        )
        return []
