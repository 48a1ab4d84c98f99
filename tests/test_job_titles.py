"""Job titles of the catalog (catalog/job_titles.yaml) and the NLU's entity table."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cnam.orientation.catalog import CatalogError
from cnam.orientation.job_titles import catalog_job_titles, job_titles_path, load_job_titles
from cnam.settings import get_settings
from cnam.vocabulary import DOMAINES
from rasa_ext.canonical import canonicalize
from rasa_ext.entity_values import VALUES_FILE, EntityTable, default_table, match_key

CATALOG_FILE = Path(__file__).parents[1] / "catalog" / "job_titles.yaml"


@pytest.fixture(scope="module")
def titles() -> dict[str, list[str]]:
    return load_job_titles(CATALOG_FILE)


def test_the_catalog_list_is_valid_and_covers_every_field(titles: dict[str, list[str]]) -> None:
    assert set(titles) == set(DOMAINES)
    assert 150 <= sum(len(t) for t in titles.values()) <= 350


def test_the_list_is_found_in_the_catalog_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CATALOG_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert job_titles_path() == tmp_path / "job_titles.yaml"
        # A catalog folder without the list: no job titles, the processes still start.
        assert catalog_job_titles() == {}
        (tmp_path / "job_titles.yaml").write_text("job_titles:\n  btp: [maçon]\n", encoding="utf-8")
        assert catalog_job_titles() == {"btp": ["maçon"]}
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("aide-soignante", "sante_social"),
        ("aide soignant", "sante_social"),
        ("infirmière", "sante_social"),
        ("auxiliaire de vie", "sante_social"),
        ("maçon", "btp"),
        ("plombier", "btp"),
        ("cariste", "transport_logistique"),
        ("chauffeur poids lourd", "transport_logistique"),
        ("comptable", "gestion_comptabilite"),
        ("secrétaire", "gestion_comptabilite"),
        ("développeur", "informatique"),
        ("developpeuse web", "informatique"),
        ("caissière", "commerce"),
        ("cuisinier", "tourisme"),
        ("pêcheur", "economie_bleue"),
        ("électricienne", "energie"),
        ("professeur des écoles", "enseignement"),
        ("chargée de recrutement", "rh"),
        ("chef d'équipe", "management"),
        ("médecin", "medecine"),
        ("sage-femme", "medecine"),
        ("pilote de ligne", "pilotage"),
    ],
)
def test_a_job_title_marked_as_domaine_becomes_its_field(said: str, expected: str) -> None:
    text = f"je veux devenir {said}"
    start = text.index(said)
    marked = [{"entity": "domaine", "value": said, "start": start, "end": len(text)}]
    pairs = {(e["entity"], e["value"]) for e in canonicalize(marked, text, default_table(), "test")}
    assert pairs == {("domaine", expected)}


def test_the_table_reads_the_list_rather_than_a_copy(tmp_path: Path) -> None:
    extra = tmp_path / "job_titles.yaml"
    extra.write_text("job_titles:\n  agriculture: [distillateur d'ylang]\n", encoding="utf-8")
    assert EntityTable.from_file().canonical("domaine", "distillateur d'ylang") is None
    table = EntityTable.from_file(job_titles=load_job_titles(extra))
    assert table.canonical("domaine", "distillateur d'ylang") == "agriculture"
    assert [(s.entity, s.value) for s in table.spot("je suis distillateur d ylang")] == [
        ("domaine", "agriculture")
    ]


def test_no_job_title_is_copied_into_entity_values(titles: dict[str, list[str]]) -> None:
    values = yaml.safe_load(VALUES_FILE.read_text(encoding="utf-8"))["values"]
    copied = {form for forms in values["domaine"].values() for form in forms} & {
        t for ts in titles.values() for t in ts
    }
    keys = {match_key(t) for ts in titles.values() for t in ts}
    assert not copied and not [f for fs in values["domaine"].values() for f in fs if match_key(f) in keys]


def test_no_job_title_is_a_form_of_another_entity(titles: dict[str, list[str]]) -> None:
    values = yaml.safe_load(VALUES_FILE.read_text(encoding="utf-8"))["values"]
    keys = {match_key(t) for ts in titles.values() for t in ts}
    others = [
        form for entity, table in values.items() if entity != "domaine"
        for value, forms in table.items() for form in [value, *forms] if match_key(form) in keys
    ]
    assert others == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("job_titles:\n  plomberie: [plombier]\n", "domaine inconnu : « plomberie »"),
        ("job_titles:\n  btp: [maçon]\n  commerce: [Maçon]\n", "« Maçon » est écrit deux fois"),
        ("job_titles:\n  btp: [maçon\n", "YAML invalide"),
        ("metiers:\n  btp: [maçon]\n", "job_titles"),
    ],
)
def test_a_broken_list_is_refused_in_french(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "job_titles.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_job_titles(path)
