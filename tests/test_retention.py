"""Every key written about a person expires (RETENTION_DAYS or sooner).

Each kind of person key the project writes is produced here through the
code that writes it in production; the end-to-end version runs a whole
conversation and calls the same check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import callbacks, consent, relay
from cnam import clock, handoff, privacy
from cnam.booking import appointments
from cnam.handoff import Holder
from cnam.keys import person_key
from tests.calendar_config import NOW, make_config
from tests.privacy_checks import assert_all_person_keys_expire

if TYPE_CHECKING:
    pass


PERSON = 880_000_101
MINOR = 880_000_102
SLOTS = {"prenom": "Zaina", "tranche_age": "18_25", "niveau": "bac", "commune": "Koungou"}


async def save_rasa_tracker(chat_id: int) -> None:
    """Rasa's own tracker store, as configured in endpoints.yml, saves the profile slots."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_ext.stores import UrlRedisTrackerStore

    events = [UserUttered("g le bac"), *(SlotSet(k, v) for k, v in SLOTS.items())]
    tracker = DialogueStateTracker.from_events(str(chat_id), events)
    await UrlRedisTrackerStore(Domain.empty()).save(tracker)


async def test_every_person_key_expires(pipeline, rasa_stub, redis, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    await pipeline.handle(PERSON, "bjr je cherche une formation")  # kept until consent
    await assert_all_person_keys_expire(redis, PERSON)
    await pipeline.handle(PERSON, consent.ACCEPT, trusted=True)
    rasa_stub.status = 500
    await pipeline.handle(PERSON, "et le cpf ?")  # kept for the "Réessayer" button
    rasa_stub.status = 200
    tokens = await callbacks.tokenize(PERSON, ["/affirm", "/deny"])
    assert await callbacks.resolve(PERSON, tokens[0]) == "/affirm"
    await callbacks.first_press(PERSON, 12)
    slot = "adv1|2026-12-03T14:30"
    assert (await appointments.book(redis, make_config(), PERSON, slot, "site", NOW)).ok
    handoff_id = await handoff.request_handoff(
        redis, PERSON, "profil_complet_rdv", SLOTS, ["g le bac"], "jeudi 14 h 30", [], []
    )
    record = await handoff.find(redis, handoff_id)
    assert record is not None
    await relay.open_relay(redis, record, Holder(77, "Anli"))
    await save_rasa_tracker(PERSON)  # "g le bac" unscored: also a review entry

    found = await assert_all_person_keys_expire(redis, PERSON)
    # The check above is only worth something if every kind was written.
    assert {privacy.kind_of(k, PERSON) for k in found} == {
        "consent", "retry", "cb", "booking", "handoff", "relay", "tracker", "review_ids"
    }


async def test_a_minor_marker_expires_too(pipeline, redis) -> None:
    await pipeline.handle(MINOR, "slt")
    await pipeline.handle(MINOR, consent.ACCEPT, trusted=True)
    await privacy.forget_profile(MINOR)
    await pipeline.handle(MINOR, "j'ai 14 ans")
    found = await assert_all_person_keys_expire(redis, MINOR)
    assert {privacy.kind_of(k, MINOR) for k in found} == {"consent", "minor"}


async def test_a_tracker_rasa_saves_for_a_throwaway_sender_expires_within_minutes(redis) -> None:
    """Should Rasa answer after the front gave up (and deleted it), the tracker goes by itself."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_ext.stores import UrlRedisTrackerStore

    sender = privacy.ANONYMOUS_SENDER_PREFIX + "0123abcd"
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("c payant ?")])
    await UrlRedisTrackerStore(Domain.empty()).save(tracker)
    assert 0 < await redis.ttl(person_key("tracker", sender)) <= privacy.ANONYMOUS_TRACKER_SECONDS
