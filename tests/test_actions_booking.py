"""The booking actions, with rasa_sdk trackers built from tests/fixtures/*.json,
a real Redis and the clock set to Monday 30 November 2026, 9:00."""

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from icalendar import Calendar
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.booking as act
from cnam import booking, clock, reminders
from tests.calendar_config import NOW, at, make_config

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN = yaml.safe_load(Path("domain/booking.yml").read_text(encoding="utf-8"))
CONFIG = make_config()
ME = "900"
SLOT = "adv1|2026-12-03T14:30"


@pytest.fixture
async def env(redis, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(act, "get_advisers", lambda: CONFIG)
    return redis


def make_tracker(
    fixture: str,
    *,
    text: str | None = None,
    intent: str | None = None,
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    active: bool | None = None,
) -> Tracker:
    """A recorded tracker, with this turn's message, slots and slot candidates
    (appended last, as Rasa's form does before calling its validation action)."""
    state = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    message = state["latest_message"]
    if text is not None:
        message["text"] = text
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 1.0}
        message["intent_ranking"] = [message["intent"]]
    if entities is not None:
        message["entities"] = [{"entity": k, "value": v} for k, v in entities.items()]
    state["slots"].update(slots or {})
    for name, value in (candidates or {}).items():
        state["events"].append({"event": "slot", "name": name, "value": value})
        state["slots"][name] = value
    if active is not None:
        state["active_loop"] = {"name": "booking_form"} if active else {}
    return Tracker.from_dict(state)


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


async def validate(**kwargs: Any) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("booking_form_step.json", **kwargs)
    events = await act.ValidateBookingForm().run(dispatcher, tracker, DOMAIN)
    return slot_events(events), dispatcher


async def run(action: Any, fixture: str = "booking_form_step.json", **kwargs: Any):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(fixture, **kwargs), DOMAIN)
    return slot_events(events), dispatcher, events


# --- the questions -----------------------------------------------------------

async def test_mode_question_offers_the_configured_modes(env) -> None:
    _, dispatcher, _ = await run(act.ActionAskRdvMode())
    assert payloads(dispatcher) == [
        '/inform{"rdv_mode":"site"}', '/inform{"rdv_mode":"telephone"}',
        '/inform{"rdv_mode":"video"}',
    ]


async def test_day_question_shows_at_most_six_free_days(env) -> None:
    _, dispatcher, _ = await run(act.ActionAskRdvJour(), slots={"rdv_mode": "site"})
    [message] = dispatcher.messages
    assert len(message["buttons"]) == 6
    assert message["buttons"][0] == {"title": "Aujourd'hui",
                                     "payload": '/inform{"rdv_jour":"2026-11-30"}'}
    assert message["buttons"][1]["title"] == "Demain"
    # Friday 4 is closed, the weekend has no on-site adviser
    assert '/inform{"rdv_jour":"2026-12-04"}' not in payloads(dispatcher)
    assert message["buttons"][5]["payload"] == '/inform{"rdv_jour":"2026-12-08"}'


async def test_day_question_centres_on_the_wish(env) -> None:
    wish = f"{at('2026-12-16', '09:00').isoformat()}/{at('2026-12-16', '12:00').isoformat()}"
    _, dispatcher, _ = await run(act.ActionAskRdvJour(),
                                 slots={"rdv_mode": "site", "rdv_souhait": wish})
    days = [json.loads(p.removeprefix("/inform"))["rdv_jour"] for p in payloads(dispatcher)]
    assert "2026-12-16" in days and days == sorted(days)
    assert days[0] >= "2026-12-11"


async def test_time_question_shows_eight_times_and_another_day(env) -> None:
    _, dispatcher, _ = await run(act.ActionAskRdvCreneau(),
                                 slots={"rdv_mode": "telephone", "rdv_jour": "2026-12-07"})
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == 9
    assert buttons[0] == {"title": "8 h", "payload": '/inform{"rdv_creneau":"adv1|2026-12-07T08:00"}'}
    assert buttons[-1] == {"title": "Autre jour", "payload": '/inform{"rdv_jour":"autre"}'}
    assert "lundi 7 décembre" in dispatcher.messages[0]["text"]


async def test_time_question_puts_the_wished_time_first(env) -> None:
    wish = f"{at('2026-12-07', '15:00').isoformat()}/{at('2026-12-07', '15:00').isoformat()}"
    _, dispatcher, _ = await run(
        act.ActionAskRdvCreneau(),
        slots={"rdv_mode": "telephone", "rdv_jour": "2026-12-07", "rdv_souhait": wish},
    )
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "15 h" in titles and "16 h 30" in titles and "8 h" not in titles
    assert titles[-1] == "Autre jour"


