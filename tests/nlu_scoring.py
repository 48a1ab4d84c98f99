"""Score NLU predictions against an annotated Rasa NLU YAML test file.

Entities are compared as sets of (entity, canonical value) pairs per message:
spans do not matter, and a pair predicted twice counts once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cnam.text import fold

Pair = tuple[str, str]  # (entity, canonical value)

# The inline grammar of rasa.shared.nlu.training_data.entities_parser:
# [text](entity), [text](entity:value) or [text]{"entity": ..., "value": ...}.
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\](?:\((?P<short>[^)]+?)\)|\{(?P<json>[^}]+?)\})"
)


@dataclass(frozen=True)
class Item:
    text: str
    intent: str
    entities: tuple[Pair, ...]


@dataclass(frozen=True)
class Prediction:
    intent: str
    entities: tuple[Pair, ...]


@dataclass(frozen=True)
class Miss:
    text: str
    expected_intent: str
    predicted_intent: str
    missing: tuple[Pair, ...]  # expected, not predicted
    extra: tuple[Pair, ...]  # predicted, not expected


@dataclass
class Scores:
    total: int = 0
    intent_correct: int = 0
    entity_expected: int = 0
    entity_predicted: int = 0
    entity_correct: int = 0
    intent_errors: dict[str, list[Miss]] = field(default_factory=dict)  # by expected intent
    entity_errors: list[Miss] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def entity_precision(self) -> float:
        # Nothing predicted means nothing wrongly claimed.
        if not self.entity_predicted:
            return 1.0
        return self.entity_correct / self.entity_predicted

    @property
    def entity_recall(self) -> float:
        if not self.entity_expected:
            return 1.0
        return self.entity_correct / self.entity_expected

    @property
    def entity_f1(self) -> float:
        p, r = self.entity_precision, self.entity_recall
        return 2 * p * r / (p + r) if p + r else 0.0


def parse_example(example: str) -> tuple[str, list[Pair]]:
    """The plain text of one annotated example and its (entity, value) pairs."""
    pairs: list[Pair] = []

    def plain(match: re.Match[str]) -> str:
        text = match["text"]
        if match["json"] is not None:
            attributes = json.loads("{" + match["json"] + "}")
            pairs.append((attributes["entity"], str(attributes.get("value", text))))
        else:
            name, _, value = match["short"].partition(":")
            pairs.append((name, value or text))
        return text

    return _ANNOTATION.sub(plain, example), pairs


def block_examples(block: dict[str, Any]) -> Iterable[str]:
    """The example lines of one block of a Rasa NLU YAML file."""
    examples = block.get("examples") or ""
    if isinstance(examples, list):  # the long form: a list of {text: ...}
        yield from (str(e["text"]) for e in examples if isinstance(e, dict) and "text" in e)
        return
    for line in str(examples).splitlines():
        # Rasa skips lines without the leading dash too.
        if line.startswith("-"):
            yield line[1:].strip()


def load_items(path: str | Path) -> list[Item]:
    """Every intent example of a Rasa NLU YAML file, in file order."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    items: list[Item] = []
    blocks = data.get("nlu") if isinstance(data, dict) else None
    for block in blocks or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, lookups and regexes
        for example in block_examples(block):
            text, pairs = parse_example(example)
            items.append(Item(text=text, intent=str(block["intent"]), entities=tuple(pairs)))
    return items


def prediction_from_parse(payload: dict[str, Any]) -> Prediction:
    """A Prediction from the JSON body of Rasa's POST /model/parse."""
    intent = (payload.get("intent") or {}).get("name") or ""
    entities = tuple(
        (str(e["entity"]), str(e["value"])) for e in payload.get("entities") or []
    )
    return Prediction(intent=intent, entities=entities)


def score(
    items: Sequence[Item],
    predictions: Sequence[Prediction],
    entity_names: Collection[str] | None = None,
) -> Scores:
    """Intent accuracy and micro entity F1; entity_names restricts the entities scored."""
    if len(items) != len(predictions):
        raise ValueError(f"{len(items)} items but {len(predictions)} predictions")

    def kept(pairs: Iterable[Pair]) -> set[Pair]:
        return {p for p in pairs if entity_names is None or p[0] in entity_names}

    scores = Scores(total=len(items))
    for item, prediction in zip(items, predictions, strict=True):
        expected, predicted = kept(item.entities), kept(prediction.entities)
        correct = expected & predicted
        scores.entity_expected += len(expected)
        scores.entity_predicted += len(predicted)
        scores.entity_correct += len(correct)
        miss = Miss(
            text=item.text,
            expected_intent=item.intent,
            predicted_intent=prediction.intent,
            missing=tuple(sorted(expected - predicted)),
            extra=tuple(sorted(predicted - expected)),
        )
        if prediction.intent == item.intent:
            scores.intent_correct += 1
        else:
            scores.intent_errors.setdefault(item.intent, []).append(miss)
        if expected != predicted:
            scores.entity_errors.append(miss)
    return scores


def _pairs(pairs: Iterable[Pair]) -> str:
    return ", ".join(f"{name}={value}" for name, value in pairs)


def format_report(scores: Scores) -> str:
    """A summary line, then the intent errors by expected intent, then the entity diffs."""
    lines = [
        f"intent accuracy {scores.intent_accuracy:.3f} ({scores.intent_correct}/{scores.total});"
        f" entities P {scores.entity_precision:.3f} R {scores.entity_recall:.3f}"
        f" F1 {scores.entity_f1:.3f} ({scores.entity_correct} correct,"
        f" {scores.entity_predicted} predicted, {scores.entity_expected} expected)"
    ]
    if scores.intent_errors:
        lines.append("intent errors (expected -> got):")
        for intent in sorted(scores.intent_errors):
            misses = scores.intent_errors[intent]
            lines.append(f"  {intent} ({len(misses)}):")
            lines.extend(f"    {m.text!r} -> {m.predicted_intent}" for m in misses)
    if scores.entity_errors:
        lines.append("entity errors:")
        for m in scores.entity_errors:
            diff = []
            if m.missing:
                diff.append(f"missing {_pairs(m.missing)}")
            if m.extra:
                diff.append(f"extra {_pairs(m.extra)}")
            lines.append(f"  {m.text!r}: {'; '.join(diff)}")
    return "\n".join(lines)


def normalised_text(text: str) -> str:
    """Lower case, no accents, no punctuation: "Jéjé !" and "jeje" are the same message."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def overlapping_texts(items: Iterable[Item], training_files: Iterable[str | Path]) -> list[str]:
    """Test texts that also appear, once normalised, among the training examples."""
    seen = {
        normalised_text(example.text)
        for path in training_files
        for example in load_items(path)
    }
    return [item.text for item in items if normalised_text(item.text) in seen]
