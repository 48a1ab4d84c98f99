"""The CNAM offers catalog: schema, validation at load, and a cache that
follows the file, so that editing ``catalog/offers.yaml`` changes the answers
without retraining or restarting.

Check a file by hand (``make reload-catalog`` runs this)::

    python -m cnam.orientation.catalog check [path/to/offers.yaml]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import AnyHttpUrl, BaseModel, Extra, Field, ValidationError, validator

from cnam.settings import get_settings
from cnam.vocabulary import (
    DOMAINES_CNAM,
    DOMAINES_HORS_CNAM,
    EVIDENCE,
    FINANCEMENTS,
    FORMATS,
    NIVEAUX,
    SITUATIONS,
)

log = logging.getLogger(__name__)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG_FILE = "offers.yaml"

class CatalogError(ValueError):
    """The catalog file cannot be used; the message names file, offer and field."""


def _check_subset(values: list[str], allowed: list[str], what: str) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(
            f"{what} inconnu : « {unknown[0]} » (possibles : {', '.join(allowed)})"
        )
    if len(set(values)) != len(values):
        raise ValueError(f"{what} en double")
    return values


class NiveauObtenu(BaseModel):
    rncp: int | None = Field(..., ge=3, le=8)
    label: str = Field(..., min_length=2, max_length=40)

    class Config:
        extra = Extra.forbid
        frozen = True


class Offer(BaseModel):
    id: str = Field(..., regex=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)
    title: str = Field(..., min_length=5, max_length=80)
    domaine: str
    domaines_secondaires: list[str] = []
    niveau_requis: str
    niveau_obtenu: NiveauObtenu
    formats: list[str] = Field(..., min_items=1)
    soir_weekend: bool
    duree: str = Field(..., min_length=2, max_length=40)
    publics: list[str] = Field(..., min_items=1)
    financements: list[str] = Field(..., min_items=1)
    lieu: str = Field(..., min_length=2, max_length=90)
    lien: AnyHttpUrl
    evidence: str
    resume: str = Field(..., min_length=10, max_length=160)
    # Only the listed publics may enrol (e.g. the rectorat staff programme).
    reserve: bool = False
    # Taught outside Mayotte: the person must move.
    hors_mayotte: bool = False

    class Config:
        extra = Extra.forbid
        frozen = True
        anystr_strip_whitespace = True

    @validator("domaine")
    def _domaine(cls, value: str) -> str:
        if value in DOMAINES_HORS_CNAM:
            raise ValueError(f"« {value} » n'est pas enseigné par le CNAM")
        return _check_subset([value], DOMAINES_CNAM, "domaine")[0]

    @validator("domaines_secondaires")
    def _secondaires(cls, value: list[str], values: dict[str, Any]) -> list[str]:
        _check_subset(value, DOMAINES_CNAM, "domaine")
        if values.get("domaine") in value:
            raise ValueError("le domaine principal ne doit pas être répété ici")
        return value

    @validator("niveau_requis")
    def _niveau(cls, value: str) -> str:
        return _check_subset([value], NIVEAUX, "niveau")[0]

    @validator("formats")
    def _formats(cls, value: list[str]) -> list[str]:
        return _check_subset(value, FORMATS, "format")

    @validator("publics")
    def _publics(cls, value: list[str]) -> list[str]:
        return _check_subset(value, SITUATIONS, "public")

    @validator("financements")
    def _financements(cls, value: list[str]) -> list[str]:
        return _check_subset(value, FINANCEMENTS, "financement")

    @validator("evidence")
    def _evidence(cls, value: str) -> str:
        return _check_subset([value], list(EVIDENCE), "niveau de preuve")[0]

    @validator("resume")
    def _resume(cls, value: str) -> str:
        if "\n" in value:
            raise ValueError("une seule phrase, sur une ligne")
        return value


class Catalog(BaseModel):
    offers: list[Offer] = Field(..., min_items=1)

    class Config:
        frozen = True

    @validator("offers")
    def _unique_ids(cls, value: list[Offer]) -> list[Offer]:
        seen = Counter(o.id for o in value)
        twice = [i for i, n in seen.items() if n > 1]
        if twice:
            raise ValueError(f"identifiant en double : « {twice[0]} »")
        return value

    def get(self, offer_id: str) -> Offer | None:
        return next((o for o in self.offers if o.id == offer_id), None)


# Pydantic's own messages are English; the people who edit the file read French.
_MESSAGES = {
    "value_error.missing": "champ obligatoire manquant",
    "value_error.extra": "champ inconnu (faute de frappe ?)",
    "type_error.bool": "mettez true ou false",
    "type_error.integer": "nombre entier attendu",
    "type_error.list": "liste attendue, par exemple [a, b]",
    "type_error.none.not_allowed": "valeur vide",
    "type_error.str": "texte attendu",
    "value_error.url.scheme": "adresse web attendue (https://…)",
    "value_error.url.host": "adresse web attendue (https://…)",
    "value_error.str.regex": "minuscules, chiffres et tirets seulement",
}


def _french(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "value_error.any_str.max_length":
        return f"texte trop long (au plus {ctx['limit_value']} caractères)"
    if kind == "value_error.any_str.min_length":
        return "texte trop court ou vide"
    if kind == "value_error.list.min_items":
        return "la liste ne doit pas être vide"
    if kind.startswith("value_error.number"):
        return f"valeur hors limites ({error['msg']})"
    return error["msg"]


def _offer_name(raw: Any, index: int) -> str:
    offer_id = raw.get("id") if isinstance(raw, dict) else None
    where = f"n° {index + 1} de la liste"
    return f"offre « {offer_id} » ({where})" if offer_id else f"offre {where}"


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog file; every problem found is in the CatalogError."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise CatalogError(f"{path} : lecture impossible ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", ligne {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntaxe"
        raise CatalogError(f"{path}{line} : YAML invalide ({problem})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("offers"), list):
        raise CatalogError(f"{path} : le fichier doit commencer par une liste « offers: »")

    offers: list[Offer] = []
    errors: list[str] = []
    for index, raw in enumerate(data["offers"]):
        name = _offer_name(raw, index)
        if not isinstance(raw, dict):
            errors.append(f"{path} : {name} : une offre est un bloc de champs « clé: valeur »")
            continue
        try:
            offers.append(Offer.parse_obj(raw))
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"])
                errors.append(f"{path} : {name}, champ « {field} » : {_french(error)}")
    if not errors:
        try:
            return Catalog(offers=offers)
        except ValidationError as exc:
            errors.extend(f"{path} : champ « offers » : {_french(e)}" for e in exc.errors())
    raise CatalogError("\n".join(errors))


class CatalogCache:
    """The last good catalog read from one file, re-read when the file changes.

    One ``stat`` per call. A broken edit keeps the previous catalog in service
    (and is logged) rather than breaking the conversations in progress.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._catalog: Catalog | None = None

    def get(self) -> Catalog:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._stamp = stamp  # a broken file is read and logged once, not per call
                self._catalog = load_catalog(self.path)
        except (OSError, CatalogError) as exc:
            if self._catalog is None:
                self._stamp = None
                if isinstance(exc, CatalogError):
                    raise
                raise CatalogError(f"{self.path} : fichier introuvable") from exc
            log.error("Catalogue non rechargé, l'ancien reste en service : %s", exc)
        return self._catalog


