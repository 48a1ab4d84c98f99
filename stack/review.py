"""The advisers' labels (``/revue``) into training data.

    python -m stack.review export [--out nlu/reviewed.yml]

Writes every labelled, undisputed entry of the review queue as a Rasa NLU
example, merged with what the file already holds, sorted by intent. An
entry is left out when its text (normalised) is already a training example
or is in the held-out set (``tests/nlu_test.yml``): a labelled message never
enters the held-out set, nor the training data twice. The placeholders of
masked names, numbers and addresses become neutral fillers, so the model
learns the sentence, not the mask. The file is a proposal: a person reads
the git diff before committing it; ``make train`` then uses it like any
file of ``nlu/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

import yaml

from cnam import review_queue
from cnam.review_mask import EMAIL, NAME, PHONE
from cnam.review_queue import Entry
from cnam.store import get_redis
from tests.nlu_scoring import load_items, normalised_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "nlu" / "reviewed.yml"
HELD_OUT = ROOT / "tests" / "nlu_test.yml"
# An entity's markup in Rasa's format, kept: the words it marks.
_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
FILLERS = {NAME: "Fatima", PHONE: "0639 00 00 00", EMAIL: "fatima@exemple.fr"}


def _span(text: str, words: str) -> re.Match[str] | None:
    return re.search(rf"(?i)(?<![\w\[]){re.escape(words)}(?![\w\]])", text) if words else None


def training_text(entry: Entry) -> str | None:
    """The example as Rasa reads it: fillers for the masks, each entity marked
    on the words it was read from (or its value, written as such). None when an
    entity cannot be placed: an example with an entity left unmarked would
    teach the model to miss it."""
    text = entry.text.replace("[", "(").replace("]", ")")
    for placeholder, filler in FILLERS.items():
        text = text.replace(placeholder, filler)
    for entity in entry.entities:
        name, value = entity.get("entity", ""), entity.get("value", "")
        found = _span(text, entity.get("text", "")) or _span(text, value)
        if not found or not name:
            return None
        words = found.group(0)
        # Rasa's two forms: [Koungou](commune) and [kgou]{"entity": "commune", "value": "Koungou"}.
        mark = f"({name})" if words == value else json.dumps({"entity": name, "value": value}, ensure_ascii=False)
        text = f"{text[:found.start()]}[{words}]{mark}{text[found.end():]}"
    return text


def _existing(out: Path) -> dict[str, list[str]]:
    """What the output file already holds, by intent, as written."""
    if not out.exists():
        return {}
    data = yaml.safe_load(out.read_text(encoding="utf-8")) or {}
    kept: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        lines = str(block.get("examples") or "").splitlines()
        kept.setdefault(block["intent"], []).extend(line.strip()[2:] for line in lines if line.strip())
    return kept


def merge(entries: list[Entry], out: Path, held_out: Path) -> tuple[dict[str, list[str]], int]:
    """(examples by intent, how many entries were left out)."""
    others = [p for p in sorted((ROOT / "nlu").rglob("*.yml")) if p.resolve() != out.resolve()]
    known = {normalised_text(i.text) for path in others for i in load_items(path)}
    known |= {normalised_text(i.text) for i in load_items(held_out)}
    examples = _existing(out)
    known |= {normalised_text(_MARKUP.sub(r"\1", t)) for ts in examples.values() for t in ts}
    skipped = 0
    for entry in entries:
        text = training_text(entry)
        plain = normalised_text(entry.text.replace("[", " ").replace("]", " "))
        for placeholder, filler in FILLERS.items():
            plain = plain.replace(normalised_text(placeholder), normalised_text(filler))
        if text is None or not plain or plain in known:
            skipped += 1
            continue
        known.add(plain)
        examples.setdefault(entry.label or "", []).append(text)
    return examples, skipped


def render(examples: dict[str, list[str]]) -> str:
    lines = [
        "# Written by `python -m stack.review export` from the advisers' labels",
        "# (/revue). Read the diff before committing.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in sorted(examples):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in sorted(set(examples[intent]))]
    return "\n".join(lines) + "\n"


async def _labelled() -> list[Entry]:
    redis = get_redis()
    try:
        return await review_queue.labelled(redis)
    finally:
        await redis.close()


def write(entries: list[Entry], out: Path, held_out: Path = HELD_OUT) -> tuple[int, int]:
    """(examples in the file, entries left out)."""
    examples, skipped = merge(entries, out, held_out)
    if examples:
        out.write_text(render(examples), encoding="utf-8")
    return sum(len(v) for v in examples.values()), skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack.review")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("export", help="labelled entries into nlu/reviewed.yml")
    cmd.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    written, skipped = write(asyncio.run(_labelled()), args.out)
    print(f"{args.out}: {written} examples ({skipped} entries left out: already known or held out). "
          "Read the diff before committing.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
