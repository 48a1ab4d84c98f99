from datetime import datetime

import pytest
from pydantic import ValidationError

from cnam import clock, handoff, handoff_queue
from cnam.handoff import HandoffRecord, Holder
from cnam.keys import person_key, person_pattern, shared_key
from cnam.settings import get_settings

SLOTS = {
    "prenom": "Zaina",
    "tranche_age": "18_25",
    "situation": "demandeur_emploi",
    "niveau": "bac",
    "domaine": ["informatique", "licorne"],
    "commune": "Koungou",
    "modalite": "distance",
    "disponibilite": "soir_weekend",
}


async def _request(redis, chat_id: int = 7001, reason: str = "demande_conseiller") -> str:
    return await handoff.request_handoff(
        redis,
        chat_id,
        reason,
        SLOTS,
        [f"message {i}" for i in range(8)],
        "mardi 3 décembre à 9 h",
        [("deust-info", "DEUST Informatique")],
        ["CPF", "AIF_FRANCE_TRAVAIL"],
    )


def test_schema_keeps_five_last_messages_and_rejects_unknown_reason() -> None:
    record = HandoffRecord(chat_id=1, reason="incomprehension", last_messages=[str(i) for i in range(9)])
    assert record.last_messages == ["4", "5", "6", "7", "8"]
    assert record.status == "nouveau"
    assert len(record.handoff_id) == 13 and not record.handoff_id.isdigit()
    assert record.created_at.utcoffset() is not None
    with pytest.raises(ValidationError):
        HandoffRecord(chat_id=1, reason="envie_de_parler")
    with pytest.raises(ValidationError):
        HandoffRecord(chat_id=1, reason="incomprehension", status="perdu")


async def test_request_stores_body_under_person_key_with_expiry(redis) -> None:
    handoff_id = await _request(redis)
    record = await handoff.find(redis, handoff_id)
    assert record is not None
    assert (record.prenom, record.commune, record.domaines) == ("Zaina", "Koungou", ["informatique"])
    assert record.offers[0].title == "DEUST Informatique"
    assert record.last_messages == [f"message {i}" for i in range(3, 8)]
    ttl = await redis.ttl(person_key("handoff", 7001))
    assert 0 < ttl <= get_settings().retention_seconds
    assert await redis.ttl(shared_key("handoff_chat", handoff_id)) > 0
    # The stream itself carries only pointers.
    (_, fields), = await redis.xrange(handoff_queue.stream_key())
    assert fields == {"handoff_id": handoff_id, "chat_id": "7001"}


async def test_skipped_questions_are_unknown_not_inconnu(redis) -> None:
    slots = {**SLOTS, "prenom": "inconnu", "commune": "inconnu", "domaine": "inconnu"}
    handoff_id = await handoff.request_handoff(
        redis, 3, "incomprehension", slots, [], None, [], []
    )
    record = await handoff.find(redis, handoff_id)
    assert (record.prenom, record.commune, record.domaines) == (None, None, [])
    assert record.niveau == "bac"


async def test_read_ack_and_backlog_after_restart(redis) -> None:
    first = await _request(redis, 1)
    second = await _request(redis, 2)
    entries = await handoff_queue.read_new(redis, "bot-a", block_ms=10)
    assert [e.handoff_id for e in entries] == [first, second]
    assert [e.chat_id for e in entries] == [1, 2]
    await handoff_queue.ack(redis, entries[0].entry_id)
    # Nothing new, but the unacknowledged one is still this consumer's backlog.
    assert await handoff_queue.read_new(redis, "bot-a", block_ms=10) == []
    backlog = await handoff_queue.read_new(redis, "bot-a", backlog=True)
    assert [e.handoff_id for e in backlog] == [second]
    await handoff_queue.ack(redis, backlog[0].entry_id)
    assert await handoff_queue.read_new(redis, "bot-a", backlog=True) == []


async def test_claim_stale_takes_over_a_crashed_consumer(redis) -> None:
    handoff_id = await _request(redis)
    (entry,) = await handoff_queue.read_new(redis, "crashed", block_ms=10)
    # Not idle long enough: stays with the crashed consumer.
    assert await handoff_queue.claim_stale(redis, "survivor", min_idle_ms=60_000) == []
    (taken,) = await handoff_queue.claim_stale(redis, "survivor", min_idle_ms=0)
    assert (taken.entry_id, taken.handoff_id) == (entry.entry_id, handoff_id)
    pending = await redis.xpending_range(
        handoff_queue.stream_key(), handoff_queue.GROUP, min="-", max="+", count=10
    )
    assert [p["consumer"] for p in pending] == ["survivor"]