_caches: dict[Path, CatalogCache] = {}


def catalog_path() -> Path:
    """``CATALOG_DIR``/offers.yaml; a relative directory is taken from the repo root."""
    directory = Path(get_settings().catalog_dir)
    if not directory.is_absolute():
        directory = REPO_ROOT / directory
    return directory / CATALOG_FILE


def get_catalog() -> Catalog:
    path = catalog_path()
    cache = _caches.get(path)
    if cache is None:
        cache = _caches[path] = CatalogCache(path)
    return cache.get()


def summary(catalog: Catalog) -> str:
    """A French summary for the people who edit the catalog."""
    offers = catalog.offers
    evidence = Counter(o.evidence for o in offers)
    domains = Counter(o.domaine for o in offers)
    lines = [
        f"{len(offers)} offres, dont "
        + ", ".join(f"{evidence[key]} {label}" for key, label in EVIDENCE.items()) + ".",
        f"Accessibles sans le bac : {sum(o.niveau_requis == 'sans_bac' for o in offers)}.",
        "Par domaine : " + ", ".join(f"{d} {domains[d]}" for d in DOMAINES_CNAM) + ".",
    ]
    missing = [d for d in DOMAINES_CNAM if not domains[d]]
    if missing:
        lines.append("Attention, aucune offre pour : " + ", ".join(missing) + ".")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnam.orientation.catalog")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="valider le catalogue et le résumer")
    check.add_argument("path", nargs="?", type=Path, default=None)
    args = parser.parse_args(argv)
    path = args.path or catalog_path()
    try:
        catalog = load_catalog(path)
    except CatalogError as exc:
        print(f"Catalogue invalide :\n{exc}", file=sys.stderr)
        return 1
    print(f"Catalogue valide : {path}\n{summary(catalog)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
