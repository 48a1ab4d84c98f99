"""The booking form: how each answer is understood (mode, day, time, phone
number, confirmation), and how a booking attempt starts and ends.

The questions are in ``actions/booking_questions.py``; reserving, cancelling,
moving and showing appointments in ``actions/booking_manage.py``. The
calendar, the reservations and the wording live in ``cnam/booking/``. The
person is ``tracker.sender_id`` (the Telegram chat id); the time is
``cnam.clock.now()``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking_person import PersonAnswers, phone_required
from actions.consent import may_keep
from actions.handoff import topic_of
from actions.payloads import is_payload
from cnam import clock
from cnam.booking import reservations, wording
from cnam.booking.calendar import Refusal, Window, day_refusal, parse_slot_id, slot_refusal
from cnam.booking.config import AdvisersConfig, get_advisers
from cnam.booking.dates import Wish, format_time, parse_wish
from cnam.booking.dates import wish_window as dates_wish_window
from cnam.store import get_redis
from cnam.text import plain

FORM = "booking_form"
# Slots of one booking attempt, emptied when it ends.
ATTEMPT_SLOTS = [
    "rdv_second", "rdv_mode", "rdv_jour", "rdv_creneau", "rdv_validation", "rdv_souhait",
    "rdv_a_deplacer", "rdv_sujet", "rdv_sans_telephone",
]
OTHER_DAY = "autre"
# Words people type instead of pressing a mode button (accent-free, lower case).
MODE_WORDS = {
    "telephone": ("tel", "phone", "appel", "appelle", "portable"),
    "video": ("visio", "video", "zoom", "teams", "en ligne", "webcam", "camera"),
    "site": ("sur place", "place", "cnam", "bureau", "venir", "presentiel", "kaweni"),
}


def _keep(tracker: Tracker, slot: str) -> dict[str, Any]:
    """Leave ``slot`` as another validator of this turn set it (or empty)."""
    value = tracker.get_slot(slot)
    return {slot: None if is_payload(value) else value}


def day_of(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _notice(config: AdvisersConfig) -> timedelta:
    return timedelta(hours=config.min_notice_hours)


def _mode_from_text(text: str, config: AdvisersConfig) -> str | None:
    folded = plain(text)
    offered = config.offered_modes()
    if folded in offered:
        return folded
    found = [m for m, words in MODE_WORDS.items() if any(w in folded for w in words)]
    return found[0] if len(found) == 1 and found[0] in offered else None


def _wish_window(wish: Wish, config: AdvisersConfig, default_day: date | None) -> Window:
    return dates_wish_window(wish, clock.now(), config.tz, default_day, _notice(config))


def typed_wish(tracker: Tracker, config: AdvisersConfig, now: datetime) -> Wish | None:
    """A day or time in the message that opened this step ("un rdv jeudi aprem"),
    None for a button press or a message without one."""
    text = tracker.latest_message.get("text") or ""
    return None if is_payload(text) else parse_wish(text, now, config.tz)


async def choose_from_wish(
    dispatcher: CollectingDispatcher, wish: Wish, mode: str, default_day: date | None
) -> dict[str, Any]:
    """Slots for a wish in words: the day, and the time when it is free.

    On a day that cannot be booked, one sentence says why and the wish is
    kept, so the next question offers the nearest free days first.
    """
    config, now = get_advisers(), clock.now()
    window = _wish_window(wish, config, default_day)
    day = window.start.date()
    reset = {"rdv_jour": None, "rdv_creneau": None, "rdv_validation": None,
             "rdv_souhait": window.dump()}
    refusal = day_refusal(config, day, mode, now)
    if refusal:
        dispatcher.utter_message(text=wording.refusal(config, refusal))
        return reset
    free = await reservations.free_slots(get_redis(), config, mode, now, [day])
    if not free:
        dispatcher.utter_message(text=wording.refusal(config, Refusal("full")))
        return reset
    chosen = {"rdv_jour": day.isoformat(), "rdv_creneau": None, "rdv_validation": None,
              "rdv_souhait": window.dump() if wish.at or wish.period else None}
    if wish.at and not wish.approximate:
        exact = next((s for s in free if s.start == window.start), None)
        if exact:
            return {**chosen, "rdv_creneau": exact.id, "rdv_souhait": None}
        dispatcher.utter_message(
            text=f"{format_time(wish.at)} n'est pas libre ce jour-là : voici les heures proches."
        )
    return chosen


class ValidateBookingForm(PersonAnswers, FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if not may_keep(tracker):
            return []  # nothing asked: action_confirm_booking says consent is needed
        slots = []
        if tracker.get_slot("rdv_a_deplacer") is None and await reservations.get_booking(
            get_redis(), tracker.sender_id, clock.now()
        ):
            slots.append("rdv_second")
            if tracker.get_slot("rdv_second") is False:
                return slots  # keeps the appointment it has: the form ends here
        slots += ["rdv_mode", "rdv_jour", "rdv_creneau"]
        # Who it is for and why, unless the conversation said it (actions/booking_person.py).
        if tracker.get_slot("prenom") is None:
            slots.append("rdv_prenom")
        if tracker.get_slot("commune") is None:
            slots.append("rdv_commune")
        slots.append("rdv_sujet")
        if phone_required(tracker) or not tracker.get_slot("rdv_sans_telephone"):
            slots.append("rdv_telephone")
        return [*slots, "rdv_validation"]

    async def validate_rdv_second(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"rdv_second": value if isinstance(value, bool) else None}

    async def validate_rdv_mode(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if is_payload(value):
            return _keep(tracker, "rdv_mode")
        config = get_advisers()
        mode = _mode_from_text(str(value), config)
        if mode is None:
            dispatcher.utter_message(text="Choisissez le type de rendez-vous avec un bouton.")
            return {"rdv_mode": None}
        result: dict[str, Any] = {"rdv_mode": mode, "rdv_validation": None}
        slot_id = tracker.get_slot("rdv_creneau")
        if slot_id and not is_payload(slot_id):
            adviser = config.adviser(str(slot_id).partition("|")[0])
            if adviser is None or mode not in adviser.modes:
                result["rdv_creneau"] = None
        window = Window.parse(tracker.get_slot("rdv_souhait"))
        if window and tracker.get_slot("rdv_jour") is None:
            # a wish said before the mode was known ("un rdv jeudi aprem")
            day = window.start.date()
            now = clock.now()
            if day_refusal(config, day, mode, now) is None and await reservations.free_slots(
                get_redis(), config, mode, now, [day]
            ):
                result["rdv_jour"] = day.isoformat()
        return result

    async def validate_rdv_jour(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if is_payload(value):
            return _keep(tracker, "rdv_jour")
        if value == OTHER_DAY:
            return {"rdv_jour": None, "rdv_creneau": None, "rdv_souhait": None,
                    "rdv_validation": None}
        config, now = get_advisers(), clock.now()
        wish = parse_wish(str(value), now, config.tz)
        if wish is None:
            dispatcher.utter_message(
                text="Je n'ai pas compris la date. Choisissez un jour, ou écrivez par exemple "
                     "« jeudi 10h »."
            )
            return {"rdv_jour": None}
        mode = tracker.get_slot("rdv_mode")
        if mode is None:  # a day button pressed before the mode: kept as a wish
            window = _wish_window(wish, config, None)
            return {"rdv_jour": None, "rdv_souhait": window.dump()}
        return await choose_from_wish(dispatcher, wish, mode, None)

    async def validate_rdv_creneau(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if is_payload(value):
            return _keep(tracker, "rdv_creneau")
        config, now = get_advisers(), clock.now()
        mode = tracker.get_slot("rdv_mode")
        if "|" not in str(value):  # typed: "plutôt 15h", "vendredi matin"
            wish = parse_wish(str(value), now, config.tz)
            if wish is None or mode is None:
                dispatcher.utter_message(
                    text="Je n'ai pas compris l'heure. Choisissez un bouton, ou écrivez par "
                         "exemple « 10h30 »."
                )
                return {"rdv_creneau": None}
            return await choose_from_wish(dispatcher, wish, mode, day_of(tracker.get_slot("rdv_jour")))
        try:
            slot = parse_slot_id(str(value), config)
        except ValueError:
            dispatcher.utter_message(text=wording.refusal(config, Refusal("unknown")))
            return {"rdv_creneau": None}
        # without a mode yet (an old button), the adviser's first mode stands in;
        # validate_rdv_mode drops the slot if the mode chosen later does not fit
        adviser_modes = config.adviser(slot.adviser_id).modes  # type: ignore[union-attr]
        refusal = slot_refusal(config, slot, mode or adviser_modes[0], now)
        if refusal is None and await reservations.taken_ids(get_redis(), [slot]):
            refusal = Refusal("taken")
        if refusal is None:
            return {"rdv_creneau": slot.id, "rdv_jour": slot.day.isoformat(),
                    "rdv_souhait": None, "rdv_validation": None}
        # an old button, or someone was faster: offer what is nearest
        dispatcher.utter_message(
            text=f"{wording.refusal(config, refusal)} Voici les créneaux les plus proches."
        )
        keep_day = (
            mode is not None
            and day_refusal(config, slot.day, mode, now) is None
            and await reservations.free_slots(get_redis(), config, mode, now, [slot.day])
        )
        return {"rdv_creneau": None, "rdv_validation": None,
                "rdv_jour": slot.day.isoformat() if keep_day else None,
                "rdv_souhait": Window(slot.start, slot.start).dump()}

    async def validate_rdv_validation(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is True:
            return {"rdv_validation": True}
        # "Changer": choose again from the mode on
        dispatcher.utter_message(text="D'accord, reprenons le choix.")
        return {"rdv_validation": None, "rdv_mode": None, "rdv_jour": None,
                "rdv_creneau": None, "rdv_telephone": None, "rdv_souhait": None}


class ActionStartBooking(Action):
    """Opens a fresh attempt; a wish in the opening message is kept for later."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        events = end_attempt()
        topic = topic_of(tracker)  # "Question VAE": asked only when the conversation does not say
        if topic:
            events.append(SlotSet("rdv_sujet", topic))
        config = get_advisers()
        wish = typed_wish(tracker, config, clock.now())
        if wish and wish.day:  # "un rdv jeudi aprem": offered first once the mode is known
            events.append(SlotSet("rdv_souhait", _wish_window(wish, config, None).dump()))
        return events


def end_attempt(**extra: Any) -> list[dict[str, Any]]:
    events = [SlotSet(slot, None) for slot in ATTEMPT_SLOTS]
    return events + [SlotSet(k, v) for k, v in extra.items()]


