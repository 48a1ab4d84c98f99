"""The held-out scorer, on small hand-made items whose scores are worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nlu_scoring import (
    Item,
    Miss,
    Prediction,
    format_report,
    load_items,
    normalised_text,
    overlapping_texts,
    parse_example,
    prediction_from_parse,
    score,
)

ITEMS = [
    Item("bjr", "greet", ()),
    Item("g le bac a Koungou", "inform", (("niveau", "bac"), ("commune", "Koungou"))),
    Item("je veux bosser dans le btp", "inform", (("domaine", "btp"),)),
    Item("faut le bac ?", "ask_prerequisites", (("niveau", "bac"),)),
]
PREDICTIONS = [
    Prediction("greet", ()),  # no entities either side
    Prediction("inform", (("commune", "Mamoudzou"),)),  # wrong value, one missed
    Prediction("ask_offers", (("domaine", "btp"), ("modalite", "distance"))),  # extra entity
    Prediction("ask_prerequisites", ()),  # missed
]


def test_parse_example_reads_the_three_annotation_forms() -> None:
    text, pairs = parse_example(
        'g le [bac pro]{"entity": "niveau", "value": "bac"} a [Koungou](commune),'
        " je bosse a [kaweni](commune:Mamoudzou)"
    )
    assert text == "g le bac pro a Koungou, je bosse a kaweni"
    assert pairs == [("niveau", "bac"), ("commune", "Koungou"), ("commune", "Mamoudzou")]


def test_load_items_keeps_intent_examples_only(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- synonym: Mamoudzou\n"
        "  examples: |\n"
        "    - kaweni\n"
        "- intent: inform\n"
        "  examples: |\n"
        '    - chui [au chômage]{"entity": "situation", "value": "demandeur_emploi"}\n'
        "    - j'ai 19 ans\n"
        "- intent: greet\n"
        "  examples:\n"
        "  - text: slt\n",
        encoding="utf-8",
    )
    assert load_items(path) == [
        Item("chui au chômage", "inform", (("situation", "demandeur_emploi"),)),
        Item("j'ai 19 ans", "inform", ()),
        Item("slt", "greet", ()),
    ]


def test_score_by_hand() -> None:
    scores = score(ITEMS, PREDICTIONS)
    assert scores.intent_accuracy == 3 / 4
    # correct: 0 + 0 + 1 + 0; predicted: 0 + 1 + 2 + 0; expected: 0 + 2 + 1 + 1
    assert (scores.entity_correct, scores.entity_predicted, scores.entity_expected) == (1, 3, 4)
    assert scores.entity_precision == pytest.approx(1 / 3)
    assert scores.entity_recall == pytest.approx(1 / 4)
    assert scores.entity_f1 == pytest.approx(2 / 7)  # 2·(1/3)(1/4) / (1/3 + 1/4)


def test_score_lists_errors_by_expected_intent_and_entity_diffs() -> None:
    scores = score(ITEMS, PREDICTIONS)
    btp = Miss(
        "je veux bosser dans le btp", "inform", "ask_offers",
        missing=(), extra=(("modalite", "distance"),),
    )
    assert scores.intent_errors == {"inform": [btp]}
    assert scores.entity_errors == [
        Miss(
            "g le bac a Koungou", "inform", "inform",
            missing=(("commune", "Koungou"), ("niveau", "bac")),
            extra=(("commune", "Mamoudzou"),),
        ),
        btp,
        Miss("faut le bac ?", "ask_prerequisites", "ask_prerequisites",
             missing=(("niveau", "bac"),), extra=()),
    ]


def test_no_entities_anywhere_is_a_perfect_entity_score() -> None:
    scores = score([Item("ewa", "affirm", ())], [Prediction("affirm", ())])
    assert (scores.intent_accuracy, scores.entity_f1) == (1.0, 1.0)
    assert scores.intent_errors == {} and scores.entity_errors == []


def test_nothing_predicted_when_something_expected_scores_zero() -> None:
    scores = score([Item("BTS", "inform", (("niveau", "bac+2"),))], [Prediction("inform", ())])
    assert (scores.entity_precision, scores.entity_recall, scores.entity_f1) == (1.0, 0.0, 0.0)


def test_pairs_are_sets_and_entity_names_filter_what_is_scored() -> None:
    item = Item("jeudi a Kaweni", "book_appointment", (("commune", "Mamoudzou"),))
    prediction = Prediction(
        "book_appointment",
        (("commune", "Mamoudzou"), ("commune", "Mamoudzou"), ("time", "2025-01-09")),
    )
    unfiltered = score([item], [prediction])
    assert (unfiltered.entity_correct, unfiltered.entity_predicted) == (1, 2)
    filtered = score([item], [prediction], entity_names={"commune"})
    assert (filtered.entity_correct, filtered.entity_predicted, filtered.entity_f1) == (1, 1, 1.0)


def test_score_refuses_unmatched_lengths() -> None:
    with pytest.raises(ValueError):
        score(ITEMS, PREDICTIONS[:2])


def test_prediction_from_parse_reads_rasa_json() -> None:
    payload = {
        "text": "g 2 BTS",
        "intent": {"name": "inform", "confidence": 0.9},
        "entities": [
            {"entity": "niveau", "value": "bac+2", "start": 4, "end": 7},
            {"entity": "number", "value": 2, "start": 2, "end": 3},
        ],
        "intent_ranking": [],
    }
    assert prediction_from_parse(payload) == Prediction(
        "inform", (("niveau", "bac+2"), ("number", "2"))
    )
    assert prediction_from_parse({"text": "", "intent": {}, "entities": []}) == Prediction("", ())


def test_format_report_shows_each_error() -> None:
    report = format_report(score(ITEMS, PREDICTIONS))
    assert report.splitlines()[0].startswith("intent accuracy 0.750 (3/4)")
    assert "  inform (1):\n    'je veux bosser dans le btp' -> ask_offers" in report
    assert (
        "  'g le bac a Koungou': missing commune=Koungou, niveau=bac; extra commune=Mamoudzou"
        in report
    )
    assert "  'faut le bac ?': missing niveau=bac" in report


def test_overlap_ignores_case_accents_and_punctuation(tmp_path: Path) -> None:
    assert normalised_text("  Jéjé, ÇA va ?! ") == "jeje ca va"
    training = tmp_path / "train.yml"
    training.write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - jeje ca va\n    - kwezi\n",
        encoding="utf-8",
    )
    items = [Item("Jéjé, ça va ?", "greet", ()), Item("akory", "greet", ())]
    assert overlapping_texts(items, [training]) == ["Jéjé, ça va ?"]
