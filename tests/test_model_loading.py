"""rasa_ext.model_loading: the trained model parses exactly as when Rasa loads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from rasa_ext import model_loading
from stack.train import model_path
from tests.nlu_scoring import load_items

TEXTS = [item.text for item in load_items(Path(__file__).with_name("nlu_test.yml"))]


async def parses(model: Path) -> list[tuple[str, float, list[tuple[str, str]]]]:
    agent = Agent.load(str(model))
    results = []
    for text in TEXTS:
        parsed: dict[str, Any] = await agent.parse_message(text)
        entities = sorted((e["entity"], str(e["value"])) for e in parsed["entities"])
        results.append((parsed["intent"]["name"], parsed["intent"]["confidence"], entities))
    return results


async def test_same_parses_without_the_training_step(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_path()
    assert model.exists(), "make train first (make test does)"
    # Restored after the test: the replacement is for the Rasa server's process.
    monkeypatch.setattr(RasaModel, "load", RasaModel.__dict__["load"])
    by_rasa = await parses(model)
    model_loading.install()
    model_loading.install()  # a second call does not wrap the first
    assert RasaModel.load.__func__.without_training_step  # type: ignore[attr-defined]
    fast = await parses(model)
    assert [(i, e) for i, _, e in fast] == [(i, e) for i, _, e in by_rasa]
    assert [c for _, c, _ in fast] == pytest.approx([c for _, c, _ in by_rasa], abs=1e-6)