async def test_claim_is_given_once(redis) -> None:
    handoff_id = await _request(redis)
    awa, bacar = Holder(11, "Awa"), Holder(12, "Bacar: le chef")
    assert await handoff.claim(redis, handoff_id, awa) == (True, awa)
    assert await handoff.claim(redis, handoff_id, bacar) == (False, awa)
    assert await handoff.holder(redis, handoff_id) == awa
    assert Holder.parse(bacar.dump()) == bacar


async def test_a_new_handoff_renews_the_keys_of_the_earlier_ones(redis) -> None:
    earlier = HandoffRecord(chat_id=7002, reason="demande_conseiller")
    await handoff.save(redis, earlier)
    await handoff.claim(redis, earlier.handoff_id, Holder(11, "Awa"))
    keys = [shared_key("handoff_chat", earlier.handoff_id), shared_key("claim", earlier.handoff_id)]
    for key in keys:
        await redis.expire(key, 600)  # written long ago: about to expire
    await handoff.save(redis, HandoffRecord(chat_id=7002, reason="incomprehension"))
    retention = get_settings().retention_seconds
    for key in [person_key("handoff", 7002), *keys]:
        assert retention - 60 < await redis.ttl(key) <= retention, key
    assert (await handoff.find(redis, earlier.handoff_id)).reason == "demande_conseiller"


async def test_redact_person_erases_everything_of_that_person_only(redis) -> None:
    kept = await _request(redis, 2)
    erased = [await _request(redis, 1), await _request(redis, 1, "incomprehension")]
    await handoff_queue.read_new(redis, "bot", block_ms=10)  # all three now pending
    await handoff.claim(redis, erased[0], Holder(11, "Awa"))

    assert await handoff.redact_person(redis, 1) == 2

    for handoff_id in erased:
        assert await handoff.find(redis, handoff_id) is None
        assert await redis.exists(shared_key("claim", handoff_id)) == 0
    assert [k async for k in redis.scan_iter(match=person_pattern(1))] == []
    remaining = await redis.xrange(handoff_queue.stream_key())
    assert [fields["chat_id"] for _, fields in remaining] == ["2"]
    assert [e.handoff_id for e in await handoff_queue.read_new(redis, "bot", backlog=True)] == [kept]
    assert (await handoff.find(redis, kept)).prenom == "Zaina"


async def test_redact_person_removes_their_dead_letters(redis) -> None:
    for chat in ("1", "2"):
        letter = {"handoff_id": f"h{chat}", "chat_id": chat}
        await handoff_queue.bury(redis, "0-1", letter, "Forbidden", clock.now())
    await handoff.redact_person(redis, 1)
    assert [d["chat_id"] for d in await handoff_queue.dead_letters(redis)] == ["2"]


async def test_trim_drops_entries_and_dead_letters_older_than_retention(redis) -> None:
    old_id = f"{int(datetime(2000, 1, 1).timestamp() * 1000)}-0"
    await handoff_queue.ensure_group(redis)
    for key in (handoff_queue.stream_key(), handoff_queue.dead_key()):
        await redis.xadd(key, {"handoff_id": "x", "chat_id": "3"}, id=old_id)
    await _request(redis, 4)
    await handoff_queue.bury(redis, "0-1", {"handoff_id": "y", "chat_id": "5"}, "Forbidden", clock.now())
    await handoff_queue.trim(redis, clock.now())
    chats = [fields["chat_id"] for _, fields in await redis.xrange(handoff_queue.stream_key())]
    assert chats == ["4"]
    assert [letter["chat_id"] for letter in await handoff_queue.dead_letters(redis)] == ["5"]


async def test_all_records_lists_every_person(redis) -> None:
    ids = {await _request(redis, 1), await _request(redis, 2)}
    assert {r.handoff_id async for r in handoff.all_records(redis)} == ids


async def test_backlog_skips_and_acknowledges_entries_deleted_while_pending(redis) -> None:
    handoff_ids = [await _request(redis, chat) for chat in range(1, 14)]
    entries = await handoff_queue.read_new(redis, "bot", count=20, block_ms=10)
    # A whole first batch of the backlog was deleted from the stream.
    await redis.xdel(handoff_queue.stream_key(), *[e.entry_id for e in entries[:11]])
    backlog = await handoff_queue.read_new(redis, "bot", count=10, backlog=True)
    assert [e.handoff_id for e in backlog] == handoff_ids[11:]
    pending = await redis.xpending(handoff_queue.stream_key(), handoff_queue.GROUP)
    assert pending["pending"] == 2
