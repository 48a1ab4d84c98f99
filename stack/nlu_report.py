"""``make nlu-report``: score a trained model on a held-out NLU set.

    python -m stack.nlu_report [--model models/<name>.tar.gz] --out results/

Every example of the set (Rasa YAML, default ``tests/nlu_test.yml``) is
parsed in-process exactly as ``POST /model/parse`` would, then written to
``--out``: ``nlu_intents.md`` (per-intent precision/recall/F1/support),
``nlu_confusion.png``, ``nlu_entities.md`` ((entity, canonical value) pairs,
scored as the acceptance test does with ``tests/nlu_scoring.py``),
``nlu_errors.md`` and ``nlu_summary.json``; the scores are printed beside
those of the report the folder held before (after a review round: before →
after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.train import model_path
from tests.nlu_contract import ENTITY_VALUES
from tests.nlu_scoring import Prediction, format_report, load_items, prediction_from_parse, score

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "tests" / "nlu_test.yml"


@dataclass(frozen=True)
class Parsed:
    prediction: Prediction
    confidence: float
    seconds: float


async def parse_all(model: Path, texts: list[str]) -> list[Parsed]:
    """Each text through the model, as ``POST /model/parse`` would see it."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parsed = []
    for text in texts:
        started = time.perf_counter()
        payload = await agent.parse_message(text)
        elapsed = time.perf_counter() - started
        parsed.append(Parsed(
            prediction=prediction_from_parse(payload),
            confidence=float(payload["intent"].get("confidence") or 0.0),
            seconds=elapsed,
        ))
    return parsed


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


def report(model: Path, data: Path, out: Path) -> dict[str, Any]:
    items = load_items(data)
    parsed = asyncio.run(parse_all(model, [item.text for item in items]))
    predictions = [p.prediction for p in parsed]
    gold = [item.intent for item in items]
    predicted = [p.intent for p in predictions]
    # Scored like the acceptance test: contract entities only, pairs as sets.
    scores = score(items, predictions, entity_names=ENTITY_VALUES)
    latencies = sorted(p.seconds for p in parsed)
    summary = {
        "model": str(model), "data": str(data), "examples": len(items),
        "intent_accuracy": scores.intent_accuracy,
        "entity_f1": scores.entity_f1,
        "entity_precision": scores.entity_precision,
        "entity_recall": scores.entity_recall,
        "latency_ms_median": 1000 * latencies[len(latencies) // 2],
        "latency_ms_p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu_intents.md").write_text(
        f"# Intentions ({data.name})\n\nExactitude : {scores.intent_accuracy:.3f} "
        f"sur {len(items)} exemples.\n\n" + _markdown(intent_rows(gold, predicted), "intent"),
        encoding="utf-8")
    entity_rows = []
    for name in [*ENTITY_VALUES, None]:
        part = score(items, predictions, entity_names=[name] if name else ENTITY_VALUES)
        entity_rows.append({
            "entity": name or "**micro**", "precision": part.entity_precision,
            "recall": part.entity_recall, "f1": part.entity_f1, "support": part.entity_expected,
        })
    (out / "nlu_entities.md").write_text(
        "# Entités : paires (entité, valeur canonique)\n\n" + _markdown(entity_rows, "entity"),
        encoding="utf-8")
    low = [f"- {item.text!r}: {p.prediction.intent} ({p.confidence:.2f})"
           for item, p in zip(items, parsed, strict=True) if p.confidence < 0.6]
    (out / "nlu_errors.md").write_text(
        "# Erreurs NLU\n\n```\n" + format_report(scores) + "\n```\n\n"
        "## Confiance d'intention < 0.6\n\n" + "\n".join(low) + "\n", encoding="utf-8")
    (out / "nlu_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    plot_confusion(gold, predicted, out / "nlu_confusion.png")
    return summary


def compare(previous: dict[str, Any] | None, summary: dict[str, Any]) -> str:
    """Before → after, against the last report written to the same folder (a
    review round: report, export, train, report again)."""
    if previous is None or previous.get("data") != summary["data"]:
        return "No earlier report on this set in the output folder: nothing to compare."
    return "\n".join(
        f"{key}: {previous[key]:.3f} → {summary[key]:.3f} ({summary[key] - previous[key]:+.3f})"
        for key in ("intent_accuracy", "entity_f1")
    ) + f"\n(before: {previous['model']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="trained model (.tar.gz); default: the one `make train` built")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="held-out NLU set")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    previous_file = args.out / "nlu_summary.json"
    previous = json.loads(previous_file.read_text(encoding="utf-8")) if previous_file.exists() else None
    summary = report(args.model or model_path(), args.data, args.out)
    print(json.dumps(summary, indent=2))
    print(compare(previous, summary))


if __name__ == "__main__":
    main()
