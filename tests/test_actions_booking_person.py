"""Before a booking is confirmed: the first name (Telegram's offered first),
the commune, the topic from the conversation, a phone number if wanted
(actions/booking_person.py), and the card they give the adviser."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions import booking_form, booking_manage, booking_person
from cnam import handoff
from cnam.keys import person_key
from tests.actions_support import tracker_from_fixture
from tests.booking_actions import ME, SLOT, run, texts, validate

# The time is chosen: the questions about the person come next.
CHOSEN = {"rdv_mode": "site", "rdv_jour": "2026-12-03", "rdv_creneau": SLOT}
TELEGRAM = {"transport": "telegram", "consent": "oui", "minor": False,
            "telegram_first_name": "Houssamie", "telegram_name": "Houssamie Abdou",
            "telegram_username": "houss976"}


async def test_the_telegram_first_name_is_offered(env) -> None:
    _, dispatcher, _ = await run(booking_person.ActionAskRdvPrenom(), metadata=TELEGRAM)
    [message] = dispatcher.messages
    assert message["text"] == "Pour le conseiller : c'est bien Houssamie ?"
    assert [b["payload"] for b in message["buttons"]] == [
        '/inform{"rdv_prenom":"Houssamie"}', '/inform{"rdv_prenom":"autre_prenom"}',
        '/inform{"rdv_prenom":"inconnu"}', "/cancel_appointment"]


async def test_no_means_the_plain_question(env) -> None:
    slots, _ = await validate(slots={**CHOSEN, "requested_slot": "rdv_prenom"}, metadata=TELEGRAM,
                              candidates={"rdv_prenom": "autre_prenom"})
    assert slots["rdv_prenom"] is None and slots["requested_slot"] == "rdv_prenom"
    _, dispatcher, _ = await run(booking_person.ActionAskRdvPrenom(), metadata=TELEGRAM,
                                 text='/inform{"rdv_prenom":"autre_prenom"}')
    assert texts(dispatcher) == ["Quel est votre prénom, pour le conseiller ?"]


async def test_a_full_name_is_the_name_whatever_the_intent(env) -> None:
    slots, dispatcher = await validate(
        slots={**CHOSEN, "requested_slot": "rdv_prenom"}, text="Mariama Abdou", intent="ask_funding",
        candidates={"rdv_prenom": "Mariama Abdou"})
    assert (slots["rdv_prenom"], slots["prenom"]) == ("Mariama Abdou", "Mariama Abdou")
    assert texts(dispatcher) == []


async def test_a_village_gives_its_commune_and_nonsense_is_asked_again(env) -> None:
    slots, _ = await validate(slots={**CHOSEN, "requested_slot": "rdv_commune"}, text="kaweni",
                              candidates={"rdv_commune": "kaweni"})
    assert (slots["rdv_commune"], slots["commune"]) == ("Mamoudzou", "Mamoudzou")
    slots, dispatcher = await validate(slots={**CHOSEN, "requested_slot": "rdv_commune"}, text="paris",
                                       candidates={"rdv_commune": "paris"})
    assert slots["rdv_commune"] is None
    assert texts(dispatcher) == ["Je ne connais pas cette commune. Choisissez-la avec un bouton."]


async def test_the_topic_comes_from_the_conversation(env) -> None:
    events = [
        {"event": "user", "text": "c koi la vae", "parse_data": {"intent": {"name": "ask_vae"}}},
        {"event": "user", "text": "/book_appointment",
         "parse_data": {"intent": {"name": "book_appointment"}}},
    ]
    tracker = tracker_from_fixture("booking_idle.json")
    tracker.events.extend(events)
    started = await booking_form.ActionStartBooking().run(CollectingDispatcher(), tracker, {})
    assert {"event": "slot", "name": "rdv_sujet", "value": "vae", "timestamp": None} in started


async def test_the_number_is_optional_except_by_phone(env) -> None:
    slots, _ = await validate(slots={**CHOSEN, "requested_slot": "rdv_telephone"},
                              entities={"rdv_telephone": "inconnu"},
                              candidates={"rdv_telephone": "inconnu"})
    assert slots["rdv_telephone"] is None and slots["rdv_sans_telephone"] is True
    assert slots["requested_slot"] != "rdv_telephone"
    known = {"prenom": "Zaina", "commune": "Sada", "rdv_sujet": "vae"}
    slots, dispatcher = await validate(
        slots={**CHOSEN, **known, "requested_slot": "rdv_telephone", "rdv_mode": "telephone"},
        candidates={"rdv_telephone": "inconnu"})
    assert slots["rdv_telephone"] is None and slots["requested_slot"] == "rdv_telephone"
    assert texts(dispatcher) == [booking_person.PHONE_NEEDED]
    _, asked, _ = await run(booking_person.ActionAskRdvTelephone(), slots={"rdv_mode": "site"})
    assert asked.messages[0]["custom"]["request_contact"] == "📱 Partager mon numéro"
    assert [b["payload"] for b in asked.messages[1]["buttons"]] == [
        '/inform{"rdv_telephone":"inconnu"}', "/cancel_appointment"]


async def test_the_card_of_a_quick_booking_says_who_and_why(env) -> None:
    slots = {"rdv_mode": "site", "rdv_jour": "2026-12-03", "rdv_creneau": SLOT, "rdv_validation": True,
             "prenom": "Houssamie", "commune": "Sada", "rdv_sujet": "vae"}
    await run(booking_manage.ActionConfirmBooking(), slots=slots, active=False, metadata=TELEGRAM)
    [raw] = (await env.hgetall(person_key("handoff", ME))).values()
    record = handoff.HandoffRecord.parse_raw(raw)
    assert (record.sujet, record.prenom, record.commune) == ("vae", "Houssamie", "Sada")
    assert (record.telegram_name, record.telegram_username) == ("Houssamie Abdou", "houss976")
