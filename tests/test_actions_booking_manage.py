"""Reserving, cancelling, moving and showing appointments (actions/booking_manage.py)."""

import base64

from icalendar import Calendar

from actions import booking_manage, booking_questions
from cnam.booking import reminders, reservations
from tests.booking_actions import CONFIG, ME, SLOT, payloads, run, texts
from tests.calendar_config import NOW, at

# --- confirmation, cancel, move, /rdv ------------------------------------------

CONFIRMED = {"rdv_mode": "site", "rdv_jour": "2026-12-03", "rdv_creneau": SLOT,
             "rdv_validation": True, "requested_slot": None}


async def test_confirmation_reserves_and_sends_the_ics(env) -> None:
    slots, dispatcher, _ = await run(booking_manage.ActionConfirmBooking(), slots=CONFIRMED, active=False)
    made = await reservations.get_booking(env, ME, NOW)
    assert made is not None and made.slot_id == SLOT
    said = texts(dispatcher)
    assert said[0] == ("C'est confirmé : rendez-vous sur place au CNAM le jeudi 3 décembre à "
                       "14 h 30, heure de Mayotte, avec Zaïnaba.")
    assert "CNAM Mayotte, Mamoudzou (Kawéni)" in said[1]
    assert "à confirmer" not in " ".join(said)  # the internal note never reaches the person
    assert "une pièce d'identité" in said[2] and "/rdv" in said[3]
    assert all(len(t) <= 350 for t in said)
    [document] = [m["custom"]["document"] for m in dispatcher.messages if m.get("custom")]
    assert document["filename"] == "rendez-vous-cnam.ics"
    [event] = Calendar.from_ical(base64.b64decode(document["content_b64"])).walk("VEVENT")
    assert event.decoded("DTSTART") == at("2026-12-03", "14:30")
    assert slots["rdv_confirme"] == made.id and slots["rdv_creneau"] is None
    assert await env.zcard(reminders.reminders_key()) == 2


async def test_confirmation_when_the_slot_was_just_taken(env) -> None:
    await reservations.reserve(env, CONFIG, 3300, SLOT, "site", NOW)
    slots, dispatcher, _ = await run(booking_manage.ActionConfirmBooking(), slots=CONFIRMED, active=False)
    assert texts(dispatcher) == [
        "Ce créneau vient d'être pris par quelqu'un d'autre. Voici les plus proches :"]
    *offered, done = payloads(dispatcher)
    assert 1 <= len(offered) <= 4 and all(p.startswith('/inform{"rdv_creneau":') for p in offered)
    assert done == "/goodbye"
    assert f'"{SLOT}"' not in " ".join(offered)
    assert slots == {"rdv_creneau": None, "rdv_validation": None}
    assert await reservations.get_booking(env, ME, NOW) is None


async def test_cancel_asks_then_frees_the_slot(env) -> None:
    made = (await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)).booking
    await reminders.schedule(env, made, NOW)
    asked, dispatcher, _ = await run(booking_manage.ActionCancelBooking(), "booking_idle.json",
                                     intent="cancel_appointment")
    assert asked == {"rdv_annulation": made.id}
    assert payloads(dispatcher) == [f'/affirm{{"rdv_annulation":"{made.id}"}}', "/deny"]
    kept, dispatcher, _ = await run(booking_manage.ActionCancelBookingConfirm(), "booking_idle.json",
                                    intent="deny", slots=asked)
    assert texts(dispatcher) == ["D'accord, rien n'est annulé."] and kept["rdv_annulation"] is None
    assert await reservations.get_booking(env, ME, NOW) == made
    done, dispatcher, _ = await run(booking_manage.ActionCancelBookingConfirm(), "booking_idle.json",
                                    intent="affirm", slots=asked)
    assert texts(dispatcher)[0].startswith("C'est annulé : votre rendez-vous du jeudi 3 décembre")
    assert done == {"rdv_annulation": None}
    assert await reservations.get_booking(env, ME, NOW) is None
    assert await env.zcard(reminders.reminders_key()) == 0
    assert (await reservations.reserve(env, CONFIG, 3400, SLOT, "site", NOW)).ok
    # the same button pressed again later
    _, again, _ = await run(booking_manage.ActionCancelBookingConfirm(), "booking_idle.json",
                            intent="affirm", slots=asked)
    assert texts(again) == ["Ce rendez-vous n'existe plus : il a déjà été annulé."]