async def test_time_question_when_the_day_filled_up(env) -> None:
    for n, slot in enumerate(await booking.free_slots(env, CONFIG, "site", NOW,
                                                      [date(2026, 12, 2)])):
        assert (await booking.reserve(env, CONFIG, 3000 + n, slot.id, "site", NOW)).ok
    slots, dispatcher, _ = await run(act.ActionAskRdvCreneau(),
                                     slots={"rdv_mode": "site", "rdv_jour": "2026-12-02"})
    assert texts(dispatcher)[0] == "Il n'y a plus de place libre ce jour-là."
    assert '/inform{"rdv_jour":"2026-12-02"}' not in payloads(dispatcher)
    assert slots == {"rdv_jour": None, "requested_slot": "rdv_jour"}


async def test_phone_question_asks_telegram_for_the_contact(env) -> None:
    _, dispatcher, _ = await run(act.ActionAskRdvTelephone())
    [message] = dispatcher.messages
    assert message["custom"] == {"request_contact": "📱 Partager mon numéro"}
    assert "0639 12 34 56" in message["text"]


async def test_summary_before_confirming(env) -> None:
    _, dispatcher, _ = await run(act.ActionAskRdvValidation(), slots={
        "rdv_mode": "telephone", "rdv_creneau": SLOT, "rdv_telephone": "+262639123456"})
    [message] = dispatcher.messages
    assert "par téléphone, jeudi 3 décembre à 14 h 30, heure de Mayotte" in message["text"]
    assert "0639 12 34 56" in message["text"] and len(message["text"]) <= 350
    assert payloads(dispatcher) == ["/affirm", "/deny"]


# --- validation ---------------------------------------------------------------

async def test_required_slots_follow_the_mode_and_existing_appointments(env) -> None:
    form = act.ValidateBookingForm()
    dispatcher = CollectingDispatcher()
    site = make_tracker("booking_form_step.json", slots={"rdv_mode": "site"})
    phone = make_tracker("booking_form_step.json", slots={"rdv_mode": "telephone"})
    assert await form.required_slots([], dispatcher, site, DOMAIN) == [
        "rdv_mode", "rdv_jour", "rdv_creneau", "rdv_validation"]
    assert "rdv_telephone" in await form.required_slots([], dispatcher, phone, DOMAIN)
    await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    assert (await form.required_slots([], dispatcher, site, DOMAIN))[0] == "rdv_second"
    moving = make_tracker("booking_form_step.json", slots={"rdv_a_deplacer": "x"})
    assert "rdv_second" not in await form.required_slots([], dispatcher, moving, DOMAIN)


async def test_no_second_appointment_ends_the_form(env) -> None:
    await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    slots, _ = await validate(slots={"requested_slot": "rdv_second", "rdv_mode": None},
                              intent="deny", candidates={"rdv_second": False})
    assert slots == {"rdv_second": False, "requested_slot": None}
    done, dispatcher, _ = await run(act.ActionConfirmBooking(), slots={"rdv_second": False})
    assert "reste prévu" in texts(dispatcher)[0]
    assert len(await booking.upcoming(env, ME, NOW)) == 1
    assert done["rdv_second"] is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("jeudi prochain vers 10h", {"rdv_jour": "2026-12-03", "rdv_creneau": None}),
    ("jeudi 10h", {"rdv_jour": "2026-12-03", "rdv_creneau": "adv1|2026-12-03T10:00"}),
    ("demain aprem", {"rdv_jour": "2026-12-01", "rdv_creneau": None}),
    ("lundi matin", {"rdv_jour": "2026-12-07", "rdv_creneau": None}),
])
async def test_free_text_day_is_read(env, typed, expected) -> None:
    slots, dispatcher = await validate(text=typed, candidates={"rdv_jour": typed})
    assert {k: slots[k] for k in expected} == expected
    assert slots["requested_slot"] == ("rdv_validation" if expected["rdv_creneau"]
                                       else "rdv_creneau")
    assert texts(dispatcher) == []


async def test_wished_time_taken_offers_the_nearest(env) -> None:
    await booking.reserve(env, CONFIG, 3100, "adv1|2026-12-03T10:00", "site", NOW)
    slots, dispatcher = await validate(text="jeudi 10h", candidates={"rdv_jour": "jeudi 10h"})
    assert slots["rdv_jour"] == "2026-12-03" and slots["rdv_creneau"] is None
    assert texts(dispatcher) == ["10 h n'est pas libre ce jour-là : voici les heures proches."]
    _, asked, _ = await run(act.ActionAskRdvCreneau(), slots=slots)
    titles = [b["title"] for b in asked.messages[0]["buttons"]]
    assert "10 h" not in titles and {"9 h 30", "10 h 30"} <= set(titles)


