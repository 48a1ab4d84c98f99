"""How the booking form understands each answer (actions/booking_form.py)."""


import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import booking_form, booking_manage, booking_questions
from cnam import clock
from cnam.booking import reservations
from tests.booking_actions import CONFIG, DOMAIN, ME, SLOT, make_tracker, run, texts, validate
from tests.calendar_config import NOW, at

# What the conversation already told: no question about the person is left
# but the topic.
KNOWN = {"prenom": "Zaina", "commune": "Koungou", "rdv_sans_telephone": True}

# --- validation ---------------------------------------------------------------

async def test_required_slots_follow_the_mode_and_existing_appointments(env) -> None:
    form = booking_form.ValidateBookingForm()
    dispatcher = CollectingDispatcher()
    site = make_tracker("booking_form_step.json", slots={"rdv_mode": "site"})
    known = make_tracker("booking_form_step.json", slots={"rdv_mode": "site", **KNOWN})
    phone = make_tracker("booking_form_step.json", slots={"rdv_mode": "telephone", **KNOWN})
    # Unknown person: who it is for and why are asked, a number is offered.
    assert await form.required_slots([], dispatcher, site, DOMAIN) == [
        "rdv_mode", "rdv_jour", "rdv_creneau", "rdv_prenom", "rdv_commune", "rdv_sujet",
        "rdv_telephone", "rdv_validation"]
    assert await form.required_slots([], dispatcher, known, DOMAIN) == [
        "rdv_mode", "rdv_jour", "rdv_creneau", "rdv_sujet", "rdv_validation"]
    # By phone the number is needed, even from someone who declined it before.
    assert "rdv_telephone" in await form.required_slots([], dispatcher, phone, DOMAIN)
    await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    assert (await form.required_slots([], dispatcher, site, DOMAIN))[0] == "rdv_second"
    moving = make_tracker("booking_form_step.json", slots={"rdv_a_deplacer": "x"})
    assert "rdv_second" not in await form.required_slots([], dispatcher, moving, DOMAIN)


async def test_no_second_appointment_ends_the_form(env) -> None:
    await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    slots, _ = await validate(slots={"requested_slot": "rdv_second", "rdv_mode": None},
                              intent="deny", candidates={"rdv_second": False})
    assert slots == {"rdv_second": False, "requested_slot": None}
    done, dispatcher, _ = await run(booking_manage.ActionConfirmBooking(), slots={"rdv_second": False})
    assert "reste prévu" in texts(dispatcher)[0]
    assert len(await reservations.upcoming(env, ME, NOW)) == 1
    assert done["rdv_second"] is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("jeudi prochain vers 10h", {"rdv_jour": "2026-12-03", "rdv_creneau": None}),
    ("jeudi 10h", {"rdv_jour": "2026-12-03", "rdv_creneau": "adv1|2026-12-03T10:00"}),
    ("demain aprem", {"rdv_jour": "2026-12-01", "rdv_creneau": None}),
    ("lundi matin", {"rdv_jour": "2026-12-07", "rdv_creneau": None}),
])
async def test_free_text_day_is_read(env, typed, expected) -> None:
    slots, dispatcher = await validate(text=typed, candidates={"rdv_jour": typed}, slots=KNOWN)
    assert {k: slots[k] for k in expected} == expected
    assert slots["requested_slot"] == ("rdv_sujet" if expected["rdv_creneau"]
                                       else "rdv_creneau")
    assert texts(dispatcher) == []


async def test_wished_time_taken_offers_the_nearest(env) -> None:
    await reservations.reserve(env, CONFIG, 3100, "adv1|2026-12-03T10:00", "site", NOW)
    slots, dispatcher = await validate(text="jeudi 10h", candidates={"rdv_jour": "jeudi 10h"})
    assert slots["rdv_jour"] == "2026-12-03" and slots["rdv_creneau"] is None
    assert texts(dispatcher) == ["10 h n'est pas libre ce jour-là : voici les heures proches."]
    _, asked, _ = await run(booking_questions.ActionAskRdvCreneau(), slots=slots)
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
    slots, _ = await validate(slots={"requested_slot": "rdv_creneau", "rdv_jour": "2026-12-01",
                                     **KNOWN, "rdv_sujet": "vae"},
                              entities={"rdv_creneau": SLOT}, candidates={"rdv_creneau": SLOT})
    assert (slots["rdv_creneau"], slots["rdv_jour"]) == (SLOT, "2026-12-03")
    assert slots["requested_slot"] == "rdv_validation"


async def test_slot_taken_meanwhile_is_explained(env) -> None:
    await reservations.reserve(env, CONFIG, 3200, SLOT, "site", NOW)
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
    started, _, _ = await run(booking_form.ActionStartBooking(), "booking_idle.json",
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