async def test_cancel_with_two_appointments_lists_them(env) -> None:
    await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    await reservations.reserve(env, CONFIG, ME, "adv1|2026-12-08T09:00", "site", NOW,
                          allow_second=True)
    asked, dispatcher, _ = await run(booking_manage.ActionCancelBooking(), "booking_idle.json")
    assert asked == {"rdv_annulation": None}
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "jeu. 3 déc. 14 h 30", "mar. 8 déc. 9 h", "Aucun"]


async def test_cancel_inside_the_form_only_stops_it(env) -> None:
    made = (await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)).booking
    _, dispatcher, events = await run(booking_manage.ActionCancelBooking(), intent="cancel_appointment",
                                      slots={"rdv_a_deplacer": made.id})
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert "reste prévu" in texts(dispatcher)[0]
    assert await reservations.get_booking(env, ME, NOW) == made


async def test_no_appointment_to_cancel(env) -> None:
    slots, dispatcher, _ = await run(booking_manage.ActionCancelBooking(), "booking_idle.json")
    assert slots == {"rdv_annulation": None}
    assert texts(dispatcher) == ["Vous n'avez pas de rendez-vous prévu."]
    assert payloads(dispatcher) == ["/book_appointment", "/goodbye"]


async def test_reschedule_keeps_the_old_one_until_the_new_is_confirmed(env) -> None:
    old = (await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)).booking
    started, dispatcher, _ = await run(booking_manage.ActionRescheduleBooking(), "booking_idle.json",
                                       text="décaler mon rdv à mardi 10h",
                                       intent="reschedule_appointment")
    assert started["rdv_a_deplacer"] == old.id and started["rdv_mode"] == "site"
    assert started["rdv_creneau"] == "adv1|2026-12-01T10:00"
    assert "reste réservé" in texts(dispatcher)[0]
    assert await reservations.get_booking(env, ME, NOW) == old  # nothing moved yet
    _, summary, _ = await run(booking_questions.ActionAskRdvValidation(), slots=started)
    assert "Il remplace celui du jeudi 3 décembre à 14 h 30." in summary.messages[0]["text"]
    await run(booking_manage.ActionConfirmBooking(), slots={**started, "rdv_validation": True},
              active=False)
    [moved] = await reservations.upcoming(env, ME, NOW)
    assert (moved.id, moved.slot_id, moved.sequence) == (old.id, "adv1|2026-12-01T10:00", 1)
    assert (await reservations.reserve(env, CONFIG, 3500, SLOT, "site", NOW)).ok  # old slot free


async def test_show_booking(env) -> None:
    _, empty, _ = await run(booking_manage.ActionShowBooking(), "booking_idle.json", intent="show_booking")
    assert texts(empty) == ["Vous n'avez pas de rendez-vous prévu."]
    await reservations.reserve(env, CONFIG, ME, SLOT, "telephone", NOW, telephone="0639123456")
    _, shown, _ = await run(booking_manage.ActionShowBooking(), "booking_idle.json", intent="show_booking")
    assert "jeudi 3 décembre à 14 h 30, par téléphone, avec Zaïnaba" in texts(shown)[0]
    assert payloads(shown) == ["/reschedule_appointment", "/cancel_appointment", "/goodbye"]


async def test_second_appointment_question(env) -> None:
    await reservations.reserve(env, CONFIG, ME, SLOT, "site", NOW)
    _, dispatcher, _ = await run(booking_questions.ActionAskRdvSecond())
    assert "jeudi 3 décembre à 14 h 30" in texts(dispatcher)[0]
    assert payloads(dispatcher) == ["/affirm", "/deny", "/reschedule_appointment"]