@pytest.mark.parametrize(("typed", "said"), [
    ("hier", "Ce moment est déjà passé."),
    ("vendredi", "Le CNAM est fermé ce jour-là (journée pédagogique)."),
    ("dimanche", "Aucun conseiller ne reçoit à ce moment-là."),
    ("le 28 décembre", "Je ne peux réserver que dans les 21 prochains jours."),
    ("euh je sais pas", "Je n'ai pas compris la date. Choisissez un jour, ou écrivez par "
                        "exemple « jeudi 10h »."),
])
async def test_bad_days_are_explained_and_asked_again(env, typed, said) -> None:
    slots, dispatcher = await validate(text=typed, candidates={"rdv_jour": typed})
    assert texts(dispatcher) == [said]
    assert slots["rdv_jour"] is None and slots["requested_slot"] == "rdv_jour"


async def test_slot_button_is_accepted_and_sets_the_day(env) -> None:
    slots, _ = await validate(slots={"requested_slot": "rdv_creneau", "rdv_jour": "2026-12-01"},
                              entities={"rdv_creneau": SLOT}, candidates={"rdv_creneau": SLOT})
    assert (slots["rdv_creneau"], slots["rdv_jour"]) == (SLOT, "2026-12-03")
    assert slots["requested_slot"] == "rdv_validation"


async def test_slot_taken_meanwhile_is_explained(env) -> None:
    await booking.reserve(env, CONFIG, 3200, SLOT, "site", NOW)
    slots, dispatcher = await validate(slots={"requested_slot": "rdv_creneau"},
                                       candidates={"rdv_creneau": SLOT})
    assert texts(dispatcher) == [
        "Ce créneau vient d'être pris par quelqu'un d'autre. Voici les créneaux les plus proches."
    ]
    assert slots["rdv_creneau"] is None and slots["rdv_jour"] == "2026-12-03"
    assert slots["rdv_souhait"].startswith("2026-12-03T14:30")


async def test_old_button_pressed_days_later(env, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: at("2026-12-03", "16:00"))
    slots, dispatcher = await validate(slots={"requested_slot": "rdv_creneau"},
                                       candidates={"rdv_creneau": SLOT})
    assert texts(dispatcher)[0].startswith("Ce moment est déjà passé.")
    assert slots["rdv_creneau"] is None and slots["rdv_jour"] is None


@pytest.mark.parametrize("order", ["day_first", "slot_first"])
async def test_button_text_caught_by_free_text_mapping(env, order) -> None:
    """A time button pressed while the day is asked: from_text also hands the
    payload to rdv_jour; whatever the order, the slot wins."""
    payload = f'/inform{{"rdv_creneau":"{SLOT}"}}'
    pairs = [("rdv_jour", payload), ("rdv_creneau", SLOT)]
    candidates = dict(pairs if order == "day_first" else pairs[::-1])
    slots, _ = await validate(text=payload, entities={"rdv_creneau": SLOT}, candidates=candidates)
    assert (slots["rdv_jour"], slots["rdv_creneau"]) == ("2026-12-03", SLOT)


async def test_typed_time_on_the_chosen_day(env) -> None:
    slots, _ = await validate(
        slots={"requested_slot": "rdv_creneau", "rdv_jour": "2026-12-03"},
        text="plutôt 15h", candidates={"rdv_creneau": "plutôt 15h"},
    )
    assert slots["rdv_creneau"] == "adv1|2026-12-03T15:00"


async def test_other_day_button_goes_back_to_days(env) -> None:
    slots, _ = await validate(
        slots={"requested_slot": "rdv_creneau", "rdv_jour": "2026-12-03"},
        entities={"rdv_jour": "autre"}, candidates={"rdv_jour": "autre"},
    )
    assert slots["rdv_jour"] is None and slots["requested_slot"] == "rdv_jour"


@pytest.mark.parametrize(("typed", "mode"), [("par tel", "telephone"), ("en visio", "video"),
                                             ("sur place", "site")])
async def test_typed_mode(env, typed, mode) -> None:
    slots, _ = await validate(slots={"requested_slot": "rdv_mode", "rdv_mode": None},
                              text=typed, candidates={"rdv_mode": typed})
    assert slots["rdv_mode"] == mode


