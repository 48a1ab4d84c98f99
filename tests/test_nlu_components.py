"""The NLU components' matching and rewriting, without a trained model."""

from __future__ import annotations

import pytest
import yaml
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from cnam.text import fold
from cnam.vocabulary import COMMUNES, DOMAINES, MODALITES, NIVEAUX, SITUATIONS
from rasa_ext.canonical import EntityCanonicalizer, canonicalize
from rasa_ext.entity_values import VALUES_FILE, EntityTable, default_table
from rasa_ext.normalizer import TextNormalizer
from rasa_ext.text_forms import normalize

CONTRACT = {
    "niveau": NIVEAUX, "situation": SITUATIONS, "domaine": DOMAINES,
    "commune": COMMUNES, "modalite": MODALITES,
}


@pytest.fixture(scope="module")
def table() -> EntityTable:
    return default_table()


def test_table_values_are_exactly_the_contract() -> None:
    data = yaml.safe_load(VALUES_FILE.read_text(encoding="utf-8"))
    assert {entity: sorted(values) for entity, values in data["values"].items()} == {
        entity: sorted(values) for entity, values in CONTRACT.items()
    }


@pytest.mark.parametrize("entity", sorted(CONTRACT))
def test_every_canonical_value_maps_to_itself(table: EntityTable, entity: str) -> None:
    for value in CONTRACT[entity]:
        assert table.canonical(entity, value) == value


@pytest.mark.parametrize(
    ("entity", "surface", "expected"),
    [
        ("niveau", "bac +2", "bac+2"),
        ("niveau", "bac2", "bac+2"),
        ("niveau", "Bac 2", "bac+2"),
        ("niveau", "BTS", "bac+2"),
        ("niveau", "DEUST", "bac+2"),
        ("niveau", "bac pro", "bac"),
        ("niveau", "le bac", "bac"),
        ("niveau", "CAP", "sans_bac"),
        ("niveau", "pas le bac", "sans_bac"),
        ("niveau", "licence", "bac+3"),
        ("niveau", "licences", "bac+3"),
        ("niveau", "master", "bac+5"),
        ("situation", "au chômage", "demandeur_emploi"),
        ("situation", "inscrit à Pôle emploi", "demandeur_emploi"),
        ("situation", "inscrite à France Travail", "demandeur_emploi"),
        ("situation", "j'ai décroché", "decrocheur"),
        ("situation", "AED", "agent_rectorat"),
        ("situation", "lycéenne", "lyceen"),
        ("domaine", "informat", "informatique"),
        ("domaine", "compta", "gestion_comptabilite"),
        ("domaine", "cybersécu", "cybersecurite"),
        ("domaine", "ressources humaines", "rh"),
        ("commune", "Kawéni", "Mamoudzou"),
        ("commune", "Passamainty", "Mamoudzou"),
        ("commune", "Cavani", "Mamoudzou"),
        ("commune", "Combani", "Tsingoni"),
        ("commune", "Labattoir", "Dzaoudzi"),
        ("commune", "Hajangoua", "Dembéni"),
        ("commune", "Dzoumogné", "Bandraboua"),
        ("commune", "mamoudzu", "Mamoudzou"),
        ("commune", "m'tsamboro", "M'Tsamboro"),
        ("commune", "mtsangamouji", "M'Tsangamouji"),
        ("commune", "kani keli", "Kani-Kéli"),
        ("commune", "à Koungou", "Koungou"),
        ("modalite", "le soir", "soir_weekend"),
        ("modalite", "hors temps de travail", "soir_weekend"),
        ("modalite", "en ligne", "distance"),
        ("modalite", "en alternance", "alternance"),
    ],
)
def test_canonical_tolerates_spelling(
    table: EntityTable, entity: str, surface: str, expected: str
) -> None:
    assert table.canonical(entity, surface) == expected


@pytest.mark.parametrize(
    ("entity", "surface"),
    [
        ("commune", "Mayotte"),
        ("commune", "Petite-Terre"),
        ("commune", "Grande-Terre"),
        ("commune", "la Réunion"),
        ("niveau", "bonjour"),
        ("domaine", "truc"),
        ("situation", "Koungou"),
        ("situation", "Pôle emploi"),
        ("commune", "bweni"),
    ],
)
def test_canonical_drops_what_is_not_a_value(table: EntityTable, entity: str, surface: str) -> None:
    assert table.canonical(entity, surface) is None


def test_relabel_moves_an_exact_form_to_its_entity(table: EntityTable) -> None:
    assert table.relabel("situation", "en alternance") == ("modalite", "alternance")
    assert table.relabel("niveau", "Hajangoua") == ("commune", "Dembéni")


def _pairs(table: EntityTable, text: str) -> set[tuple[str, str]]:
    return {(s.entity, s.value) for s in table.spot(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "chui au chomage a koungou g le bac pro",
            {("situation", "demandeur_emploi"), ("commune", "Koungou"), ("niveau", "bac")},
        ),
        ("faut le bac ?", {("niveau", "bac")}),
        ("g pas le bac", {("niveau", "sans_bac")}),
        ("le cnam c'est loin de Koungou ?", {("commune", "Koungou")}),
        ("j'habite a kaweni", {("commune", "Mamoudzou")}),
        ("vous êtes à Mamoudzu ?", {("commune", "Mamoudzou")}),
        ("j'ai un BTS compta", {("niveau", "bac+2"), ("domaine", "gestion_comptabilite")}),
        ("dispo le soir", {("modalite", "soir_weekend")}),
    ],
)
def test_spot_finds_stated_values(
    table: EntityTable, text: str, expected: set[tuple[str, str]]
) -> None:
    assert _pairs(table, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "bonjour",
        "il fait beau à Mayotte ?",
        "je vis en Petite-Terre",
        "France Travail peut payer ?",
        "mon patron peut payer ?",
        "rdv ce soir",
        "c'est dans quel bâtiment ?",
        "y a un bus pour venir ?",
        "marahaba bwéni",
    ],
)
def test_spot_stays_silent_without_a_stated_value(table: EntityTable, text: str) -> None:
    assert _pairs(table, text) == set()


