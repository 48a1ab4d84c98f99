"""Consent, export and erasure (cnam/privacy.py, bot/consent.py).

The front is driven through its pipeline with the Rasa stub; Redis is real.
The stub keeps no tracker, so tests write one where Rasa would have.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis

from bot import callbacks, consent, erasure, relay
from cnam import clock, handoff, handoff_queue, privacy
from cnam.booking import appointments, reminders, reservations
from cnam.handoff import Holder
from cnam.keys import person_key
from tests.calendar_config import NOW, make_config

if TYPE_CHECKING:
    pass


CONFIG = make_config()
SLOT = "adv1|2026-12-03T14:30"
PERSON = 880_000_001
OTHER = 880_000_002
SLOTS = {"prenom": "Zaina", "tranche_age": "18_25", "niveau": "bac", "commune": "Koungou"}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


async def kinds(redis: aioredis.Redis, chat_id: int) -> set[str]:
    return {privacy.kind_of(k, chat_id) for k in await privacy.person_keys(redis, chat_id)}


async def rasa_wrote_tracker(redis: aioredis.Redis, chat_id: int) -> None:
    """What Rasa's tracker store leaves after a turn (rasa_ext/stores.py)."""
    tracker = {"sender_id": str(chat_id), "slots": {"prenom": "Zaina"}, "events": []}
    await redis.set(person_key("tracker", chat_id), json.dumps(tracker), ex=3600)


async def a_full_person(redis: aioredis.Redis, chat_id: int) -> tuple[reservations.Booking, str]:
    """Consent, tracker, buttons, an appointment with reminders, a handoff."""
    await privacy.record_consent(redis, chat_id, privacy.ACCEPTED)
    await rasa_wrote_tracker(redis, chat_id)
    await callbacks.tokenize(chat_id, ["/affirm", "/deny"])
    result = await appointments.book(redis, CONFIG, chat_id, SLOT, "site", NOW)
    assert result.ok and result.booking is not None
    handoff_id = await handoff.request_handoff(
        redis, chat_id, "profil_complet_rdv", SLOTS, ["bjr", "g le bac"], "jeudi 14 h 30", [], []
    )
    return result.booking, handoff_id


async def talking_to_an_adviser(redis: aioredis.Redis, handoff_id: str) -> None:
    record = await handoff.find(redis, handoff_id)
    assert record is not None
    await relay.open_relay(redis, record, Holder(77, "Anli"))


async def test_export_holds_everything_written_with_its_erasure_date(redis) -> None:
    appointment, handoff_id = await a_full_person(redis, PERSON)
    await talking_to_an_adviser(redis, handoff_id)
    export = await privacy.export_person(redis, PERSON)
    data = export["donnees"]
    assert set(data) == {"consent", "tracker", "cb", "booking", "handoff", "relay"}
    assert data["consent"] == "oui"
    assert data["tracker"]["slots"] == {"prenom": "Zaina"}  # JSON decoded, not a string
    assert data["booking"][appointment.id]["start"] == appointment.start.isoformat()
    assert data["handoff"][handoff_id]["prenom"] == "Zaina"
    assert data["handoff"][handoff_id]["last_messages"] == ["bjr", "g le bac"]
    assert data["relay"]["adviser"] == "77:Anli"
    assert "/affirm" in data["cb"].values()
    assert set(export["effacement_prevu"]) == set(data)
    assert all(export["effacement_prevu"].values())
    assert export["conservation_jours"] == 180
    assert json.loads(json.dumps(export)) == export
    # Each person's export holds their data only.
    await privacy.record_consent(redis, OTHER, privacy.REFUSED)
    assert (await privacy.export_person(redis, OTHER))["donnees"] == {"consent": "non"}


