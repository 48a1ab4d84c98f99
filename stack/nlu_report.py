"""``make nlu-report``: score a trained model on a held-out NLU set.

    python -m stack.nlu_report [--model models/<name>.tar.gz] --out results/

Every example of the set (Rasa YAML, default ``tests/nlu_test.yml``) is
parsed in-process exactly as ``POST /model/parse`` would, then written to
``--out``: ``nlu_intents.md`` (per-intent precision/recall/F1/support),
``nlu_confusion.png``, ``nlu_entities.md`` (micro scores over
(entity, canonical value) pairs), ``nlu_errors.md`` and ``nlu_summary.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.train import model_path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "tests" / "nlu_test.yml"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    entities: tuple[tuple[str, str], ...]
    seconds: float


def load_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        Example(
            text=message.get("text"),
            intent=message.get("intent"),
            entities=tuple(
                (entity["entity"], str(entity["value"])) for entity in message.get("entities") or []
            ),
        )
        for message in data.intent_examples
    ]


async def parse_all(model: Path, texts: list[str]) -> list[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    predictions = []
    for text in texts:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        elapsed = time.perf_counter() - started
        predictions.append(Prediction(
            intent=parsed["intent"]["name"],
            confidence=float(parsed["intent"].get("confidence") or 0.0),
            entities=tuple((e["entity"], str(e["value"])) for e in parsed.get("entities", [])),
            seconds=elapsed,
        ))
    return predictions


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def intent_rows(gold: list[str], predicted: list[str]) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support per gold or predicted intent."""
    rows = []
    for intent in sorted(set(gold) | set(predicted)):
        tp = sum(g == p == intent for g, p in zip(gold, predicted, strict=True))
        n_pred = predicted.count(intent)
        support = gold.count(intent)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        rows.append({"intent": intent, "precision": precision, "recall": recall,
                     "f1": _f1(precision, recall), "support": support})
    return rows


def entity_scores(gold: list[tuple[tuple[str, str], ...]],
                  predicted: list[tuple[tuple[str, str], ...]]) -> dict[str, dict[str, float]]:
    """Micro precision/recall/F1 over (entity, value) pairs, overall and per entity."""
    counts: dict[str, Counter[str]] = {}
    for gold_pairs, pred_pairs in zip(gold, predicted, strict=True):
        g, p = Counter(gold_pairs), Counter(pred_pairs)
        for (entity, _), n in (g & p).items():
            counts.setdefault(entity, Counter())["tp"] += n
        for (entity, _), n in (p - g).items():
            counts.setdefault(entity, Counter())["fp"] += n
        for (entity, _), n in (g - p).items():
            counts.setdefault(entity, Counter())["fn"] += n
    counts["micro"] = sum(counts.values(), Counter())
    scores = {}
    for name, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        scores[name] = {"precision": precision, "recall": recall, "f1": _f1(precision, recall),
                        "support": c["tp"] + c["fn"]}
    return scores


def _markdown(rows: list[dict[str, Any]], first: str) -> str:
    lines = [f"| {first} | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {r[first]} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['support']} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def plot_confusion(gold: list[str], predicted: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(set(gold) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    size = max(6, 0.45 * len(labels))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("intention prédite")
    ax.set_ylabel("intention attendue")
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, n, ha="center", va="center", fontsize=7,
                        color="white" if i == j else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _errors(examples: list[Example], predictions: list[Prediction]) -> str:
    lines = ["# Erreurs NLU", "", "| texte | attendu | prédit | confiance | entités attendues |"
             " entités prédites |", "|---|---|---|---:|---|---|"]
    for example, prediction in zip(examples, predictions, strict=True):
        if example.intent == prediction.intent and Counter(example.entities) == Counter(
            prediction.entities
        ):
            continue
        text = example.text.replace("|", "\\|")
        lines.append(
            f"| {text} | {example.intent} | {prediction.intent} | {prediction.confidence:.2f} | "
            f"{_pairs(example.entities)} | {_pairs(prediction.entities)} |"
        )
    return "\n".join(lines) + "\n"


def _pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{entity}={value}" for entity, value in pairs) or "—"


def report(model: Path, data: Path, out: Path) -> dict[str, Any]:
    examples = load_examples(data)
    predictions = asyncio.run(parse_all(model, [e.text for e in examples]))
    gold = [e.intent for e in examples]
    predicted = [p.intent for p in predictions]
    rows = intent_rows(gold, predicted)
    entities = entity_scores([e.entities for e in examples], [p.entities for p in predictions])
    latencies = sorted(p.seconds for p in predictions)
    summary = {
        "model": str(model), "data": str(data), "examples": len(examples),
        "intent_accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold),
        "entity_f1": entities["micro"]["f1"],
        "entity_precision": entities["micro"]["precision"],
        "entity_recall": entities["micro"]["recall"],
        "latency_ms_median": 1000 * latencies[len(latencies) // 2],
        "latency_ms_p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu_intents.md").write_text(
        f"# Intentions ({data.name})\n\nExactitude : {summary['intent_accuracy']:.3f} "
        f"sur {len(examples)} exemples.\n\n" + _markdown(rows, "intent"), encoding="utf-8")
    entity_rows = [{"entity": name, **scores} for name, scores in sorted(entities.items())]
    (out / "nlu_entities.md").write_text(
        "# Entités: paires (entité, valeur canonique), micro\n\n" + _markdown(entity_rows, "entity"),
        encoding="utf-8")
    (out / "nlu_errors.md").write_text(_errors(examples, predictions), encoding="utf-8")
    (out / "nlu_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    plot_confusion(gold, predicted, out / "nlu_confusion.png")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="trained model (.tar.gz); default: the one `make train` built")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="held-out NLU set")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    summary = report(args.model or model_path(), args.data, args.out)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