def test_spot_prefers_the_longest_form(table: EntityTable) -> None:
    spotted = table.spot("j'ai pas le bac")
    assert [(s.entity, s.value, "j'ai pas le bac"[s.start:s.end]) for s in spotted] == [
        ("niveau", "sans_bac", "pas le bac")
    ]


def test_fold_keeps_length_and_removes_accents() -> None:
    text = "Kawéni, l’ÉCOLE"
    assert fold(text) == "kaweni, l'ecole"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slt chui au chômage", "salut je suis au chomage"),
        ("g le bac", "j' ai le bac"),
        ("c koi le cnam ?", "c' est quoi le cnam ?"),
        ("J’ai un BTS en l’informatique", "j' ai un bts en l' informatique"),
        ("rdv dispo stp", "rendez-vous disponible s' il te plait"),
        ("bac+2", "bac+2"),
    ],
)
def test_normalize_rewrites_sms_and_elisions(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_normalize_can_keep_accents_for_word_vectors() -> None:
    assert normalize("Chui étudiante à Kawéni", keep_accents=True).text == (
        "je suis étudiante à kawéni"
    )


def test_normalize_offsets_go_both_ways() -> None:
    original = "Slt g le bac pro à Kawéni"
    normalized = normalize(original)
    start = original.index("Kawéni")
    norm_start, norm_end = normalized.to_normalized(start, start + len("Kawéni"))
    assert normalized.text[norm_start:norm_end] == "kaweni"
    assert normalized.to_original(norm_start, norm_end) == (start, start + len("Kawéni"))
    # A span inside an expansion widens to the user's whole word.
    inside = normalized.text.index("ai")
    assert original[slice(*normalized.to_original(inside, inside + 2))] == "g"


def _message(text: str, entities: list[dict] | None = None) -> Message:
    return Message(data={TEXT: text, ENTITIES: entities or []})


def test_normalizer_moves_training_entities_onto_the_new_text() -> None:
    text = "chui à Kawéni"
    message = _message(text, [{"entity": "commune", "value": "Mamoudzou", "start": 7, "end": 13}])
    TextNormalizer().process_training_data(TrainingData([message]))
    entity = message.get(ENTITIES)[0]
    assert message.get(TEXT) == "je suis a kaweni"
    assert message.get(TEXT)[entity["start"]:entity["end"]] == "kaweni"


def test_canonicalizer_restores_text_and_offsets() -> None:
    text = "g un bts a Kawéni"
    message = _message(text)
    TextNormalizer().process([message])
    normalized = message.get(TEXT)
    start = normalized.index("kaweni")
    message.set(ENTITIES, [{"entity": "commune", "value": "kaweni", "start": start,
                            "end": start + 6, "extractor": "DIETClassifier"}])
    message.set(TOKENS_NAMES[TEXT], [Token("kaweni", start, end=start + 6)])
    EntityCanonicalizer(default_table()).process([message])
    assert message.get(TEXT) == text
    assert {(e["entity"], e["value"], text[e["start"]:e["end"]]) for e in message.get(ENTITIES)} == {
        ("commune", "Mamoudzou", "Kawéni"),
        ("niveau", "bac+2", "bts"),
    }
    assert message.get(TOKENS_NAMES[TEXT])[0].start == text.index("Kawéni")


def test_canonicalize_drops_unknown_values_and_repeats(table: EntityTable) -> None:
    text = "Mayotte, le soir et le week-end"
    entities = [
        {"entity": "commune", "value": "Mayotte", "start": 0, "end": 7},
        {"entity": "modalite", "value": "le soir", "start": 9, "end": 16},
    ]
    kept = canonicalize(entities, text, table, "test")
    assert [(e["entity"], e["value"]) for e in kept] == [("modalite", "soir_weekend")]


@pytest.mark.parametrize(
    ("text", "span", "entity", "expected"),
    [
        ("chui plus au lycée depuis 1 an", "au lycée", "situation", ("situation", "decrocheur")),
        ("g pas le bac", "bac", "niveau", ("niveau", "sans_bac")),
        ("je veux être préparatrice en pharmacie", "pharmacie", "domaine", ("domaine", "sante_social")),
    ],
)
def test_canonicalize_prefers_a_stated_form_covering_the_span(
    table: EntityTable, text: str, span: str, entity: str, expected: tuple[str, str]
) -> None:
    start = text.index(span)
    marked = [{"entity": entity, "value": span, "start": start, "end": start + len(span)}]
    assert [(e["entity"], e["value"]) for e in canonicalize(marked, text, table, "test")] == [expected]


def test_canonicalize_keeps_the_span_when_the_stated_form_only_overlaps(table: EntityTable) -> None:
    text = "j'ai un BTS compta"
    marked = [{"entity": "niveau", "value": "un BTS", "start": 5, "end": 11}]
    assert {(e["entity"], e["value"]) for e in canonicalize(marked, text, table, "test")} == {
        ("niveau", "bac+2"), ("domaine", "gestion_comptabilite"),
    }
