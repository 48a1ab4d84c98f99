"""The review queue on a real Redis: what the tracker store collects (and for
whom), masking, labels and disputes, erasure, and the export into Rasa
training data (deduplicated, never the held-out set)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from cnam import clock, privacy, review_queue, stats
from cnam.review_mask import NAME, PHONE, mask
from cnam.vocabulary import INTENT
from rasa_ext import review_collector
from stack import nlu_report, review
from tests.calendar_config import NOW
from tests.nlu_scoring import load_items

KEPT, REFUSER, MINOR = 890_000_001, 890_000_002, 890_000_003


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def said(text: str, intent: str, confidence: float, message_id: str, **extra: object) -> UserUttered:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "ask_funding", "confidence": 0.2},
               {"name": "inform", "confidence": 0.1}]
    return UserUttered(text, {"name": intent, "confidence": confidence},
                       parse_data={"intent_ranking": ranking}, message_id=message_id, **extra)


def tracker(chat_id: int, *events: UserUttered) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(str(chat_id), list(events))


async def misread_today(redis) -> int:  # type: ignore[no-untyped-def]
    return (await stats.summary(redis, (1,), NOW))[1].counts["misread"]


def test_mask_hides_names_numbers_and_addresses() -> None:
    text = "slt je m'appelle Zaïnaba Madi, mon num c 0639 12 34 56 ou z.madi@gmail.com"
    assert mask(text) == "slt je m'appelle «prénom», mon num c «téléphone» ou «e-mail»"
    assert mask("Houssamie veut le bac", ["Houssamie"]) == f"{NAME} veut le bac"
    # Years, ages and communes are not personal: kept.
    assert mask("jai 25 ans, bac 2019, Koungou") == "jai 25 ans, bac 2019, Koungou"


async def test_a_fallback_of_someone_who_accepted_is_queued_masked_once(redis) -> None:  # type: ignore[no-untyped-def]
    await privacy.record_consent(redis, KEPT, privacy.ACCEPTED)
    turn = tracker(KEPT, said("wesh zorglub 0639123456", "nlu_fallback", 0.31, "m1"))
    await review_collector.collect(turn)
    await review_collector.collect(turn)  # Rasa may save the same turn twice
    [eid] = await review_queue.waiting(redis)
    entry = await review_queue.get(redis, eid)
    assert entry is not None
    assert (entry.text, entry.reason) == (f"wesh zorglub {PHONE}", "fallback")
    # The intent the classifier hesitated on, not "nlu_fallback".
    assert entry.intent == "ask_funding" and entry.ranking == ["ask_funding", "inform"]
    assert str(KEPT) not in str(await redis.hgetall(review_queue.entry_key(eid)))
    assert await misread_today(redis) == 1


async def test_unsure_and_corrected_messages_are_queued_sure_ones_are_not(redis) -> None:  # type: ignore[no-untyped-def]
    chat = KEPT + 10
    await privacy.record_consent(redis, chat, privacy.ACCEPTED)
    await review_collector.collect(tracker(chat, said("je veux un truc", "ask_offers", 0.55, "u1")))
    sure = said("c payant ?", "ask_funding", 0.97, "u2")
    await review_collector.collect(tracker(chat, sure))
    await review_collector.collect(tracker(chat, sure, said("non c pas ça", "deny", 0.9, "u3")))
    domain = said("jveu bosser ds le batiment", "inform", 0.99, "u4")
    await review_collector.collect(tracker(chat, domain))
    await review_collector.collect(tracker(chat, domain, said("/other_field", "other_field", 1.0, "u5")))
    # A button pressed after a button is no correction of anything typed.
    button = said("/inform", "inform", 1.0, "u6")
    await review_collector.collect(tracker(chat, button, said("/other_field", "other_field", 1.0, "u7")))
    entries = [await review_queue.get(redis, i) for i in await review_queue.waiting(redis)]
    reasons = {(e.text, e.reason) for e in entries if e}
    assert reasons == {("je veux un truc", "low_confidence"), ("c payant ?", "correction"),
                       ("jveu bosser ds le batiment", "correction")}


async def test_refusers_and_minors_are_only_counted(redis) -> None:  # type: ignore[no-untyped-def]
    await privacy.record_consent(redis, REFUSER, privacy.REFUSED)
    await privacy.record_consent(redis, MINOR, privacy.ACCEPTED)
    await redis.set(privacy.keys.person_key(privacy.MINOR, MINOR), "1")
    for chat in (REFUSER, MINOR, "anon-123"):
        turn = tracker(chat, said("blablou", "nlu_fallback", 0.2, f"x{chat}"))
        await review_collector.collect(turn)
        await review_collector.collect(turn)
    assert await review_queue.waiting(redis) == []
    assert await misread_today(redis) == 3


async def test_labels_disputes_and_erasure(redis) -> None:  # type: ignore[no-untyped-def]
    async def add(chat: int, eid: str, text: str) -> None:
        assert await review_queue.add(redis, chat, eid, text=text, intent="inform", confidence=0.4,
                                      reason="fallback", entities=[], ranking=["inform"], now=NOW)

    await add(KEPT, "e1", "un")
    await add(KEPT, "e2", "deux")
    await add(REFUSER, "e3", "trois")
    assert await review_queue.label(redis, "e1", "ask_vae", "Ali") == "labelled"
    assert await review_queue.label(redis, "e1", "ask_vae", "Zaina") == "same"
    assert await review_queue.label(redis, "e2", "greet", "Ali") == "labelled"
    assert await review_queue.label(redis, "e2", "thank", "Zaina") == "disputed"
    assert await review_queue.label(redis, "nope", "thank", "Zaina") == "gone"
    assert [e.id for e in await review_queue.labelled(redis)] == ["e1"]
    assert await review_queue.waiting(redis) == ["e3"]

    await privacy.erase_person(redis, KEPT, NOW)
    assert await review_queue.get(redis, "e1") is None and await review_queue.labelled(redis) == []
    assert await review_queue.waiting(redis) == ["e3"]


def entry(eid: str, text: str, label: str, entities: list[dict[str, str]] | None = None) -> review_queue.Entry:
    return review_queue.Entry(id=eid, text=text, intent="inform", confidence=0.3, reason="fallback",
                              at="", entities=entities or [], label=label)


def test_export_writes_rasa_data_without_duplicates_or_held_out(tmp_path: Path) -> None:
    out = tmp_path / "reviewed.yml"
    held_out_text = load_items(review.HELD_OUT)[0].text
    training_text = load_items(Path(review.ROOT, "nlu", "questions.yml"))[0].text
    entries = [
        entry("a", "moi c «prénom», chui a kgou ou Koungou", "inform",
              [{"entity": "commune", "value": "Koungou"}]),
        entry("b", held_out_text, "greet"),
        entry("c", training_text.upper(), "ask_funding"),
        entry("d", "zot ou kalou formasion", "ask_offers"),
        entry("f", "jveu etre comptable", "inform",
              [{"entity": "domaine", "value": "gestion_comptabilite", "text": "comptable"}]),
        # Corrected by an adviser to a value the text does not show: left out.
        entry("g", "un truc avec les chiffres", "inform", [{"entity": "domaine", "value": "informatique"}]),
    ]
    examples, skipped = review.merge(entries, out, review.HELD_OUT)
    assert skipped == 3
    out.write_text(review.render(examples), encoding="utf-8")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [block["intent"] for block in data["nlu"]] == ["ask_offers", "inform"]
    items = {i.text: list(i.entities) for i in load_items(out) if i.intent == "inform"}
    assert items == {
        "moi c Fatima, chui a kgou ou Koungou": [("commune", "Koungou")],
        "jveu etre comptable": [("domaine", "gestion_comptabilite")],
    }

    # A second export keeps what was written and adds nothing twice.
    again, skipped_again = review.merge([*entries, entry("e", "zot ou kalou formasion !", "ask_offers")],
                                        out, review.HELD_OUT)
    assert review.render(again) == review.render(examples) and skipped_again == 7


def test_the_nlu_report_shows_before_and_after() -> None:
    before = {"model": "m1", "data": "heldout.yml", "intent_accuracy": 0.981, "entity_f1": 0.997}
    after = {**before, "model": "m2", "intent_accuracy": 0.986}
    assert nlu_report.compare(before, after).splitlines()[:2] == [
        "intent_accuracy: 0.981 → 0.986 (+0.005)", "entity_f1: 0.997 → 0.997 (+0.000)",
    ]
    assert "nothing to compare" in nlu_report.compare({**before, "data": "other.yml"}, after)
    assert "nothing to compare" in nlu_report.compare(None, after)


def test_an_entry_fits_one_message_at_worst() -> None:
    from bot import review_chat

    longest_intent = max(INTENT, key=lambda i: len(INTENT[i]))
    worst = review_queue.Entry(
        id="e" * 16, text="a" * 4000, intent=longest_intent, confidence=0.42, reason="correction", at="",
        entities=[{"entity": "situation", "value": "demandeur_emploi"},
                  {"entity": "domaine", "value": "gestion_comptabilite"}, {"entity": "commune", "value": "x"}],
        label=longest_intent, label_by="Z" * 80,
    )
    assert len(review_chat._text(worst, 99_999)) <= 350
    assert len(review_chat._text(replace(worst, disputed=True), 99_999)) <= 350
