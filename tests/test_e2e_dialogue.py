"""No dead ends (issue 13), through the real bot, Rasa, actions and Redis: wishes
the CNAM does not teach explained wherever they come, a way out of the offers,
a full name taken as the name, digressions answered inside the form."""

from __future__ import annotations

import pytest

from actions.orientation import MORE_INTRO
from bot import consent
from cnam.orientation.cards import format_list, format_recommendation
from cnam.orientation.catalog import get_catalog
from cnam.orientation.funding import routes_for
from cnam.orientation.profile import Profile
from cnam.orientation.ranking import recommend
from cnam.orientation.ways_in import neighbour_domains
from tests.e2e import LiveBot, Person, button_titles, response, said, texts

pytestmark = pytest.mark.stack

MEDECINE = neighbour_domains("medecine").message  # type: ignore[union-attr]
PILOTAGE = neighbour_domains("pilotage").message  # type: ignore[union-attr]
# What the person below answers, by buttons.
ANSWERS = {"tranche_age": "18 à 25 ans", "situation": "Je cherche un emploi",
           "niveau": "Le bac (pro, techno, général)"}


async def until_asked(person: Person, slot: str, name: str = "Anli") -> None:
    """From the first message to the question of ``slot``, by buttons."""
    await person.start_with_consent("slt")
    await person.press("Trouver une formation")
    answer = await person.say(name)
    for asked, title in ANSWERS.items():
        if asked == slot:
            break
        answer = await person.press(title)
    assert said(answer[-1:], f"utter_ask_{slot}"), texts(answer)


def offers_messages(profile: Profile, name: str) -> list[str]:
    """The offers, one message: a line each (their cards open from it, ``cards_of``)."""
    intro = f"Voici les formations qui vous correspondent le mieux, {name} :"
    return [format_list(intro, recommend(profile, get_catalog()))]


async def cards_of(person: Person, count: int) -> list[str]:
    """Each offer's card, opened in place by its "Détails" button, then "Retour"."""
    cards = []
    for n in range(1, count + 1):
        [card] = await person.press(f"Détails {n}")
        cards.append(card["text"])
        await person.press("Retour")
    return cards


async def test_pilot_wish_as_the_field_is_explained_then_neighbours_offered(live_bot: LiveBot) -> None:
    person = live_bot.person(613001)
    await until_asked(person, "domaine")
    wish = await person.say("je veu devenir pilot")
    assert texts(wish) == [PILOTAGE, response("utter_ask_commune")[0]]
    await person.press("Koungou")
    await person.press("Peu importe")
    offers = await person.press("En journée")
    profile = Profile(prenom="Anli", tranche_age="18_25", situation="demandeur_emploi", niveau="bac",
                      domaines=["pilotage"], commune="Koungou", modalite="indifferent", disponibilite="journee")
    assert texts(offers) == offers_messages(profile, "Anli")
    cards = await cards_of(person, 3)
    assert cards == [format_recommendation(rec, explain_rncp=index == 0)
                     for index, rec in enumerate(recommend(profile, get_catalog()))]
    assert all("proche du pilotage d'avion" in card for card in cards)
    assert button_titles(offers[-1]) == ["Détails 1", "Détails 2", "Détails 3", "Voir plus", "Autre domaine",
                                         "Prendre rendez-vous", "C'est tout, merci"]


async def test_medicine_wish_as_the_very_first_message_is_explained_after_consent(live_bot: LiveBot) -> None:
    person = live_bot.person(613002)
    answer = await person.start_with_consent("jveu etre medecin")
    assert texts(answer) == [consent.ACCEPTED.text, MEDECINE, response("utter_ask_prenom")[0]]


async def test_medicine_wish_after_a_refusal_is_explained_without_keeping_anything(live_bot: LiveBot) -> None:
    person = live_bot.person(613005)
    await person.say("bjr")
    await person.press("Je refuse")
    answer = await person.say("je voudrais faire medecine")
    assert texts(answer) == [MEDECINE, response("utter_needs_consent")[0]]


async def test_pilot_question_when_asked_the_age_is_answered_then_the_age_asked(live_bot: LiveBot) -> None:
    person = live_bot.person(613003)
    await until_asked(person, "tranche_age")
    answer = await person.say("vous proposez pilote de ligne ?")
    assert texts(answer) == [PILOTAGE, response("utter_ask_tranche_age")[0]]
    assert said(await person.press("18 à 25 ans"), "utter_ask_situation")


