"""The held-out test set parses with Rasa and speaks only the contract's names and values."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.nlu_contract import ENTITY_VALUES, INTENTS, NOT_COMMUNES
from tests.nlu_scoring import Item, load_items, normalised_text

TEST_FILE = Path(__file__).with_name("nlu_test.yml")


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return load_items(TEST_FILE)


@pytest.fixture(scope="module")
def rasa_data() -> TrainingData:
    return load_data(str(TEST_FILE))


def test_rasa_reads_the_same_items_as_our_loader(
    items: list[Item], rasa_data: TrainingData
) -> None:
    from_rasa = [
        Item(
            m.get("text"),
            m.get("intent"),
            tuple((e["entity"], e["value"]) for e in m.get("entities") or []),
        )
        for m in rasa_data.intent_examples
    ]
    assert sorted(from_rasa, key=repr) == sorted(items, key=repr)


def test_size_and_spread(items: list[Item]) -> None:
    counts = Counter(item.intent for item in items)
    assert len(items) >= 300
    too_few = {intent: counts[intent] for intent in INTENTS if counts[intent] < 10}
    assert too_few == {}
    assert counts["inform"] >= 50


def test_only_contract_intents_entities_and_values(items: list[Item]) -> None:
    assert {item.intent for item in items} <= set(INTENTS)
    unknown = [
        (item.text, name, value)
        for item in items
        for name, value in item.entities
        if value not in ENTITY_VALUES.get(name, [])
    ]
    assert unknown == []


def test_no_duplicate_messages(items: list[Item]) -> None:
    counts = Counter(normalised_text(item.text) for item in items)
    assert [text for text, n in counts.items() if n > 1] == []


def test_regions_and_islands_are_never_communes(rasa_data: TrainingData) -> None:
    not_communes = {normalised_text(place) for place in NOT_COMMUNES}
    not_communes |= {"reunion", "petite terre", "grande terre"}
    spans = [
        normalised_text(m.get("text")[e["start"]:e["end"]])
        for m in rasa_data.intent_examples
        for e in m.get("entities") or []
    ]
    assert [s for s in spans if s in not_communes] == []
