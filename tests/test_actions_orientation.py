"""Funding answers and recommendations from recorded trackers."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.orientation import ActionAnswerFunding, ActionMoreOffers, ActionRecommend
from cnam.orientation.ways_in import neighbour_domains
from tests.actions_support import DOMAIN, REFUSED, cards, texts, tracker_from_fixture

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
    # One message: the three offers listed, each card behind its "Détails" button.
    [listed] = [m["custom"] for m in dispatcher.messages]
    shown_cards = cards(dispatcher)
    assert len(shown_cards) == 3 and all(c.startswith("📚") and len(c) <= 350 for c in shown_cards)
    assert [d["title"] for d in listed["details"]] == ["Détails 1", "Détails 2", "Détails 3"]
    assert "Anli" in listed["text"] and len(listed["text"]) <= 350
    assert "1. DEUST" in listed["text"] and "\n3. " in listed["text"]
    assert [b["payload"] for b in listed["buttons"]] == [
        "/more_offers", "/other_field", "/book_appointment", "/goodbye"]

    more = CollectingDispatcher()
    events = await ActionMoreOffers().run(more, tracker_from_fixture(
        FIXTURE, niveau="bac", domaine=["btp"], offres_vues=shown), DOMAIN)
    assert not set(events[0]["value"][3:]) & set(shown) and len(events[0]["value"]) > 3


async def test_under_16_gets_orientation_and_profile_forgotten(redis) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await ActionRecommend().run(dispatcher, tracker_from_fixture(FIXTURE, tranche_age="moins_16"), DOMAIN)
    assert "Mission locale" in texts(dispatcher)[0]
    assert {e["name"] for e in events} >= {"prenom", "situation"} and all(e["value"] is None for e in events)


async def test_medicine_wish_without_consent_is_still_explained(redis) -> None:  # type: ignore[no-untyped-def]
    """The form keeps nothing for someone who refused, so the recommendation step explains."""
    dispatcher = CollectingDispatcher()
    await ActionRecommend().run(dispatcher, tracker_from_fixture(
        FIXTURE, domaine=["medecine"], niveau="bac", metadata=REFUSED), DOMAIN)
    assert texts(dispatcher) == [neighbour_domains("medecine").message, "utter_needs_consent"]


async def test_medicine_wish_is_explained_once(redis) -> None:  # type: ignore[no-untyped-def]
    """With consent the form explained it when it was said: the offers come without repeating it."""
    dispatcher = CollectingDispatcher()
    await ActionRecommend().run(dispatcher, tracker_from_fixture(FIXTURE, domaine=["medecine"], niveau="bac"), DOMAIN)
    said = texts(dispatcher)
    assert neighbour_domains("medecine").message not in said
    assert "proche de la médecine" in cards(dispatcher)[0]


async def test_more_offers_stop_when_what_is_left_does_not_fit(redis) -> None:  # type: ignore[no-untyped-def]
    """BTP wished: "Voir plus" shows BTP offers only, then says so and offers an adviser."""
    profile = {"niveau": "bac", "domaine": ["btp"], "modalite": "alternance", "disponibilite": "journee"}
    seen: list[str] = []
    rounds = []
    for _ in range(10):
        dispatcher = CollectingDispatcher()
        events = await ActionMoreOffers().run(dispatcher, tracker_from_fixture(
            FIXTURE, offres_vues=seen, **profile), DOMAIN)
        seen = events[0]["value"]
        rounds.append(dispatcher.messages)
        if dispatcher.messages[-1].get("response") == "utter_no_more_offers":
            break
    last = rounds[-1][-1]
    assert last["response"] == "utter_no_more_offers"
    assert [b["payload"] for b in last["buttons"]] == ["/ask_human", "/book_appointment", "/other_field", "/goodbye"]
    assert len(rounds) < 10
    shown = [d["text"] for messages in rounds for m in messages for d in (m.get("custom") or {}).get("details", [])]
    assert shown and not any("Autre domaine que celui visé" in card for card in shown)
    for messages in rounds[:-1]:
        assert messages[-1]["custom"]["buttons"][0]["payload"] == "/more_offers"
    nothing_left = CollectingDispatcher()
    await ActionMoreOffers().run(nothing_left, tracker_from_fixture(FIXTURE, offres_vues=seen, **profile), DOMAIN)
    assert texts(nothing_left) == ["utter_no_more_offers"]


async def test_no_bac_lists_access_routes(redis) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    await ActionRecommend().run(dispatcher, tracker_from_fixture(FIXTURE, niveau="sans_bac", domaine=["btp"]), DOMAIN)
    said = texts(dispatcher)
    assert said[0] == "utter_no_bac_routes" and any("VAPP" in t for t in said)
