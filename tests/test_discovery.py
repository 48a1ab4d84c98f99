import itertools

import pytest

from cnam.orientation.discovery import QUESTIONS, choice_for_text, discover_domaines, question
from cnam.vocabulary import DOMAINES_CNAM


def test_questions_are_short_closed_questions() -> None:
    assert 2 <= len(QUESTIONS) <= 3
    ids = [c.id for q in QUESTIONS for c in q.choices]
    assert len(ids) == len(set(ids))
    for q in QUESTIONS:
        assert 4 <= len(q.choices) <= 6
        for choice in q.choices:
            assert len(choice.label) <= 32  # a button on a phone
            assert set(choice.domaines) <= set(DOMAINES_CNAM)


def test_every_answer_set_gives_one_to_three_cnam_fields_and_all_fields_are_reachable() -> None:
    reached = set()
    for answers in itertools.product(*(q.choices for q in QUESTIONS)):
        found = discover_domaines(c.id for c in answers)
        assert 1 <= len(found) <= 3
        assert len(set(found)) == len(found)
        assert set(found) <= set(DOMAINES_CNAM)
        reached.update(found)
    assert reached == set(DOMAINES_CNAM)


@pytest.mark.parametrize(("answers", "first", "also"), [
    (["ordinateurs", "securite"], "cybersecurite", "informatique"),
    (["construire", "planete"], "energie", None),
    (["aider", "transmettre"], "enseignement", None),
    (["mer"], "economie_bleue", None),
    (["mer", "voyager"], "transport_logistique", "economie_bleue"),
    (["chiffres", "organiser"], "management", "gestion_comptabilite"),
])
def test_answers_map_to_the_expected_fields(answers, first, also) -> None:
    found = discover_domaines(answers)
    assert found[0] == first
    if also:
        assert also in found
    assert discover_domaines(answers) == found  # deterministic


def test_no_answer_gives_no_field_and_unknown_ids_are_refused() -> None:
    assert discover_domaines([]) == []
    with pytest.raises(ValueError, match="poisson"):
        discover_domaines(["poisson"])


@pytest.mark.parametrize(("question_id", "text", "expected"), [
    ("gout_1", "ordinateurs", "ordinateurs"),  # button payload
    ("gout_1", "🌊 La mer, le lagon", "mer"),  # button label typed back
    ("gout_1", "j'aime la pêche et les bateaux", "mer"),
    ("gout_1", "jaime bien les ordis", "ordinateurs"),
    ("gout_1", "aider les personnes âgées", "aider"),
    ("gout_1", "merci", None),  # "mer" only as a whole word
    ("gout_2", "chef d'équipe", "organiser"),
    ("gout_2", "prendre l'avion, voyager", "voyager"),
    ("gout_2", "jsp", None),
])
def test_typed_answers_are_matched_on_keywords(question_id, text, expected) -> None:
    assert choice_for_text(question_id, text) == expected


def test_question_lookup() -> None:
    assert question("gout_2").choices[0].id == "vendre"