async def test_erasure_leaves_nothing_and_frees_the_slot(redis) -> None:
    appointment, handoff_id = await a_full_person(redis, PERSON)
    await talking_to_an_adviser(redis, handoff_id)
    await handoff.request_handoff(redis, OTHER, "demande_conseiller", {}, [], None, [], [])
    assert await redis.zscore(reminders.reminders_key(), f"{PERSON}|{appointment.id}|24h")

    report = await privacy.erase_person(redis, PERSON, NOW)

    assert await privacy.person_keys(redis, PERSON) == []
    assert report.appointments_cancelled == 1
    assert report.handoff_entries_redacted == 1
    assert report.keys_deleted == 4  # consent, tracker, cb, relay: the modules did the rest
    # The slot is free: someone else books it.
    assert (await appointments.book(redis, CONFIG, OTHER, SLOT, "site", NOW)).ok
    members = [m async for m, _ in redis.zscan_iter(reminders.reminders_key())]
    assert members and not [m for m in members if m.startswith(f"{PERSON}|")]
    assert await handoff.find(redis, handoff_id) is None
    stream = await redis.xrange(handoff_queue.stream_key())
    assert [fields["chat_id"] for _, fields in stream] == [str(OTHER)]


async def test_first_message_gets_the_consent_prompt_not_rasa(pipeline, rasa_stub, redis) -> None:
    replies = await pipeline.handle(PERSON, "slt c koi le cnam")
    assert replies == consent.consent_prompt()
    assert "180 jours" in replies[0].text and "/mesdonnees" in replies[0].text
    assert replies[-1].buttons == [("J'accepte", "!consent_ok"), ("Je refuse", "!consent_non")]
    await pipeline.handle(PERSON, "allo ?")  # the first question is the one kept
    assert rasa_stub.received == []
    # Kept in memory only: Redis holds nothing of a person who has not decided.
    assert await kinds(redis, PERSON) == set()
    assert consent.take_first_message(PERSON) == "slt c koi le cnam"
    assert consent.take_first_message(PERSON) is None


async def test_accepting_replays_the_first_message(pipeline, rasa_stub, redis) -> None:
    await pipeline.handle(PERSON, "slt c koi le cnam")
    thanks, answer = await pipeline.handle(PERSON, consent.ACCEPT, trusted=True)
    assert thanks == consent.ACCEPTED
    assert answer.text == "Vous avez dit : slt c koi le cnam"
    assert rasa_stub.messages(PERSON) == ["slt c koi le cnam"]
    await rasa_wrote_tracker(redis, PERSON)
    await pipeline.handle(PERSON, "merci")
    assert await kinds(redis, PERSON) == {"consent", "tracker"}
    assert await redis.ttl(person_key("consent", PERSON)) > 179 * 86400


async def test_refusing_still_answers_but_keeps_only_the_decision(pipeline, rasa_stub, redis):
    await pipeline.handle(PERSON, "c koi la vae")
    refused, first = await pipeline.handle(PERSON, consent.REFUSE, trusted=True)
    assert refused == consent.REFUSED
    assert first.text == "Vous avez dit : c koi la vae"  # answered, without storing
    [answer] = await pipeline.handle(PERSON, "il est où le cnam")
    assert answer.text == "Vous avez dit : il est où le cnam"
    # Each turn under a throwaway sender id, told that the person refused.
    senders = [body["sender"] for body in rasa_stub.received]
    assert len(set(senders)) == 2 and all(s.startswith("anon") for s in senders)
    assert {body["metadata"]["consent"] for body in rasa_stub.received} == {"non"}
    assert rasa_stub.messages(PERSON) == []
    assert await kinds(redis, PERSON) == {"consent"}
    assert await redis.get(person_key("consent", PERSON)) == "non"
    assert [k async for k in redis.scan_iter(match=person_key("tracker", "anon*"))] == []


