"""``make nlu-cv``: k-fold cross-validation of NLU pipelines on the training data.

    python -m bench.nlu_cv [--folds 3] [--config config.yml bench/nlu/spacy_md.yml]
                           [--only 0] [--reports DIR] [--out nlu-cv.json]

The examples of ``nlu/`` are split by intent into k folds (fixed seed); for
each fold and pipeline, ``rasa train nlu`` on the other folds (synonyms,
lookups and regexes kept whole), then the fold is scored exactly as the
held-out acceptance test scores ``tests/nlu_test.yml`` (stack/nlu_report.py):
intent accuracy, entity F1 on (entity, canonical value) pairs, parse latency.
``--only 0`` scores fold 0 alone (same split): a third of the time, to screen
a pipeline lever before the full run. Writes ``bench/results/nlu-cv.json`` (or
``--out``) and prints a Markdown table;
``--reports DIR`` keeps each fold's report (``DIR/<config>/fold<k>/``: errors
with the misclassified sentences, per-intent scores, confusion matrix).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from stack.nlu_report import report
from tests.nlu_scoring import block_examples

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def split(nlu_dir: Path, folds: int, seed: int = 13) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The blocks kept in every training set, and k lists of intent blocks (one per fold)."""
    kept: list[dict[str, Any]] = []
    by_intent: dict[str, list[str]] = defaultdict(list)
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                by_intent[str(block["intent"])].extend(block_examples(block))
            else:
                kept.append(block)
    rng = random.Random(seed)
    parts: list[dict[str, list[str]]] = [defaultdict(list) for _ in range(folds)]
    for intent, examples in sorted(by_intent.items()):
        rng.shuffle(examples)
        for i, example in enumerate(examples):
            parts[i % folds][intent].append(example)
    return kept, [[{"intent": i, "examples": e} for i, e in p.items()] for p in parts]


class _NluDumper(yaml.SafeDumper):
    """Multi-line strings (examples) as literal blocks, like Rasa's own files."""


_NluDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def write_nlu(path: Path, blocks: list[dict[str, Any]]) -> None:
    def block_text(block: dict[str, Any]) -> dict[str, Any]:
        if isinstance(block.get("examples"), list):
            return {**block, "examples": "".join(f"- {e}\n" for e in block["examples"])}
        return block

    data = {"version": "3.1", "nlu": [block_text(b) for b in blocks]}
    path.write_text(yaml.dump(data, Dumper=_NluDumper, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def train(config: Path, data: Path, out: Path, cache: Path) -> float:
    """Seconds of ``rasa train nlu``; the model lands in ``out/model.tar.gz``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_CACHE_DIRECTORY": str(cache)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu", str(data),
         "--out", str(out), "--fixed-model-name", "model"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def cross_validate(
    configs: list[Path], folds: int, reports: Path | None = None, only: list[int] | None = None
) -> dict[str, Any]:
    kept, parts = split(ROOT / "nlu", folds)
    scored = only or list(range(folds))
    results: dict[str, Any] = {"folds": folds, "scored": scored, "examples": sum(
        len(b["examples"]) for p in parts for b in p), "pipelines": {}}
    with tempfile.TemporaryDirectory(prefix="nlu-cv-") as tmp:
        work = Path(tmp)
        for config in configs:
            runs = []
            for k in scored:
                fold = work / config.stem / f"fold{k}"
                fold.mkdir(parents=True)
                training = [b for i, p in enumerate(parts) if i != k for b in p]
                write_nlu(fold / "train.yml", kept + training)
                write_nlu(fold / "test.yml", parts[k])
                # A fresh cache per fold: nothing trained on another fold is reused.
                seconds = train(config, fold / "train.yml", fold, fold / "cache")
                kept_report = reports / config.stem / f"fold{k}" if reports else fold / "report"
                summary = report(fold / "model.tar.gz", fold / "test.yml", kept_report)
                runs.append({"train_s": round(seconds, 1), **{
                    key: summary[key] for key in (
                        "examples", "intent_accuracy", "entity_f1",
                        "latency_ms_median", "latency_ms_p95")}})
                print(f"{config}: fold {k}: {runs[-1]}", flush=True)
            results["pipelines"][str(config)] = {"runs": runs, "mean": {
                key: statistics.mean(r[key] for r in runs) for key in runs[0] if key != "examples"
            }, "stdev": {
                key: statistics.stdev(r[key] for r in runs) if len(runs) > 1 else 0.0
                for key in ("intent_accuracy", "entity_f1")
            }}
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        f"| pipeline ({results['folds']}-fold CV, folds {results['scored']}, "
        f"{results['examples']} examples) | intent acc. "
        "| entity F1 | train (s) | parse p50 / p95 (ms) |",
        "|---|---|---|---|---|",
    ]
    for name, result in results["pipelines"].items():
        mean, stdev = result["mean"], result["stdev"]
        lines.append(
            f"| `{name}` | {mean['intent_accuracy']:.3f} ± {stdev['intent_accuracy']:.3f} "
            f"| {mean['entity_f1']:.3f} ± {stdev['entity_f1']:.3f} | {mean['train_s']:.0f} "
            f"| {mean['latency_ms_median']:.1f} / {mean['latency_ms_p95']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu_cv", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--config", type=Path, nargs="+",
                        default=[Path("config.yml"), Path("bench/nlu/spacy_md.yml")])
    parser.add_argument("--only", type=int, nargs="+", default=None,
                        help="score these folds only (screening)")
    parser.add_argument("--reports", type=Path, default=None,
                        help="keep each fold's report (misclassified sentences) under this folder")
    parser.add_argument("--out", default="nlu-cv.json", help="file name under bench/results/")
    args = parser.parse_args()
    results = cross_validate(args.config, args.folds, args.reports, args.only)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
