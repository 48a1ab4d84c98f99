"""One review round from simulated conversations (BENCHMARKS.md, issue 15).

    python -m bench.review_round [--model models/<name>.tar.gz] [--out nlu/reviewed.yml]

Each message of ``bench/review_round.yml`` is parsed by the model, then
given to the tracker store's collector (``rasa_ext/review_collector.py``)
as Rasa would after the turn, for a person who accepted. When the model read
it as another intent with confidence, the simulated person answers "non c
pas ça", which the collector takes as a correction, as in a real
conversation. What reached the queue is then labelled as an adviser would
in /revue (the intent of the file; an entity corrected from the person's
words), and ``stack.review`` writes the export. Runs under its own Redis
prefix, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ROUND = ROOT / "bench" / "review_round.yml"
CORRECTION = "non c pas ça"


def messages() -> list[tuple[str, str, list[list[str]]]]:
    data = yaml.safe_load(ROUND.read_text(encoding="utf-8"))
    return [tuple(said) for person in data["people"] for said in person["says"]]  # type: ignore[misc]


async def run(model: Path, out: Path) -> dict[str, int]:
    from rasa.core.agent import load_agent
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from cnam import privacy, review_queue, store
    from rasa_ext import review_collector
    from stack import review

    agent = await load_agent(model_path=str(model))
    redis = store.get_redis()
    counts = {"messages": 0, "queued": 0, "corrections": 0, "labelled": 0, "exported": 0}
    try:
        for n, (text, intent, entities) in enumerate(messages()):
            chat = str(990_000_000 + n)
            await privacy.record_consent(redis, chat, privacy.ACCEPTED)
            parsed: dict[str, Any] = await agent.parse_message(text)
            said = UserUttered(text, parsed["intent"], parsed["entities"], parse_data=parsed,
                               message_id=f"m{n}")
            events = [said]
            if parsed["intent"]["name"] not in (intent, review_collector.FALLBACK):
                counts["corrections"] += 1
                events.append(UserUttered(CORRECTION, {"name": "deny", "confidence": 1.0}, message_id=f"c{n}"))
            for i in range(1, len(events) + 1):
                await review_collector.collect(DialogueStateTracker.from_events(chat, events[:i]))
            counts["messages"] += 1
            for eid in list(await redis.smembers(review_queue.ids_key(chat))):
                counts["queued"] += 1
                await review_queue.set_entities(redis, eid, [
                    {"entity": name, "value": value, "text": words} for name, value, words in entities
                ])
                if await review_queue.label(redis, eid, intent, "simulation") == "labelled":
                    counts["labelled"] += 1
        written, _ = review.write(await review_queue.labelled(redis), out)
        counts["exported"] = written
    finally:
        async for key in redis.scan_iter(match=f"{os.environ['REDIS_PREFIX']}:*"):
            await redis.delete(key)
        await redis.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.review_round")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "nlu" / "reviewed.yml")
    args = parser.parse_args()
    # Before cnam.settings is read: this round's keys only.
    os.environ["REDIS_PREFIX"] = "review-round-" + uuid.uuid4().hex[:8]
    from stack.train import model_path

    counts = asyncio.run(run(args.model or model_path(), args.out))
    print(" · ".join(f"{k} {v}" for k, v in counts.items()), f"→ {args.out}")


if __name__ == "__main__":
    main()
