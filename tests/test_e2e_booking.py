"""A person books an appointment; the card reaches the advisers' group, an
adviser takes it, they talk live, /fin hands the person back to the assistant."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from bot.adviser_group import CLAIMED_NOTICE
from tests.e2e import ADVISER, ADVISERS_GROUP, LiveBot, button_titles, said, texts

pytestmark = pytest.mark.stack


async def test_booking_then_card_claimed_relay_and_fin(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    person = live_bot.person(630001)
    posted = len(fake.messages(ADVISERS_GROUP))  # other tests' cards may name a Nadia too
    await person.start_with_consent("/start")
    await person.press("Trouver une formation")
    await person.say("Nadia")
    await person.press("18 à 25 ans")
    await person.press("Je cherche un emploi")
    await person.press("Le bac (pro, techno, général)")
    await person.press("Commerce, vente")
    await person.press("Chirongui")
    await person.press("Peu importe")
    await person.press("En journée")

    modes = await person.press("Prendre rendez-vous")
    assert "Sur place au CNAM" in button_titles(modes[-1]), texts(modes)
    days = await person.press("Sur place au CNAM")
    first_day = button_titles(days[-1])[0]
    slots = await person.press(first_day)
    first_slot = button_titles(slots[-1])[0]
    # The profile said the name, the commune and the topic: only the number is offered.
    offered = await person.press(first_slot)
    assert texts(offered)[-1] == "C'est facultatif.", texts(offered)
    summary = await person.press("Non merci, sans numéro")
    assert "Confirmer" in button_titles(summary[-1]), texts(summary)
    confirmed = await person.press("Confirmer")
    written = " ".join(texts(confirmed))
    assert "heure de Mayotte" in written, texts(confirmed)
    [ics] = [m["document"] for m in confirmed if m.get("document", {}).get("file_name", "").endswith(".ics")]
    event = Calendar.from_ical(fake.files[ics["file_id"]]).walk("VEVENT")[0]
    assert "CNAM" in str(event["SUMMARY"])

    def cards() -> list[dict]:
        return [m for m in fake.messages(ADVISERS_GROUP)[posted:] if "Nadia" in (m.get("text") or "")]

    await fake.wait_for(lambda: bool(cards()), 30)
    card = cards()[0]
    assert "Chirongui" in card["text"] and "Je prends" in button_titles(card)

    fake.press_button(ADVISERS_GROUP, card["message_id"], "Je prends", user_id=ADVISER)
    notice = await person.replies()
    assert texts(notice) == [CLAIMED_NOTICE]
    await fake.wait_for(lambda: "Pris en charge" in card["text"], 15)

    fake.reply_in_group(ADVISERS_GROUP, card["message_id"], "Bonjour Nadia, avez-vous un CV ?", user_id=ADVISER)
    relayed = await person.replies()
    assert texts(relayed) == ["Conseiller CNAM : Bonjour Nadia, avez-vous un CV ?"]

    before = len(fake.messages(ADVISERS_GROUP))
    person.fake.send_text(person.chat_id, "ewa g un cv")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > before, 15)
    assert "ewa g un cv" in fake.messages(ADVISERS_GROUP)[-1]["text"]

    fake.reply_in_group(ADVISERS_GROUP, card["message_id"], "/fin", user_id=ADVISER)
    back = await person.replies()
    assert texts(back) == ["Vous reparlez avec l'assistant automatique."]
    answer = await person.say("c quoi le cnam")
    assert said(answer, "utter_ask_cnam", "utter_ask_cnam_more"), texts(answer)
