"""The booking form's questions and their buttons (actions/booking_questions.py)."""

import json
from datetime import date

from actions import booking_person, booking_questions
from cnam.booking import reservations
from tests.booking_actions import CONFIG, SLOT, payloads, run, texts
from tests.calendar_config import NOW, at

# --- the questions -----------------------------------------------------------

async def test_mode_question_offers_the_configured_modes(env) -> None:
    _, dispatcher, _ = await run(booking_questions.ActionAskRdvMode())
    assert payloads(dispatcher) == [
        '/inform{"rdv_mode":"site"}', '/inform{"rdv_mode":"telephone"}',
        '/inform{"rdv_mode":"video"}', "/cancel_appointment",
    ]


async def test_day_question_shows_at_most_six_free_days(env) -> None:
    _, dispatcher, _ = await run(booking_questions.ActionAskRdvJour(), slots={"rdv_mode": "site"})
    [message] = dispatcher.messages
    assert len(message["buttons"]) == 7  # six days, then "Annuler la demande"
    assert message["buttons"][-1]["payload"] == "/cancel_appointment"
    assert message["buttons"][0] == {"title": "Aujourd'hui",
                                     "payload": '/inform{"rdv_jour":"2026-11-30"}'}
    assert message["buttons"][1]["title"] == "Demain"
    # Friday 4 is closed, the weekend has no on-site adviser
    assert '/inform{"rdv_jour":"2026-12-04"}' not in payloads(dispatcher)
    assert message["buttons"][5]["payload"] == '/inform{"rdv_jour":"2026-12-08"}'


async def test_day_question_centres_on_the_wish(env) -> None:
    wish = f"{at('2026-12-16', '09:00').isoformat()}/{at('2026-12-16', '12:00').isoformat()}"
    _, dispatcher, _ = await run(booking_questions.ActionAskRdvJour(),
                                 slots={"rdv_mode": "site", "rdv_souhait": wish})
    days = [json.loads(p.removeprefix("/inform"))["rdv_jour"] for p in payloads(dispatcher)
            if p.startswith("/inform")]
    assert "2026-12-16" in days and days == sorted(days)
    assert days[0] >= "2026-12-11"


async def test_time_question_shows_eight_times_and_another_day(env) -> None:
    _, dispatcher, _ = await run(booking_questions.ActionAskRdvCreneau(),
                                 slots={"rdv_mode": "telephone", "rdv_jour": "2026-12-07"})
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == 10
    assert buttons[0] == {"title": "8 h", "payload": '/inform{"rdv_creneau":"adv1|2026-12-07T08:00"}'}
    assert buttons[-2] == {"title": "Autre jour", "payload": '/inform{"rdv_jour":"autre"}'}
    assert buttons[-1] == {"title": "Annuler la demande", "payload": "/cancel_appointment"}
    assert "lundi 7 décembre" in dispatcher.messages[0]["text"]


async def test_time_question_puts_the_wished_time_first(env) -> None:
    wish = f"{at('2026-12-07', '15:00').isoformat()}/{at('2026-12-07', '15:00').isoformat()}"
    _, dispatcher, _ = await run(
        booking_questions.ActionAskRdvCreneau(),
        slots={"rdv_mode": "telephone", "rdv_jour": "2026-12-07", "rdv_souhait": wish},
    )
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "15 h" in titles and "16 h 30" in titles and "8 h" not in titles
    assert titles[-2:] == ["Autre jour", "Annuler la demande"]


async def test_time_question_when_the_day_filled_up(env) -> None:
    for n, slot in enumerate(await reservations.free_slots(env, CONFIG, "site", NOW,
                                                      [date(2026, 12, 2)])):
        assert (await reservations.reserve(env, CONFIG, 3000 + n, slot.id, "site", NOW)).ok
    slots, dispatcher, _ = await run(booking_questions.ActionAskRdvCreneau(),
                                     slots={"rdv_mode": "site", "rdv_jour": "2026-12-02"})
    assert texts(dispatcher)[0] == "Il n'y a plus de place libre ce jour-là."
    assert '/inform{"rdv_jour":"2026-12-02"}' not in payloads(dispatcher)
    assert slots == {"rdv_jour": None, "requested_slot": "rdv_jour"}


async def test_phone_question_asks_telegram_for_the_contact(env) -> None:
    _, dispatcher, _ = await run(booking_person.ActionAskRdvTelephone(), slots={"rdv_mode": "telephone"})
    [message] = dispatcher.messages
    assert message["custom"]["request_contact"] == "📱 Partager mon numéro"
    assert "0639 12 34 56" in message["custom"]["text"]
    assert message["text"] is None  # else Rasa sends the text apart, without the key


async def test_summary_before_confirming(env) -> None:
    _, dispatcher, _ = await run(booking_questions.ActionAskRdvValidation(), slots={
        "rdv_mode": "telephone", "rdv_creneau": SLOT, "rdv_telephone": "+262639123456"})
    [message] = dispatcher.messages
    assert "par téléphone, jeudi 3 décembre à 14 h 30, heure de Mayotte" in message["text"]
    assert "0639 12 34 56" in message["text"] and len(message["text"]) <= 350
    assert payloads(dispatcher) == ["/affirm", "/deny", "/cancel_appointment"]