async def test_a_wish_typed_for_the_first_name_is_answered_then_the_name_asked(live_bot: LiveBot) -> None:
    person = live_bot.person(613004)
    await person.start_with_consent("slt")
    await person.press("Trouver une formation")
    answer = await person.say("moi je ve etre pilote de ligne")
    assert texts(answer) == [PILOTAGE, response("utter_ask_prenom")[0]]
    named = await person.say("Nassim")
    assert texts(named) == ["Enchanté, Nassim !", response("utter_ask_tranche_age")[0]]


@pytest.mark.parametrize(("chat", "name"), [(613011, "Mariama Abdou"), (613012, "Houssamie Madi"),
                                            (613013, "Anli Saïd")])
async def test_a_full_name_is_taken_as_the_name(live_bot: LiveBot, chat: int, name: str) -> None:
    """Full names the NLU reads as out of scope, a fact, or not at all: still the name."""
    person = live_bot.person(chat)
    await person.start_with_consent("slt")
    await person.press("Trouver une formation")
    answer = await person.say(name)
    assert texts(answer) == [f"Enchanté, {name} !", response("utter_ask_tranche_age")[0]]


async def test_funding_question_when_asked_the_age_is_answered_then_the_age_asked(live_bot: LiveBot) -> None:
    person = live_bot.person(613021)
    await until_asked(person, "tranche_age")
    answer = await person.say("c payant la formation ?")
    routes = [f"💶 {r.label} : {r.explication}" for r in routes_for(Profile(prenom="Anli"))]
    assert texts(answer) == [response("utter_funding_intro")[0], *routes, response("utter_funding_depends")[0],
                             response("utter_ask_tranche_age")[0]]


async def test_asking_for_a_person_inside_the_form_is_honoured_and_the_form_resumes(live_bot: LiveBot) -> None:
    person = live_bot.person(613022)
    await until_asked(person, "situation")
    answer = await person.say("je veu parler a un conseiller svp")
    assert said(answer, "utter_handoff_done", "utter_ask_situation"), texts(answer)
    assert said(await person.press("Je cherche un emploi"), "utter_ask_niveau")


async def test_dont_know_by_button_and_in_words(live_bot: LiveBot) -> None:
    person = live_bot.person(613023)
    await until_asked(person, "niveau")
    assert said(await person.say("jsp"), "utter_ask_domaine")
    await person.press("Informatique")
    assert said(await person.press("Je préfère ne pas le dire"), "utter_ask_modalite")


async def finish_profile(person: Person) -> list[dict]:
    """From the field question to the offers: BTP, Koungou, alternance, in the day."""
    await person.press("BTP, construction")
    await person.press("Koungou")
    await person.press("En alternance (école + entreprise)")
    return await person.press("En journée")


async def test_voir_plus_stops_when_nothing_left_fits_and_offers_an_adviser(live_bot: LiveBot) -> None:
    person = live_bot.person(613031)
    await until_asked(person, "domaine")
    shown = await finish_profile(person)
    profile = Profile(prenom="Anli", tranche_age="18_25", situation="demandeur_emploi", niveau="bac",
                      domaines=["btp"], commune="Koungou", modalite="alternance", disponibilite="journee")
    assert texts(shown) == offers_messages(profile, "Anli")
    seen = {rec.offer.id for rec in recommend(profile, get_catalog())}
    while "Voir plus" in button_titles(shown[-1]):
        shown = await person.press("Voir plus")
        more = recommend(profile, get_catalog(), exclude=seen, only_fitting=True)
        seen |= {rec.offer.id for rec in more}
        assert texts(shown)[0] == format_list(MORE_INTRO, more)
        assert len(seen) < 20
    assert said(shown[-1:], "utter_no_more_offers"), texts(shown)
    assert button_titles(shown[-1]) == ["Parler à un conseiller", "Prendre rendez-vous", "Autre domaine",
                                          "C'est tout, merci"]
    assert said(await person.press("Parler à un conseiller"), "utter_handoff_done")
    assert said(await person.press("C'est tout, merci"), "utter_goodbye")


async def test_cest_tout_merci_closes_warmly(live_bot: LiveBot) -> None:
    person = live_bot.person(613032)
    await until_asked(person, "domaine")
    await finish_profile(person)
    closing = await person.press("C'est tout, merci")
    assert said(closing, "utter_goodbye")
    assert "conseiller" in texts(closing)[0] and "bonjour" in texts(closing)[0]


async def test_non_merci_after_the_offers_closes(live_bot: LiveBot) -> None:
    person = live_bot.person(613033)
    await until_asked(person, "domaine")
    await finish_profile(person)
    assert said(await person.say("non merci"), "utter_goodbye")
