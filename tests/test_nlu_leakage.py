"""The held-out set stays held out: none of its messages is a training example."""

from __future__ import annotations

from pathlib import Path

from tests.nlu_scoring import load_items, overlapping_texts

TEST_FILE = Path(__file__).with_name("nlu_test.yml")
TRAINING_DIR = Path(__file__).parents[1] / "nlu"


def test_heldout_messages_are_not_in_the_training_data() -> None:
    training_files = sorted(TRAINING_DIR.rglob("*.yml")) + sorted(TRAINING_DIR.rglob("*.yaml"))
    assert training_files, "no NLU training data found"
    leaked = overlapping_texts(load_items(TEST_FILE), training_files)
    # Fix by removing the message from one side; never by copying test items into training.
    assert leaked == [], f"{len(leaked)} held-out messages are also training examples: {leaked}"
