"""Job titles and the field each belongs to (``catalog/job_titles.yaml``).

People often name a job rather than a field ("je veux être cariste"). The
list lives in the catalog, validated here at load; the NLU's entity table
(``rasa_ext/entity_values.py``) reads it so that a job title marked as a
``domaine`` becomes the contract's field.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

from cnam.orientation.catalog import CatalogError, catalog_path
from cnam.text import fold
from cnam.vocabulary import DOMAINES

log = logging.getLogger(__name__)

JOB_TITLES_FILE = "job_titles.yaml"
_MAX_TITLE_LEN = 60


def job_titles_path() -> Path:
    """``CATALOG_DIR``/job_titles.yaml, beside the offers."""
    return catalog_path().with_name(JOB_TITLES_FILE)


def _key(title: str) -> str:
    # The same comparison the entity table makes: letters and digits only.
    return re.sub(r"[^a-z0-9+]", "", fold(title))


class JobTitles(BaseModel):
    job_titles: dict[str, list[str]]

    class Config:
        extra = Extra.forbid
        frozen = True

    @validator("job_titles")
    def _valid(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: dict[str, str] = {}
        for domaine, titles in value.items():
            if domaine not in DOMAINES:
                raise ValueError(f"domaine inconnu : « {domaine} » (possibles : {', '.join(DOMAINES)})")
            for title in titles:
                key = _key(title)
                if not key or len(title) > _MAX_TITLE_LEN:
                    raise ValueError(f"{domaine} : métier vide ou trop long : « {title} »")
                if key in seen:
                    raise ValueError(f"« {title} » est écrit deux fois (aussi sous {seen[key]})")
                seen[key] = domaine
        return value


def load_job_titles(path: Path | None = None) -> dict[str, list[str]]:
    """Field -> job titles; every problem is in the CatalogError, in French."""
    path = path or job_titles_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return JobTitles.parse_obj(data).job_titles
    except OSError as exc:
        raise CatalogError(f"{path} : lecture impossible ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path} : YAML invalide ({exc})") from exc
    except ValidationError as exc:
        raise CatalogError("\n".join(f"{path} : {e['msg']}" for e in exc.errors())) from exc


def catalog_job_titles() -> dict[str, list[str]]:
    """The catalog's list; none (and one log line) when a custom ``CATALOG_DIR`` has no such file.

    A broken file still raises: the processes must not start with half a list.
    """
    path = job_titles_path()
    if not path.exists():
        log.warning("Pas de liste de métiers (%s) : les métiers ne sont pas reconnus comme domaines.", path)
        return {}
    return load_job_titles(path)
