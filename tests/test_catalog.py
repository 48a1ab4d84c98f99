import logging
import os
from pathlib import Path

import pytest
import yaml

from cnam.orientation import catalog as catalog_module
from cnam.orientation.catalog import (
    CatalogCache,
    CatalogError,
    catalog_path,
    get_catalog,
    load_catalog,
    main,
)
from cnam.settings import get_settings
from cnam.vocabulary import DOMAINES_CNAM

REAL = catalog_path()


def raw_offers() -> dict:
    return yaml.safe_load(REAL.read_text(encoding="utf-8"))


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def touch_later(path: Path) -> None:
    """Move the mtime forward: some filesystems keep whole seconds only."""
    mtime = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(mtime, mtime))


@pytest.fixture
def settings_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    catalog_module._caches.clear()


def test_real_catalog_is_valid_and_covers_every_cnam_field() -> None:
    catalog = load_catalog(REAL)
    assert len(catalog.offers) >= 30
    assert {o.domaine for o in catalog.offers} == set(DOMAINES_CNAM)
    assert "medecine" not in DOMAINES_CNAM and "pilotage" not in DOMAINES_CNAM
    assert sum(o.niveau_requis == "sans_bac" for o in catalog.offers) >= 5
    assert {o.evidence for o in catalog.offers} == {
        "confirme_mayotte", "offre_nationale_cnam", "illustratif",
    }
    assert catalog.get("deust-conduite-travaux-eco-construction").domaine == "btp"
    assert catalog.get("n-existe-pas") is None


def test_default_path_is_found_from_the_repo_root_whatever_the_cwd(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert catalog_path() == Path(__file__).resolve().parents[1] / "catalog" / "offers.yaml"
    assert len(get_catalog().offers) == len(load_catalog(REAL).offers)


@pytest.mark.parametrize(("change", "field", "detail"), [
    (lambda o: o.update(domaine="infomatique"), "domaine", "« infomatique »"),
    (lambda o: o.pop("niveau_requis"), "niveau_requis", "champ obligatoire manquant"),
    (lambda o: o.update(formats=["distance", "visio"]), "formats", "« visio »"),
    (lambda o: o.update(financements=["CPF", "BOURSE"]), "financements", "« BOURSE »"),
    (lambda o: o.update(publics=[]), "publics", "ne doit pas être vide"),
    (lambda o: o.update(soir_weekend="parfois"), "soir_weekend", "true ou false"),
    (lambda o: o.update(lien="formation.cnam.fr"), "lien", "adresse web"),
    (lambda o: o.update(niveau_obtenu={"rncp": 12, "label": "bac+2"}), "niveau_obtenu.rncp",
     "hors limites"),
    (lambda o: o.update(domaine="medecine"), "domaine", "pas enseigné par le CNAM"),
    (lambda o: o.update(lieux="Mamoudzou"), "lieux", "champ inconnu"),
    (lambda o: o.update(resume="x" * 200), "resume", "trop long"),
])
def test_broken_offer_error_names_file_offer_and_field(tmp_path, change, field, detail) -> None:
    data = raw_offers()
    offer = data["offers"][4]
    change(offer)
    path = write(tmp_path / "offers.yaml", data)
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    message = str(error.value)
    assert str(path) in message
    assert f"« {offer['id']} » (n° 5 de la liste)" in message
    assert f"champ « {field} »" in message
    assert detail in message


def test_every_problem_is_reported_and_an_offer_without_id_is_named_by_position(tmp_path) -> None:
    data = raw_offers()
    del data["offers"][1]["id"]
    data["offers"][7]["niveau_requis"] = "bac+4"
    path = write(tmp_path / "offers.yaml", data)
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    lines = str(error.value).splitlines()
    assert any("offre n° 2 de la liste, champ « id »" in line for line in lines)
    assert any(f"« {data['offers'][7]['id']} »" in line and "« bac+4 »" in line for line in lines)


def test_duplicate_ids_and_yaml_syntax_errors_are_reported(tmp_path) -> None:
    data = raw_offers()
    data["offers"][3]["id"] = data["offers"][0]["id"]
    with pytest.raises(CatalogError, match=f"en double : « {data['offers'][0]['id']} »"):
        load_catalog(write(tmp_path / "dup.yaml", data))

    broken = tmp_path / "syntax.yaml"
    broken.write_text("offers:\n  - id: a\n    title: [non fermé\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"syntax\.yaml, ligne \d+ : YAML invalide"):
        load_catalog(broken)
    with pytest.raises(CatalogError, match="liste « offers: »"):
        load_catalog(write(tmp_path / "empty.yaml", {"offres": []}))


def test_editing_the_file_is_picked_up_without_restart(tmp_path) -> None:
    data = raw_offers()
    path = write(tmp_path / "offers.yaml", data)
    cache = CatalogCache(path)
    first = cache.get()
    assert cache.get() is first  # unchanged file: not read again

    data["offers"][0]["title"] = "Nouvel intitulé du DEUST"
    write(path, data)
    touch_later(path)
    assert cache.get().offers[0].title == "Nouvel intitulé du DEUST"


def test_get_catalog_follows_settings_and_mtime(settings_dir) -> None:
    data = raw_offers()
    path = write(settings_dir / "offers.yaml", data)
    assert len(get_catalog().offers) == len(data["offers"])
    data["offers"] = data["offers"][:30]
    write(path, data)
    touch_later(path)
    assert len(get_catalog().offers) == 30


def test_a_broken_edit_keeps_the_previous_catalog_in_service(tmp_path, caplog) -> None:
    data = raw_offers()
    path = write(tmp_path / "offers.yaml", data)
    cache = CatalogCache(path)
    before = cache.get()
    data["offers"][0]["domaine"] = "infomatique"
    write(path, data)
    touch_later(path)
    with caplog.at_level(logging.ERROR, logger="cnam.orientation.catalog"):
        assert cache.get() is before
    assert "infomatique" in caplog.text
    data["offers"][0]["domaine"] = "informatique"
    write(path, data)
    touch_later(path)
    assert cache.get().offers[0].domaine == "informatique"


def test_a_missing_file_without_previous_catalog_is_an_error(tmp_path) -> None:
    with pytest.raises(CatalogError, match="introuvable"):
        CatalogCache(tmp_path / "absent.yaml").get()


def test_cli_check_prints_a_french_summary(capsys, tmp_path) -> None:
    assert main(["check", str(REAL)]) == 0
    out = capsys.readouterr().out
    assert f"{len(load_catalog(REAL).offers)} offres" in out
    assert "Accessibles sans le bac" in out

    data = raw_offers()
    data["offers"][2]["publics"] = ["chomeur"]
    assert main(["check", str(write(tmp_path / "offers.yaml", data))]) == 1
    err = capsys.readouterr().err
    assert "Catalogue invalide" in err and "« chomeur »" in err
