"""The booking form's questions, each with its buttons: a second appointment?,
the mode, the day, the time, the phone number, and the summary to confirm."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking_form import OTHER_DAY, day_of
from actions.payloads import STOP_BOOKING, button
from cnam import clock
from cnam.booking import reservations, wording
from cnam.booking.calendar import Refusal, Slot, Window, nearest, one_per_time, parse_slot_id
from cnam.booking.config import get_advisers
from cnam.booking.dates import format_day, format_day_short, format_short, format_time
from cnam.store import get_redis

MAX_DAYS = 6
MAX_TIMES = 8


def slot_label(slot: Slot, with_day: bool) -> str:
    return format_short(slot.start) if with_day else format_time(slot.start)


class ActionAskRdvSecond(Action):
    def name(self) -> str:
        return "action_ask_rdv_second"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        current = await reservations.get_booking(get_redis(), tracker.sender_id, clock.now())
        when = wording.booking_line(current) if current else ""
        dispatcher.utter_message(
            text=f"Vous avez déjà un rendez-vous : {when}. En prendre un second ?",
            buttons=[
                button("Oui, un second", "affirm"),
                button("Non, garder celui-ci", "deny"),
                button("Déplacer celui-ci", "reschedule_appointment"),
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
            buttons=[button(config.modes[m].label, "inform", rdv_mode=m)  # type: ignore[index]
                     for m in config.offered_modes()] + [STOP_BOOKING],
        )
        return []


async def _ask_day(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    config, now = get_advisers(), clock.now()
    mode = tracker.get_slot("rdv_mode")
    days = await reservations.free_days(get_redis(), config, mode, now)
    if not days:
        dispatcher.utter_message(
            text=f"Désolé, plus aucun créneau libre dans les {config.horizon_days} prochains "
                 "jours. Un conseiller peut vous recontacter.",
            buttons=[button("Être recontacté", "ask_human")],
        )
        return
    window = Window.parse(tracker.get_slot("rdv_souhait"))
    if window:
        days = sorted(sorted(days, key=lambda d: abs((d - window.start.date()).days))[:MAX_DAYS])
    today = now.astimezone(config.tz).date()
    names = {today: "Aujourd'hui", today + timedelta(days=1): "Demain"}
    dispatcher.utter_message(
        text="Quel jour vous convient ? Vous pouvez aussi écrire, par exemple « jeudi 10h ».",
        buttons=[
            button(names.get(d, format_day_short(d)), "inform", rdv_jour=d.isoformat())
            for d in days[:MAX_DAYS]
        ] + [STOP_BOOKING],
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
        day = day_of(tracker.get_slot("rdv_jour"))
        mode = tracker.get_slot("rdv_mode")
        free = one_per_time(
            await reservations.free_slots(get_redis(), config, mode, now, [day]) if day else []
        )
        if not free:  # filled up since the day was chosen
            dispatcher.utter_message(text=wording.refusal(config, Refusal("full")))
            await _ask_day(dispatcher, tracker)
            return [SlotSet("rdv_jour", None), SlotSet("requested_slot", "rdv_jour")]
        window = Window.parse(tracker.get_slot("rdv_souhait"))
        shown = free[:MAX_TIMES]
        if window:  # the times nearest the wish, in order
            shown = sorted(nearest(free, window, MAX_TIMES), key=lambda s: s.start)
        dispatcher.utter_message(
            text=f"À quelle heure, {format_day(day)} ? (heure de Mayotte)",  # type: ignore[arg-type]
            buttons=[button(slot_label(s, with_day=False), "inform", rdv_creneau=s.id)
                     for s in shown] + [button("Autre jour", "inform", rdv_jour=OTHER_DAY), STOP_BOOKING],
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
        moving = (await reservations.find_booking(get_redis(), tracker.sender_id, moving_id)
                  if moving_id else None)
        dispatcher.utter_message(
            text=wording.summary(config, slot, tracker.get_slot("rdv_mode"),
                                          tracker.get_slot("rdv_telephone"), moving),
            buttons=[button("Confirmer", "affirm"), button("Changer", "deny"), STOP_BOOKING],
        )
        return []


