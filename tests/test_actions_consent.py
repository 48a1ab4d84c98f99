"""The actions write nothing for someone who refused or is under 16, and say
what they can do instead (actions/consent.py)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions import booking_form, booking_manage, handoff, orientation, profile_form
from cnam import handoff_queue, stats
from cnam.booking import reservations
from cnam.keys import person_key
from tests.actions_support import DOMAIN, REFUSED, texts, tracker_from_fixture
from tests.booking_actions import CONFIG, ME, SLOT, run
from tests.calendar_config import NOW

PROFILE = "tracker_profile_niveau.json"
MINOR = {"transport": "telegram", "consent": "oui", "minor": True}


async def test_a_refuser_asking_for_an_adviser_gets_the_public_contact(redis) -> None:
    for metadata in (REFUSED, MINOR):
        dispatcher = CollectingDispatcher()
        tracker = tracker_from_fixture(PROFILE, metadata=metadata)
        await handoff.ActionHandoff().run(dispatcher, tracker, DOMAIN)
        assert texts(dispatcher) == ["utter_handoff_without_consent"]
    assert await redis.xlen(handoff_queue.stream_key()) == 0
    assert [k async for k in redis.scan_iter(match=person_key("handoff", "*"))] == []


async def test_someone_who_said_14_gets_no_card_in_the_same_conversation(redis) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_fixture(PROFILE, tranche_age="moins_16")
    await handoff.ActionHandoff().run(dispatcher, tracker, DOMAIN)
    assert texts(dispatcher) == ["utter_handoff_without_consent"]
    assert await redis.xlen(handoff_queue.stream_key()) == 0


async def test_someone_who_agreed_is_handed_over(redis) -> None:
    dispatcher = CollectingDispatcher()
    await handoff.ActionHandoff().run(dispatcher, tracker_from_fixture(PROFILE), DOMAIN)
    assert texts(dispatcher) == ["utter_handoff_done"]
    assert await redis.xlen(handoff_queue.stream_key()) == 1


async def test_no_booking_for_a_refuser(env) -> None:
    slots = {"rdv_mode": "site", "rdv_jour": "2026-12-03", "rdv_creneau": SLOT, "rdv_validation": True}
    _, dispatcher, _ = await run(
        booking_manage.ActionConfirmBooking(), slots=slots, active=False, metadata=REFUSED
    )
    assert texts(dispatcher) == ["utter_needs_consent"]
    assert await reservations.get_booking(env, ME, NOW) is None
    assert [s.id for s in await reservations.free_slots(env, CONFIG, "site", NOW)].count(SLOT) == 1


async def test_the_forms_ask_a_refuser_nothing(env) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_from_fixture("booking_form_step.json", metadata=REFUSED)
    assert await booking_form.ValidateBookingForm().required_slots(
        ["rdv_mode"], dispatcher, tracker, DOMAIN
    ) == []
    tracker = tracker_from_fixture(PROFILE, metadata=REFUSED)
    assert await profile_form.ValidateProfileForm().required_slots(
        ["prenom", "niveau"], dispatcher, tracker, DOMAIN
    ) == []
    assert dispatcher.messages == []


async def test_a_refusers_profile_is_neither_shown_nor_counted(redis) -> None:
    dispatcher = CollectingDispatcher()
    events = await orientation.ActionRecommend().run(
        dispatcher, tracker_from_fixture(PROFILE, metadata=REFUSED, domaine=["btp"]), DOMAIN
    )
    assert texts(dispatcher) == ["utter_needs_consent"] and events == []
    periods = await stats.summary(redis, (7,))
    assert periods[7].counts["profile_completed"] == 0
