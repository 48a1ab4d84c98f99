"""Acceptance: the served model on the held-out set (tests/nlu_test.yml)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.nlu_contract import ENTITY_VALUES
from tests.nlu_scoring import Prediction, format_report, load_items, prediction_from_parse, score

TEST_FILE = Path(__file__).with_name("nlu_test.yml")
MIN_INTENT_ACCURACY = 0.97
MIN_ENTITY_F1 = 0.97
# A few requests at a time: the server shares 2 cores with everything else.
CONCURRENCY = 4


async def _parse_all(rasa_server: Any, texts: list[str]) -> list[Prediction]:
    semaphore = asyncio.Semaphore(CONCURRENCY)
    params = {"token": rasa_server.token} if rasa_server.token else {}
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def parse(text: str) -> Prediction:
            async with semaphore, session.post(
                f"{rasa_server.url}/model/parse", params=params, json={"text": text}
            ) as response:
                response.raise_for_status()
                return prediction_from_parse(await response.json())

        return list(await asyncio.gather(*(parse(text) for text in texts)))


@pytest.mark.stack
async def test_heldout_nlu_meets_the_contract(rasa_server: Any) -> None:
    items = load_items(TEST_FILE)
    predictions = await _parse_all(rasa_server, [item.text for item in items])
    # Only the contract's entities count: extra extractors (dates, names) are not errors.
    scores = score(items, predictions, entity_names=ENTITY_VALUES)
    report = format_report(scores)
    print(report)  # shown by pytest in the failure output, also with -s
    assert scores.intent_accuracy >= MIN_INTENT_ACCURACY, report
    assert scores.entity_f1 >= MIN_ENTITY_F1, report
