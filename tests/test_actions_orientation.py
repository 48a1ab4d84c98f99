"""Funding answers and recommendations from recorded trackers."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.orientation import ActionAnswerFunding, ActionMoreOffers, ActionRecommend
from tests.actions_support import DOMAIN, texts, tracker_from_fixture

FIXTURE = "tracker_profile_niveau.json"


async def test_funding_for_a_job_seeker_names_france_travail() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerFunding().run(dispatcher, tracker_from_fixture(FIXTURE), DOMAIN)
    said = " ".join(texts(dispatcher))
    assert "France Travail" in said and "pas de forfait" in said
    assert dispatcher.messages[-1].get("response") != "utter_funding_depends"


async def test_funding_without_situation_asks_it() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerFunding().run(dispatcher, tracker_from_fixture(FIXTURE, situation=None), DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_funding_depends"


async def test_recommendations_for_a_job_seeker_in_btp(redis) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_fixture(FIXTURE, niveau="bac", domaine=["btp"], commune="Koungou",
                                   modalite="alternance", disponibilite="journee")
    events = await ActionRecommend().run(dispatcher, tracker, DOMAIN)
    shown = events[0]["value"]
    assert len(shown) == 3 and shown[0].startswith("deust")
    cards = [m["text"] for m in dispatcher.messages if (m.get("text") or "").startswith("📚")]
    assert len(cards) == 3 and all(len(card) <= 350 for card in cards)
    assert "Anli" in dispatcher.messages[0]["text"]
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == [
        "/more_offers", "/other_field", "/book_appointment"]

    more = CollectingDispatcher()
    events = await ActionMoreOffers().run(more, tracker_from_fixture(
        FIXTURE, niveau="bac", domaine=["btp"], offres_vues=shown), DOMAIN)
    assert not set(events[0]["value"][3:]) & set(shown) and len(events[0]["value"]) > 3


async def test_under_16_gets_orientation_and_profile_forgotten(redis) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await ActionRecommend().run(dispatcher, tracker_from_fixture(FIXTURE, tranche_age="moins_16"), DOMAIN)
    assert "Mission locale" in texts(dispatcher)[0]
    assert {e["name"] for e in events} >= {"prenom", "situation"} and all(e["value"] is None for e in events)


async def test_medicine_wish_is_answered_kindly_with_neighbours(redis) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    await ActionRecommend().run(dispatcher, tracker_from_fixture(FIXTURE, domaine=["medecine"], niveau="bac"), DOMAIN)
    assert "ne forme pas à la médecine" in texts(dispatcher)[0]


async def test_no_bac_lists_access_routes(redis) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    await ActionRecommend().run(dispatcher, tracker_from_fixture(FIXTURE, niveau="sans_bac", domaine=["btp"]), DOMAIN)
    said = texts(dispatcher)
    assert said[0] == "utter_no_bac_routes" and any("VAPP" in t for t in said)