async def test_a_refusers_tracker_is_deleted_after_the_turn(pipeline, rasa_stub, redis) -> None:
    await privacy.record_consent(redis, PERSON, privacy.REFUSED)

    async def rasa_writes_a_tracker(body: dict) -> None:
        await rasa_wrote_tracker(redis, body["sender"])

    rasa_stub.on_message = rasa_writes_a_tracker
    await pipeline.handle(PERSON, "c payant ?")
    [sender] = [body["sender"] for body in rasa_stub.received]
    assert await redis.exists(person_key("tracker", sender)) == 0


async def test_refusal_after_acceptance_erases_what_was_kept(pipeline, redis) -> None:
    appointment, _ = await a_full_person(redis, PERSON)
    await pipeline.handle(PERSON, consent.REFUSE, trusted=True)
    assert await kinds(redis, PERSON) == {"consent"}
    assert await reservations.find_booking(redis, PERSON, appointment.id) is None


async def test_a_minor_is_answered_but_nothing_is_kept(pipeline, rasa_stub, redis) -> None:
    await a_full_person(redis, PERSON)
    await privacy.forget_profile(PERSON)
    assert await kinds(redis, PERSON) == {"consent", "minor"}
    [answer] = await pipeline.handle(PERSON, "c payant ?")
    assert answer.text == "Vous avez dit : c payant ?"
    assert rasa_stub.received[-1]["metadata"]["minor"] is True
    assert await kinds(redis, PERSON) == {"consent", "minor"}
    # An old "J'accepte" button does not undo it.
    [reply] = await pipeline.handle(PERSON, consent.ACCEPT, trusted=True)
    assert reply.text == privacy.MINOR_MESSAGE
    assert not await privacy.may_keep_data(redis, PERSON)


async def test_typed_consent_payload_is_not_a_decision(pipeline, rasa_stub, redis) -> None:
    await pipeline.handle(PERSON, "bonjour")
    await pipeline.handle(PERSON, consent.ACCEPT)  # typed, not a button: plain text for Rasa
    assert await redis.get(person_key("consent", PERSON)) is None
    assert await kinds(redis, PERSON) == set()


async def test_my_data_sends_the_export_as_a_json_file(pipeline, redis) -> None:
    appointment, _ = await a_full_person(redis, PERSON)
    [message] = await pipeline.handle(PERSON, consent.EXPORT, trusted=True)
    assert message.document is not None
    assert message.document.filename.endswith(".json")
    exported = json.loads(message.document.content)
    assert appointment.id in exported["donnees"]["booking"]
    [nothing] = await pipeline.handle(OTHER, consent.EXPORT, trusted=True)
    assert nothing == consent.NOTHING_STORED


async def test_confirmed_erasure_from_the_front(pipeline, redis) -> None:
    await a_full_person(redis, PERSON)
    [done] = await pipeline.handle(PERSON, consent.ERASE, trusted=True)
    assert "effacé" in done.text and "rendez-vous est annulé" in done.text
    assert await privacy.person_keys(redis, PERSON) == []
    # Writing again starts over with the consent question.
    assert await pipeline.handle(PERSON, "bonjour") == consent.consent_prompt()


def test_every_message_is_short() -> None:
    texts = [m.text for m in consent.consent_prompt()] + [
        consent.ACCEPTED.text, consent.REFUSED.text, consent.NOTHING_STORED.text,
        consent.EXPORT_SENT.text, erasure.erased(1).text, privacy.MINOR_MESSAGE,
        consent.ERASE_CONFIRM.text, consent.KEPT.text,
    ]
    assert all(0 < len(text) <= 350 for text in texts), [len(t) for t in texts]


async def test_command_before_consent_is_followed_by_the_greeting(pipeline, rasa_stub, redis) -> None:
    prompt = await pipeline.handle(PERSON, "!aide", trusted=True)
    assert any(consent.ACCEPT in [payload for _, payload in m.buttons] for m in prompt)
    after = await pipeline.handle(PERSON, consent.ACCEPT, trusted=True)
    assert after[-1].text == "Vous avez dit : /greet"
    assert rasa_stub.messages(PERSON) == ["/greet"]
