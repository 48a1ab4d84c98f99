"""A first message answered after consent, then a booking straight from that
answer: the bot asks who the appointment is for (the Telegram first name
offered), and the adviser's card says who and why (issue 13, items 1 and 4)."""

from __future__ import annotations

import pytest

from bot import consent
from tests.e2e import ADVISERS_GROUP, LiveBot, Person, button_titles, said, texts

pytestmark = pytest.mark.stack


async def card_once_confirmed(live_bot: LiveBot, person: Person) -> list[str]:
    """Press "Confirmer" on the summary; the lines of the card the advisers get."""
    fake = live_bot.fake
    before = len(fake.messages(ADVISERS_GROUP))
    await person.press("Confirmer")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > before, 30)
    [card] = fake.messages(ADVISERS_GROUP)[before:]
    return card["text"].splitlines()


async def test_a_vae_question_then_an_appointment_gives_a_full_card(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    person = live_bot.person(670001)
    fake.profiles[person.chat_id] = {
        "first_name": "Houssamie", "last_name": "Abdou", "username": "houss976",
    }
    prompt = await person.say("slt c koi la vae ?")
    assert texts(prompt) == [m.text for m in consent.consent_prompt()]
    accepted = await person.press("J'accepte")
    # The first message gets its answer right after the consent.
    assert texts(accepted)[0] == consent.ACCEPTED.text
    assert said(accepted[1:], "utter_ask_vae"), texts(accepted)

    await person.press("En parler à un conseiller")
    days = await person.press("Sur place au CNAM")
    times = await person.press(button_titles(days[-1])[0])
    asked_name = await person.press(button_titles(times[-1])[0])
    assert texts(asked_name) == ["Pour le conseiller : c'est bien Houssamie ?"]
    asked_commune = await person.press("Oui")
    assert said(asked_commune, "utter_ask_commune"), texts(asked_commune)
    # The topic is known from the conversation (VAE): next comes the optional number.
    offered = await person.say("chui a kaweni")
    assert texts(offered) == [
        "Voulez-vous laisser votre numéro au conseiller, au cas où ? Appuyez sur "
        "« Partager mon numéro », ou écrivez-le.",
        "C'est facultatif.",
    ]
    assert fake.markup_sent_with(offered[0])["keyboard"][0][0]["request_contact"] is True
    summary = await person.press("Non merci, sans numéro")
    assert button_titles(summary[-1]) == ["Confirmer", "Changer", "Annuler la demande"], texts(summary)

    card = await card_once_confirmed(live_bot, person)
    for line in ("Motif : Question VAE, rendez-vous demandé", "Telegram : Houssamie Abdou (@houss976)",
                 "Prénom : Houssamie", "Commune : Mamoudzou"):
        assert line in card, "\n".join(card)


async def test_another_name_a_topic_and_the_number_in_one_tap(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    person = live_bot.person(670002)
    fake.profiles[person.chat_id] = {"first_name": "Mama"}
    await person.start_with_consent("bonjour")
    await person.say("je veux un rdv")
    days = await person.press("Par téléphone")
    times = await person.press(button_titles(days[-1])[0])
    offered = await person.press(button_titles(times[-1])[0])
    assert texts(offered) == ["Pour le conseiller : c'est bien Mama ?"]
    plain = await person.press("Non, un autre prénom")
    assert texts(plain) == ["Quel est votre prénom, pour le conseiller ?"]
    asked = await person.say("Mariama Abdou")  # a full name, whatever the NLU reads in it
    assert said(asked, "utter_ask_commune"), texts(asked)
    topics = await person.press("Sada")
    assert texts(topics) == ["C'est à quel sujet ? Le conseiller préparera le rendez-vous."]
    number = await person.press("Question de financement")
    assert fake.markup_sent_with(number[-1])["keyboard"][0][0]["request_contact"] is True
    fake.send_contact(person.chat_id, "+262 639 12 34 56")
    summary = await person.replies()
    assert "0639 12 34 56" in texts(summary)[-1], texts(summary)

    card = await card_once_confirmed(live_bot, person)
    for line in ("Motif : Question de financement, rendez-vous demandé", "Telegram : Mama",
                 "Prénom : Mariama Abdou", "Commune : Sada"):
        assert line in card, "\n".join(card)
