"""Appointment booking with a CNAM adviser (booking_form, cancel, move, /rdv).

Thin actions: the calendar, the reservations and the wording live in
``cnam/`` (calendar, booking, appointments, booking_messages, dates, phone).
The person is ``tracker.sender_id`` (the Telegram chat id); the time is
``cnam.clock.now()``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import hand_over
from cnam import appointments, booking, booking_messages, clock, ics
from cnam.advisers import AdvisersConfig, get_advisers
from cnam.calendar import (
    Refusal,
    Slot,
    Window,
    day_refusal,
    nearest,
    one_per_time,
    parse_slot_id,
    slot_refusal,
)
from cnam.dates import (
    Wish,
    format_day,
    format_day_short,
    format_fr,
    format_time,
    parse_wish,
    plain_text,
)
from cnam.dates import wish_window as dates_wish_window
from cnam.phone import normalize_phone
from cnam.store import get_redis

FORM = "booking_form"
# Slots of one booking attempt, emptied when it ends.
ATTEMPT_SLOTS = [
    "rdv_second", "rdv_mode", "rdv_jour", "rdv_creneau", "rdv_validation", "rdv_souhait",
    "rdv_a_deplacer",
]
MAX_DAYS = 6
MAX_TIMES = 8
OTHER_DAY = "autre"
# Words people type instead of pressing a mode button (accent-free, lower case).
MODE_WORDS = {
    "telephone": ("tel", "phone", "appel", "appelle", "portable"),
    "video": ("visio", "video", "zoom", "teams", "en ligne", "webcam", "camera"),
    "site": ("sur place", "place", "cnam", "bureau", "venir", "presentiel", "kaweni"),
}
REQUEST_CONTACT = {"request_contact": "📱 Partager mon numéro"}


def _payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def _button(title: str, intent: str, **entities: str) -> dict[str, str]:
    return {"title": title, "payload": _payload(intent, **entities)}


def _is_payload(value: Any) -> bool:
    """Text of a button of another question, caught by a from_text mapping."""
    return isinstance(value, str) and value.startswith("/")


def _keep(tracker: Tracker, slot: str) -> dict[str, Any]:
    """Leave ``slot`` as another validator of this turn set it (or empty)."""
    value = tracker.get_slot(slot)
    return {slot: None if _is_payload(value) else value}


def _intent(tracker: Tracker) -> str | None:
    """The intent of the last message (the one under nlu_fallback, if any)."""
    return tracker.get_intent_of_latest_message() or (
        tracker.latest_message.get("intent") or {}
    ).get("name")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _encode(window: Window) -> str:
    return f"{window.start.isoformat()}/{window.end.isoformat()}"


def _decode(value: Any) -> Window | None:
    try:
        start, end = str(value).split("/")
        return Window(datetime.fromisoformat(start), datetime.fromisoformat(end))
    except ValueError:
        return None


def _notice(config: AdvisersConfig) -> timedelta:
    return timedelta(hours=config.min_notice_hours)


def _mode_from_text(text: str, config: AdvisersConfig) -> str | None:
    plain = plain_text(text)
    offered = config.offered_modes()
    if plain in offered:
        return plain
    found = [m for m, words in MODE_WORDS.items() if any(w in plain for w in words)]
    return found[0] if len(found) == 1 and found[0] in offered else None


def _wish_window(wish: Wish, config: AdvisersConfig, default_day: date | None) -> Window:
    return dates_wish_window(wish, clock.now(), config.tz, default_day, _notice(config))


def _slot_label(slot: Slot, with_day: bool) -> str:
    time_label = format_time(slot.start)
    return f"{format_day_short(slot.day)} {time_label}" if with_day else time_label


def _alternative_buttons(slots: list[Slot]) -> list[dict[str, str]]:
    return [_button(_slot_label(s, with_day=True), "inform", rdv_creneau=s.id) for s in slots]


async def _choose_from_wish(
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
             "rdv_souhait": _encode(window)}
    refusal = day_refusal(config, day, mode, now)
    if refusal:
        dispatcher.utter_message(text=booking_messages.refusal(config, refusal))
        return reset
    free = await booking.free_slots(get_redis(), config, mode, now, [day])
    if not free:
        dispatcher.utter_message(text=booking_messages.refusal(config, Refusal("full")))
        return reset
    chosen = {"rdv_jour": day.isoformat(), "rdv_creneau": None, "rdv_validation": None,
              "rdv_souhait": _encode(window) if wish.at or wish.period else None}
    if wish.at and not wish.approximate:
        exact = next((s for s in free if s.start == window.start), None)
        if exact:
            return {**chosen, "rdv_creneau": exact.id, "rdv_souhait": None}
        dispatcher.utter_message(
            text=f"{format_time(wish.at)} n'est pas libre ce jour-là : voici les heures proches."
        )
    return chosen


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = []
        if tracker.get_slot("rdv_a_deplacer") is None and await booking.get_booking(
            get_redis(), tracker.sender_id, clock.now()
        ):
            slots.append("rdv_second")
            if tracker.get_slot("rdv_second") is False:
                return slots  # keeps the appointment it has: the form ends here
        slots += ["rdv_mode", "rdv_jour", "rdv_creneau"]
        if tracker.get_slot("rdv_mode") == "telephone":
            slots.append("rdv_telephone")
        return [*slots, "rdv_validation"]

    async def validate_rdv_second(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"rdv_second": value if isinstance(value, bool) else None}

    async def validate_rdv_mode(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _is_payload(value):
            return _keep(tracker, "rdv_mode")
        config = get_advisers()
        mode = _mode_from_text(str(value), config)
        if mode is None:
            dispatcher.utter_message(text="Choisissez le type de rendez-vous avec un bouton.")
            return {"rdv_mode": None}
        result: dict[str, Any] = {"rdv_mode": mode, "rdv_validation": None}
        slot_id = tracker.get_slot("rdv_creneau")
        if slot_id and not _is_payload(slot_id):
            adviser = config.adviser(str(slot_id).partition("|")[0])
            if adviser is None or mode not in adviser.modes:
                result["rdv_creneau"] = None
        window = _decode(tracker.get_slot("rdv_souhait"))
        if window and tracker.get_slot("rdv_jour") is None:
            # a wish said before the mode was known ("un rdv jeudi aprem")
            day = window.start.date()
            now = clock.now()
            if day_refusal(config, day, mode, now) is None and await booking.free_slots(
                get_redis(), config, mode, now, [day]
            ):
                result["rdv_jour"] = day.isoformat()
        return result

    async def validate_rdv_jour(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _is_payload(value):
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
            return {"rdv_jour": None, "rdv_souhait": _encode(window)}
        return await _choose_from_wish(dispatcher, wish, mode, None)

    async def validate_rdv_creneau(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _is_payload(value):
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
            return await _choose_from_wish(dispatcher, wish, mode, _day(tracker.get_slot("rdv_jour")))
        try:
            slot = parse_slot_id(str(value), config)
        except ValueError:
            dispatcher.utter_message(text=booking_messages.refusal(config, Refusal("unknown")))
            return {"rdv_creneau": None}
        # without a mode yet (an old button), the adviser's first mode stands in;
        # validate_rdv_mode drops the slot if the mode chosen later does not fit
        adviser_modes = config.adviser(slot.adviser_id).modes  # type: ignore[union-attr]
        refusal = slot_refusal(config, slot, mode or adviser_modes[0], now)
        if refusal is None and await booking.taken_ids(get_redis(), [slot]):
            refusal = Refusal("taken")
        if refusal is None:
            return {"rdv_creneau": slot.id, "rdv_jour": slot.day.isoformat(),
                    "rdv_souhait": None, "rdv_validation": None}
        # an old button, or someone was faster: offer what is nearest
        dispatcher.utter_message(
            text=f"{booking_messages.refusal(config, refusal)} Voici les créneaux les plus proches."
        )
        keep_day = (
            mode is not None
            and day_refusal(config, slot.day, mode, now) is None
            and await booking.free_slots(get_redis(), config, mode, now, [slot.day])
        )
        return {"rdv_creneau": None, "rdv_validation": None,
                "rdv_jour": slot.day.isoformat() if keep_day else None,
                "rdv_souhait": _encode(Window(slot.start, slot.start))}

    async def validate_rdv_telephone(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _is_payload(value):
            return _keep(tracker, "rdv_telephone")
        number = normalize_phone(str(value))
        if number is None:
            dispatcher.utter_message(
                text="Ce numéro ne semble pas valide. Écrivez-le comme 0639 12 34 56, "
                     "ou appuyez sur « Partager mon numéro »."
            )
            return {"rdv_telephone": None}
        return {"rdv_telephone": number, "rdv_validation": None}

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
        events = [SlotSet(slot, None) for slot in ATTEMPT_SLOTS]
        text = tracker.latest_message.get("text") or ""
        config = get_advisers()
        wish = None if _is_payload(text) else parse_wish(text, clock.now(), config.tz)
        if wish and wish.day:  # "un rdv jeudi aprem": offered first once the mode is known
            events.append(SlotSet("rdv_souhait", _encode(_wish_window(wish, config, None))))
        return events


class ActionAskRdvSecond(Action):
    def name(self) -> str:
        return "action_ask_rdv_second"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        current = await booking.get_booking(get_redis(), tracker.sender_id, clock.now())
        when = booking_messages.booking_line(current) if current else ""
        dispatcher.utter_message(
            text=f"Vous avez déjà un rendez-vous : {when}. En prendre un second ?",
            buttons=[
                _button("Oui, un second", "affirm"),
                _button("Non, garder celui-ci", "deny"),
                _button("Déplacer celui-ci", "reschedule_appointment"),
            ],
        )
        return []


class ActionAskRdvMode(Action):
    def name(self) -> str:
        return "action_ask_rdv_mode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        config = get_advisers()
        dispatcher.utter_message(
            text="Comment voulez-vous rencontrer un conseiller ?",
            buttons=[_button(config.modes[m].label, "inform", rdv_mode=m)  # type: ignore[index]
                     for m in config.offered_modes()],
        )
        return []


async def _ask_day(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    config, now = get_advisers(), clock.now()
    mode = tracker.get_slot("rdv_mode")
    days = await booking.free_days(get_redis(), config, mode, now)
    if not days:
        dispatcher.utter_message(
            text=f"Désolé, plus aucun créneau libre dans les {config.horizon_days} prochains "
                 "jours. Un conseiller peut vous recontacter.",
            buttons=[_button("Être recontacté", "ask_human")],
        )
        return
    window = _decode(tracker.get_slot("rdv_souhait"))
    if window:
        days = sorted(sorted(days, key=lambda d: abs((d - window.start.date()).days))[:MAX_DAYS])
    today = now.astimezone(config.tz).date()
    names = {today: "Aujourd'hui", today + timedelta(days=1): "Demain"}
    dispatcher.utter_message(
        text="Quel jour vous convient ? Vous pouvez aussi écrire, par exemple « jeudi 10h ».",
        buttons=[
            _button(names.get(d, format_day_short(d)), "inform", rdv_jour=d.isoformat())
            for d in days[:MAX_DAYS]
        ],
    )


class ActionAskRdvJour(Action):
    def name(self) -> str:
        return "action_ask_rdv_jour"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        await _ask_day(dispatcher, tracker)
        return []


class ActionAskRdvCreneau(Action):
    def name(self) -> str:
        return "action_ask_rdv_creneau"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        config, now = get_advisers(), clock.now()
        day = _day(tracker.get_slot("rdv_jour"))
        mode = tracker.get_slot("rdv_mode")
        free = one_per_time(
            await booking.free_slots(get_redis(), config, mode, now, [day]) if day else []
        )
        if not free:  # filled up since the day was chosen
            dispatcher.utter_message(text=booking_messages.refusal(config, Refusal("full")))
            await _ask_day(dispatcher, tracker)
            return [SlotSet("rdv_jour", None), SlotSet("requested_slot", "rdv_jour")]
        window = _decode(tracker.get_slot("rdv_souhait"))
        shown = free[:MAX_TIMES]
        if window:  # the times nearest the wish, in order
            shown = sorted(nearest(free, window, MAX_TIMES), key=lambda s: s.start)
        dispatcher.utter_message(
            text=f"À quelle heure, {format_day(day)} ? (heure de Mayotte)",  # type: ignore[arg-type]
            buttons=[_button(_slot_label(s, with_day=False), "inform", rdv_creneau=s.id)
                     for s in shown] + [_button("Autre jour", "inform", rdv_jour=OTHER_DAY)],
        )
        return []


class ActionAskRdvTelephone(Action):
    def name(self) -> str:
        return "action_ask_rdv_telephone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="À quel numéro le conseiller peut-il vous appeler ? Appuyez sur « Partager "
                 "mon numéro », ou écrivez-le (par exemple 0639 12 34 56).",
            json_message=REQUEST_CONTACT,
        )
        return []


class ActionAskRdvValidation(Action):
    def name(self) -> str:
        return "action_ask_rdv_validation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        config = get_advisers()
        slot = parse_slot_id(tracker.get_slot("rdv_creneau"), config)
        moving_id = tracker.get_slot("rdv_a_deplacer")
        moving = (await booking.find_booking(get_redis(), tracker.sender_id, moving_id)
                  if moving_id else None)
        dispatcher.utter_message(
            text=booking_messages.summary(config, slot, tracker.get_slot("rdv_mode"),
                                          tracker.get_slot("rdv_telephone"), moving),
            buttons=[_button("Confirmer", "affirm"), _button("Changer", "deny")],
        )
        return []


def _end_attempt(**extra: Any) -> list[dict[str, Any]]:
    events = [SlotSet(slot, None) for slot in ATTEMPT_SLOTS]
    return events + [SlotSet(k, v) for k, v in extra.items()]


class ActionConfirmBooking(Action):
    """Submit of booking_form: reserve atomically, then confirm with the .ics."""

    def name(self) -> str:
        return "action_confirm_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        config, now, redis = get_advisers(), clock.now(), get_redis()
        if tracker.get_slot("rdv_second") is False:
            current = await booking.get_booking(redis, tracker.sender_id, now)
            line = f" du {format_fr(current.start)}" if current else ""
            dispatcher.utter_message(text=f"D'accord, votre rendez-vous{line} reste prévu. "
                                          "Tapez /rdv pour le revoir.")
            return _end_attempt()
        mode = tracker.get_slot("rdv_mode")
        result = await appointments.book(
            redis, config, tracker.sender_id, tracker.get_slot("rdv_creneau"), mode, now,
            telephone=tracker.get_slot("rdv_telephone"),
            allow_second=tracker.get_slot("rdv_second") is True,
            replacing=tracker.get_slot("rdv_a_deplacer"),
        )
        if result.status == "already":
            existing = result.existing
            line = booking_messages.booking_line(existing) if existing else ""
            dispatcher.utter_message(
                text=f"Vous avez déjà un rendez-vous : {line}.",
                buttons=[_button("Déplacer", "reschedule_appointment"),
                         _button("Annuler", "cancel_appointment")],
            )
            return _end_attempt()
        made = result.booking
        if made is None:
            why = result.refusal or Refusal("taken")
            text = booking_messages.refusal(config, why)
            if result.alternatives:
                text += " Voici les plus proches :"
            dispatcher.utter_message(text=text, buttons=_alternative_buttons(result.alternatives))
            return [SlotSet("rdv_creneau", None), SlotSet("rdv_validation", None)]
        dispatcher.utter_message(text=booking_messages.confirmation(made))
        dispatcher.utter_message(text=booking_messages.arrangement(config, made.mode,
                                                                   made.telephone))
        if config.to_bring:
            dispatcher.utter_message(text=booking_messages.to_bring(config))
        dispatcher.utter_message(json_message=ics.document_payload(config, made, now))
        dispatcher.utter_message(text=booking_messages.reminders_note())
        # The adviser receives the person's summary with the appointment.
        await hand_over(tracker, "profil_complet_rdv", appointment=booking_messages.booking_line(made))
        return _end_attempt(rdv_confirme=made.id)


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
            return [ActiveLoop(None), SlotSet("requested_slot", None), *_end_attempt()]
        return await ask_cancel(dispatcher, tracker)


async def ask_cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    bookings = await booking.upcoming(get_redis(), tracker.sender_id, clock.now())
    if not bookings:
        dispatcher.utter_message(text="Vous n'avez pas de rendez-vous prévu.",
                                 buttons=[_button("Prendre rendez-vous", "book_appointment")])
        return [SlotSet("rdv_annulation", None)]
    if len(bookings) == 1:
        [only] = bookings
        dispatcher.utter_message(
            text=f"Annuler votre rendez-vous du {booking_messages.booking_line(only)} ?",
            buttons=[_button("Oui, annuler", "affirm", rdv_annulation=only.id),
                     _button("Non, le garder", "deny")],
        )
        return [SlotSet("rdv_annulation", only.id)]
    dispatcher.utter_message(
        text="Quel rendez-vous voulez-vous annuler ?",
        buttons=[_button(f"{format_day_short(b.start.date())} {format_time(b.start)}", "affirm",
                         rdv_annulation=b.id) for b in bookings]
        + [_button("Aucun", "deny")],
    )
    return [SlotSet("rdv_annulation", None)]


class ActionCancelBookingConfirm(Action):
    """The answer to the cancel question (or an old "Oui, annuler" button)."""

    def name(self) -> str:
        return "action_cancel_booking_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if _intent(tracker) == "deny":
            dispatcher.utter_message(text="D'accord, rien n'est annulé.")
            return [SlotSet("rdv_annulation", None)]
        booking_id = tracker.get_slot("rdv_annulation")
        if not booking_id:  # "oui" typed while several appointments were listed
            return await ask_cancel(dispatcher, tracker)
        redis, now = get_redis(), clock.now()
        found = await booking.find_booking(redis, tracker.sender_id, booking_id)
        if found is None:
            dispatcher.utter_message(text="Ce rendez-vous n'existe plus : il a déjà été annulé.")
            return [SlotSet("rdv_annulation", None)]
        if found.start <= now:
            dispatcher.utter_message(text="Ce rendez-vous est déjà passé.")
            return [SlotSet("rdv_annulation", None)]
        await appointments.cancel(redis, tracker.sender_id, booking_id)
        dispatcher.utter_message(
            text=f"C'est annulé : votre rendez-vous du {format_fr(found.start)} est supprimé.",
            buttons=[_button("Prendre un autre rendez-vous", "book_appointment")],
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
        events = _end_attempt()
        current = await booking.get_booking(get_redis(), tracker.sender_id, now)
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
        text = tracker.latest_message.get("text") or ""
        wish = None if _is_payload(text) else parse_wish(text, now, config.tz)
        if wish and (wish.day or wish.at or wish.period):  # "décaler mon rdv à jeudi"
            chosen = await _choose_from_wish(dispatcher, wish, current.mode, None)
            events += [SlotSet(k, v) for k, v in chosen.items()]
        return events


class ActionShowBooking(Action):
    """The /rdv command: upcoming appointments, with move and cancel buttons."""

    def name(self) -> str:
        return "action_show_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        bookings = await booking.upcoming(get_redis(), tracker.sender_id, clock.now())
        if not bookings:
            dispatcher.utter_message(text="Vous n'avez pas de rendez-vous prévu.",
                                     buttons=[_button("Prendre rendez-vous", "book_appointment")])
            return []
        lines = [f"• {booking_messages.booking_line(b)}, avec {b.adviser_name}" for b in bookings]
        title = "Votre rendez-vous :" if len(bookings) == 1 else "Vos rendez-vous :"
        dispatcher.utter_message(
            text="\n".join([title, *lines, "(heure de Mayotte)"]),
            buttons=[_button("Déplacer", "reschedule_appointment"),
                     _button("Annuler", "cancel_appointment")],
        )
        return []
