"""Map entity surface forms to the contract's canonical values.

The table lives in ``entity_values.yml``, plus the job titles of the
catalog (``catalog/job_titles.yaml``) as forms of their ``domaine``. Matching
is tolerant (case, accents, spacing, typos, truncations) but only ever returns
a canonical value of the contract, or ``None``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from cnam.orientation.job_titles import catalog_job_titles
from cnam.text import fold

VALUES_FILE = Path(__file__).with_name("entity_values.yml")

# Words a model often includes at the edge of a span ("le bac", "à Koungou").
_FILLERS = {
    "a", "au", "aux", "ai", "d", "dans", "de", "des", "du", "en", "j", "je", "l", "la", "le",
    "les", "ma", "mes", "mon", "niveau", "sur", "un", "une", "suis", "chez", "vers", "cote",
}
_WORD = re.compile(r"[a-z0-9]+(?:\+[0-9]+)?|\+[0-9]+")
# Typos are only forgiven on forms long enough to be unambiguous.
_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 0.84
_TRUNCATION_MIN_LEN = 4
# "informat" is informatique; "diplome" is not "diplome d'ingenieur".
_TRUNCATION_MIN_SHARE = 0.5
_SPOT_MAX_WORDS = 6


def match_key(text: str) -> str:
    """The comparison key: folded, letters, digits and '+' only."""
    return re.sub(r"[^a-z0-9+]", "", fold(text))


@dataclass(frozen=True)
class Spotted:
    entity: str
    value: str
    start: int
    end: int


class EntityTable:
    """Canonical values per entity, with the surface forms that mean them."""

    def __init__(self, values: dict[str, dict[str, list[str]]],
                 not_spotted: dict[str, list[str]], never: list[str]) -> None:
        self.entities = sorted(values)
        self._never = {match_key(form) for form in never}
        # entity -> key -> canonical
        self._keys: dict[str, dict[str, str]] = {}
        for entity, table in values.items():
            keys: dict[str, str] = {}
            for canonical, forms in table.items():
                for form in [canonical, *forms]:
                    key = match_key(form)
                    if keys.get(key, canonical) != canonical:
                        raise ValueError(f"{entity}: '{form}' means two values")
                    keys[key] = canonical
            self._keys[entity] = keys
        self._spot = self._spot_index(not_spotted)

    @classmethod
    def from_file(cls, path: Path = VALUES_FILE,
                  job_titles: dict[str, list[str]] | None = None) -> EntityTable:
        """The table of ``path``; ``job_titles`` (field -> titles) join the ``domaine`` forms."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        values = data["values"]
        if job_titles:
            domaine = {value: list(forms) for value, forms in values["domaine"].items()}
            for value, titles in job_titles.items():
                domaine.setdefault(value, []).extend(titles)
            values = {**values, "domaine": domaine}
        return cls(values, data.get("not_spotted") or {}, data.get("never") or [])

    def _spot_index(self, not_spotted: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
        index: dict[str, tuple[str, str]] = {}
        ambiguous: set[str] = set()
        for entity, keys in self._keys.items():
            excluded = {match_key(form) for form in not_spotted.get(entity, [])}
            for key, canonical in keys.items():
                if key in excluded:
                    continue
                if key in index and index[key] != (entity, canonical):
                    ambiguous.add(key)
                index[key] = (entity, canonical)
        for key in ambiguous:
            del index[key]
        return index

    def canonical(self, entity: str, surface: str) -> str | None:
        """The canonical value of ``entity`` that ``surface`` means, or None."""
        keys = self._keys.get(entity)
        if not keys:
            return None
        words = _WORD.findall(fold(surface))
        if match_key(surface) in self._never:
            return None
        while words:
            found = self._lookup(keys, "".join(words))
            if found:
                return found
            if words[0] not in _FILLERS:
                break
            words = words[1:]
        return None

    @staticmethod
    def _lookup(keys: dict[str, str], key: str) -> str | None:
        if key in keys:
            return keys[key]
        if len(key) >= _TRUNCATION_MIN_LEN:
            prefixed = {
                value for k, value in keys.items()
                if k.startswith(key) and len(key) >= _TRUNCATION_MIN_SHARE * len(k)
            }
            if len(prefixed) == 1:
                return prefixed.pop()
        if len(key) >= _FUZZY_MIN_LEN:
            close = difflib.get_close_matches(
                key, [k for k in keys if len(k) >= _FUZZY_MIN_LEN], n=1, cutoff=_FUZZY_CUTOFF
            )
            if close:
                return keys[close[0]]
        return None

    def relabel(self, entity: str, surface: str) -> tuple[str, str] | None:
        """(entity, canonical) for a span; another entity only on an exact, unique form."""
        value = self.canonical(entity, surface)
        if value:
            return entity, value
        key = match_key(surface)
        owners = [(e, keys[key]) for e, keys in self._keys.items() if key in keys]
        return owners[0] if len(owners) == 1 else None

    def spot(self, text: str) -> list[Spotted]:
        """Entities stated in ``text``, longest forms first, without overlaps."""
        words = [(m.start(), m.end()) for m in _WORD.finditer(fold(text))]
        found: list[Spotted] = []
        taken = [False] * len(words)
        for size in range(min(_SPOT_MAX_WORDS, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                if any(taken[i:i + size]):
                    continue
                start, end = words[i][0], words[i + size - 1][1]
                fuzzy = not any(w in _FILLERS for w in fold(text[start:end]).split())
                hit = self._spot_one(text[start:end], size, fuzzy)
                if hit:
                    found.append(Spotted(hit[0], hit[1], start, end))
                    taken[i:i + size] = [True] * size
        return sorted(found, key=lambda s: s.start)

    def _spot_one(self, span: str, size: int, fuzzy: bool) -> tuple[str, str] | None:
        key = match_key(span)
        if key in self._never:
            return None
        if key in self._spot:
            return self._spot[key]
        # Place names are often misspelt; nothing else is guessed in free text.
        if fuzzy and size <= 2 and len(key) >= 6:
            communes = {k: v for k, v in self._keys["commune"].items() if len(k) >= 6}
            close = difflib.get_close_matches(key, list(communes), n=1, cutoff=0.86)
            if close:
                return "commune", communes[close[0]]
        return None


@cache
def default_table() -> EntityTable:
    """The table the running processes use: read once, with the catalog's job titles."""
    return EntityTable.from_file(job_titles=catalog_job_titles())