async def test_wish_from_the_first_message_is_used_once_the_mode_is_known(env) -> None:
    started, _, _ = await run(act.ActionStartBooking(), "booking_idle.json",
                              text="je veux un rdv jeudi aprem")
    assert started["rdv_souhait"].startswith("2026-12-03T13:00")
    slots, _ = await validate(slots={"requested_slot": "rdv_mode", "rdv_mode": None, **started},
                              candidates={"rdv_mode": "video"})
    assert slots["rdv_jour"] == "2026-12-03" and slots["requested_slot"] == "rdv_creneau"


async def test_phone_number_typed_or_shared(env) -> None:
    base = {"requested_slot": "rdv_telephone", "rdv_mode": "telephone"}
    slots, _ = await validate(slots=base, text="0639 12 34 56",
                              candidates={"rdv_telephone": "0639 12 34 56"})
    assert slots["rdv_telephone"] == "+262639123456"
    slots, _ = await validate(slots=base, entities={"rdv_telephone": "262639123456"},
                              candidates={"rdv_telephone": "262639123456"})
    assert slots["rdv_telephone"] == "+262639123456"
    slots, dispatcher = await validate(slots=base, text="123", candidates={"rdv_telephone": "123"})
    assert slots["rdv_telephone"] is None and "pas valide" in texts(dispatcher)[0]


async def test_change_at_the_summary_starts_over(env) -> None:
    slots, _ = await validate(
        slots={"requested_slot": "rdv_validation", "rdv_jour": "2026-12-03", "rdv_creneau": SLOT},
        intent="deny", candidates={"rdv_validation": False},
    )
    assert slots["rdv_mode"] is None and slots["rdv_creneau"] is None
    assert slots["requested_slot"] == "rdv_mode"


# --- confirmation, cancel, move, /rdv ------------------------------------------

CONFIRMED = {"rdv_mode": "site", "rdv_jour": "2026-12-03", "rdv_creneau": SLOT,
             "rdv_validation": True, "requested_slot": None}


async def test_confirmation_reserves_and_sends_the_ics(env) -> None:
    slots, dispatcher, _ = await run(act.ActionConfirmBooking(), slots=CONFIRMED, active=False)
    made = await booking.get_booking(env, ME, NOW)
    assert made is not None and made.slot_id == SLOT
    said = texts(dispatcher)
    assert said[0] == ("C'est confirmé : rendez-vous sur place au CNAM le jeudi 3 décembre à "
                       "14 h 30, heure de Mayotte, avec Zaïnaba.")
    assert "CNAM Mayotte, Mamoudzou (Kawéni)" in said[1]
    assert "à confirmer" not in " ".join(said)  # the internal note never reaches the person
    assert "une pièce d'identité" in said[2] and "/rdv" in said[3]
    assert all(len(t) <= 350 for t in said)
    [document] = [m["custom"]["document"] for m in dispatcher.messages if m.get("custom")]
    assert (document["filename"], document["mime_type"]) == ("rendez-vous-cnam.ics",
                                                             "text/calendar")
    [event] = Calendar.from_ical(base64.b64decode(document["content_b64"])).walk("VEVENT")
    assert event.decoded("DTSTART") == at("2026-12-03", "14:30")
    assert slots["rdv_confirme"] == made.id and slots["rdv_creneau"] is None
    assert await env.zcard(reminders.reminders_key()) == 2


async def test_confirmation_when_the_slot_was_just_taken(env) -> None:
    await booking.reserve(env, CONFIG, 3300, SLOT, "site", NOW)
    slots, dispatcher, _ = await run(act.ActionConfirmBooking(), slots=CONFIRMED, active=False)
    assert texts(dispatcher) == [
        "Ce créneau vient d'être pris par quelqu'un d'autre. Voici les plus proches :"]
    offered = payloads(dispatcher)
    assert 1 <= len(offered) <= 4 and all(p.startswith('/inform{"rdv_creneau":') for p in offered)
    assert f'"{SLOT}"' not in " ".join(offered)
    assert slots == {"rdv_creneau": None, "rdv_validation": None}
    assert await booking.get_booking(env, ME, NOW) is None


