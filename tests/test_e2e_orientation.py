"""From "bjr" to recommendations, through the real bot, Rasa, actions and Redis."""

from __future__ import annotations

import re

import pytest

from bot import consent
from tests.e2e import LiveBot, button_titles, response, said, texts

pytestmark = pytest.mark.stack


async def test_bjr_gets_a_french_greeting_with_buttons(live_bot: LiveBot) -> None:
    person = live_bot.person(610001)
    greeting = await person.start_with_consent("bjr")
    assert texts(greeting)[0] == consent.ACCEPTED.text
    assert said(greeting[1:], "utter_greet"), texts(greeting)
    assert button_titles(greeting[-1]) == [
        "Trouver une formation", "Poser une question", "Prendre rendez-vous", "Parler à un conseiller"]


def cards(messages: list[dict]) -> list[str]:
    """The offers recommended: each numbered line of the list with its reason (their
    cards open from it: test_e2e_messages)."""
    return [block for t in texts(messages) for block in re.findall(r"^\d\. .*(?:\n   👉 .*)?", t, re.M)]


async def test_job_seeker_from_koungou_wanting_btp(live_bot: LiveBot) -> None:
    person = live_bot.person(610002)
    await person.start_with_consent("slt")
    await person.press("Trouver une formation")
    await person.say("Anli")
    await person.press("18 à 25 ans")
    await person.say("chui au chomage a koungou g le bac pro")
    await person.press("BTP, construction")
    await person.press("En alternance (école + entreprise)")
    final = await person.press("En journée")
    shown = cards(final)
    assert len(shown) == 3, texts(final)
    assert "DEUST" in shown[0] and "BTP" in shown[0]
    assert "Prendre rendez-vous" in button_titles(final[-1])


async def test_rectorat_agent_wanting_management_in_the_evening(live_bot: LiveBot) -> None:
    person = live_bot.person(610003)
    first = await person.start_with_consent("Bonjour, je souhaiterais trouver une formation")
    assert "prénom" in texts(first)[-1], texts(first)  # the first message itself started the profile
    await person.say("Je m'appelle Zaina")
    await person.say("j'ai 42 ans")
    await person.press("Agent du rectorat")
    await person.press("Bac+2 (BTS, DUT, DEUST)")
    await person.press("Management")
    await person.press("Mamoudzou")
    final = await person.press("Le soir ou le week-end")
    shown = cards(final)
    assert len(shown) == 3, texts(final)
    assert "rectorat" in shown[0].lower() or "management" in shown[0].lower(), shown
    assert texts(final)[-1].startswith("Voici les formations qui vous correspondent le mieux, Zaina :")


async def test_dropout_without_bac_who_does_not_know(live_bot: LiveBot) -> None:
    person = live_bot.person(610004)
    await person.start_with_consent("jéjé")
    await person.press("Trouver une formation")
    await person.press("Je préfère ne pas le dire")
    await person.say("19")
    await person.press("J'ai arrêté mes études")
    await person.press("Pas le bac")
    discovery = await person.press("Je ne sais pas encore")
    assert "Les ordinateurs" in " ".join(button_titles(discovery[-1])), texts(discovery)
    await person.press("💻 Les ordinateurs")
    await person.press("🛡️ Protéger, sécuriser")
    await person.press("Dembéni")
    await person.press("À distance")
    final = await person.press("En journée")
    written = texts(final)
    assert set(response("utter_no_bac_routes")) & set(written), written
    shown = cards(final)
    assert shown, written
    assert any("informati" in t.lower() or "numérique" in t.lower() for t in shown), shown


@pytest.mark.parametrize("name", ["Naïma", "Mariama Abdou", "Soifiat"])
async def test_a_first_name_the_model_does_not_know_is_taken(live_bot: LiveBot, name: str) -> None:
    """Names read as out of scope or low confidence still answer the name question."""
    person = live_bot.person(610100 + len(name))
    await person.start_with_consent("slt")
    await person.press("Trouver une formation")
    answer = await person.say(name)
    assert f"Enchanté, {name} !" in texts(answer), texts(answer)
    assert "âge" in texts(answer)[-1], texts(answer)