async def test_cancel_asks_then_frees_the_slot(env) -> None:
    made = (await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)).booking
    await reminders.schedule(env, made, NOW)
    asked, dispatcher, _ = await run(act.ActionCancelBooking(), "booking_idle.json",
                                     intent="cancel_appointment")
    assert asked == {"rdv_annulation": made.id}
    assert payloads(dispatcher) == [f'/affirm{{"rdv_annulation":"{made.id}"}}', "/deny"]
    kept, dispatcher, _ = await run(act.ActionCancelBookingConfirm(), "booking_idle.json",
                                    intent="deny", slots=asked)
    assert texts(dispatcher) == ["D'accord, rien n'est annulé."] and kept["rdv_annulation"] is None
    assert await booking.get_booking(env, ME, NOW) == made
    done, dispatcher, _ = await run(act.ActionCancelBookingConfirm(), "booking_idle.json",
                                    intent="affirm", slots=asked)
    assert texts(dispatcher)[0].startswith("C'est annulé : votre rendez-vous du jeudi 3 décembre")
    assert done == {"rdv_annulation": None}
    assert await booking.get_booking(env, ME, NOW) is None
    assert await env.zcard(reminders.reminders_key()) == 0
    assert (await booking.reserve(env, CONFIG, 3400, SLOT, "site", NOW)).ok
    # the same button pressed again later
    _, again, _ = await run(act.ActionCancelBookingConfirm(), "booking_idle.json",
                            intent="affirm", slots=asked)
    assert texts(again) == ["Ce rendez-vous n'existe plus : il a déjà été annulé."]


async def test_cancel_with_two_appointments_lists_them(env) -> None:
    await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    await booking.reserve(env, CONFIG, ME, "adv1|2026-12-08T09:00", "site", NOW,
                          allow_second=True)
    asked, dispatcher, _ = await run(act.ActionCancelBooking(), "booking_idle.json")
    assert asked == {"rdv_annulation": None}
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "jeu. 3 déc. 14 h 30", "mar. 8 déc. 9 h", "Aucun"]


async def test_cancel_inside_the_form_only_stops_it(env) -> None:
    made = (await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)).booking
    _, dispatcher, events = await run(act.ActionCancelBooking(), intent="cancel_appointment",
                                      slots={"rdv_a_deplacer": made.id})
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert "reste prévu" in texts(dispatcher)[0]
    assert await booking.get_booking(env, ME, NOW) == made


async def test_no_appointment_to_cancel(env) -> None:
    slots, dispatcher, _ = await run(act.ActionCancelBooking(), "booking_idle.json")
    assert slots == {"rdv_annulation": None}
    assert texts(dispatcher) == ["Vous n'avez pas de rendez-vous prévu."]
    assert payloads(dispatcher) == ["/book_appointment"]


async def test_reschedule_keeps_the_old_one_until_the_new_is_confirmed(env) -> None:
    old = (await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)).booking
    started, dispatcher, _ = await run(act.ActionRescheduleBooking(), "booking_idle.json",
                                       text="décaler mon rdv à mardi 10h",
                                       intent="reschedule_appointment")
    assert started["rdv_a_deplacer"] == old.id and started["rdv_mode"] == "site"
    assert started["rdv_creneau"] == "adv1|2026-12-01T10:00"
    assert "reste réservé" in texts(dispatcher)[0]
    assert await booking.get_booking(env, ME, NOW) == old  # nothing moved yet
    _, summary, _ = await run(act.ActionAskRdvValidation(), slots=started)
    assert "Il remplace celui du jeudi 3 décembre à 14 h 30." in summary.messages[0]["text"]
    await run(act.ActionConfirmBooking(), slots={**started, "rdv_validation": True},
              active=False)
    [moved] = await booking.upcoming(env, ME, NOW)
    assert (moved.id, moved.slot_id, moved.sequence) == (old.id, "adv1|2026-12-01T10:00", 1)
    assert (await booking.reserve(env, CONFIG, 3500, SLOT, "site", NOW)).ok  # old slot free


async def test_show_booking(env) -> None:
    _, empty, _ = await run(act.ActionShowBooking(), "booking_idle.json", intent="show_booking")
    assert texts(empty) == ["Vous n'avez pas de rendez-vous prévu."]
    await booking.reserve(env, CONFIG, ME, SLOT, "telephone", NOW, telephone="0639123456")
    _, shown, _ = await run(act.ActionShowBooking(), "booking_idle.json", intent="show_booking")
    assert "jeudi 3 décembre à 14 h 30, par téléphone, avec Zaïnaba" in texts(shown)[0]
    assert payloads(shown) == ["/reschedule_appointment", "/cancel_appointment"]


async def test_second_appointment_question(env) -> None:
    await booking.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    _, dispatcher, _ = await run(act.ActionAskRdvSecond())
    assert "jeudi 3 décembre à 14 h 30" in texts(dispatcher)[0]
    assert payloads(dispatcher) == ["/affirm", "/deny", "/reschedule_appointment"]
