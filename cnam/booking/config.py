"""The advisers' calendar (``catalog/advisers.yaml``), validated at load:
hours, modes and closures, and who takes which cases (``takes``, per
adviser or per team, read by ``cnam/routing.py``) with each adviser's
Telegram account for the card's mention.

A broken file must stop the start with a message naming the file and the
field, never show a wrong slot to someone.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, ValidationError, root_validator, validator

from cnam import vocabulary
from cnam.settings import get_settings

Mode = Literal["site", "telephone", "video"]
MODES: tuple[Mode, ...] = ("site", "telephone", "video")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
Weekday = Literal["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


class AdvisersFileError(ValueError):
    """The calendar file is missing or invalid; the message names file and field."""


class OpeningRange(BaseModel):
    start: time
    end: time


def _parse_range(text: str) -> OpeningRange:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise ValueError(f"plage {text!r} : attendu HH:MM-HH:MM") from exc
    if start >= end:
        raise ValueError(f"plage {text!r} : le début doit précéder la fin")
    return OpeningRange(start=start, end=end)


class ModeInfo(BaseModel):
    label: str
    arrangement: str


def _known(values: list[str], allowed: list[str], what: str) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"{what} inconnu(s) : {', '.join(unknown)} (possibles : {', '.join(allowed)})")
    return values


class Takes(BaseModel):
    """The cases someone takes; an empty list does not narrow anything."""

    domaines: list[str] = []
    communes: list[str] = []
    # Situations and age groups (``cnam.vocabulary``): "demandeur_emploi", "18_25"…
    publics: list[str] = []
    sujets: list[str] = []

    class Config:
        extra = "forbid"  # a misspelt criterion must not silently take everything

    @validator("domaines")
    def _domaines(cls, value: list[str]) -> list[str]:
        return _known(value, vocabulary.DOMAINES, "domaine")

    @validator("communes")
    def _communes(cls, value: list[str]) -> list[str]:
        return _known(value, vocabulary.COMMUNES, "commune")

    @validator("publics", pre=True, each_item=True)
    def _age_as_text(cls, value: object) -> object:
        # YAML reads an unquoted 18_25 as the number 1825.
        if isinstance(value, int):
            raise ValueError(f'{value} : écrivez les âges entre guillemets ("18_25")')
        return value

    @validator("publics")
    def _publics(cls, value: list[str]) -> list[str]:
        return _known(value, vocabulary.SITUATIONS + vocabulary.TRANCHES_AGE, "public")

    @validator("sujets")
    def _sujets(cls, value: list[str]) -> list[str]:
        return _known(value, list(vocabulary.SUJET), "sujet")

    def is_empty(self) -> bool:
        return not (self.domaines or self.communes or self.publics or self.sujets)


class Adviser(BaseModel):
    id: str = Field(regex=r"^[a-z0-9_-]{1,20}$")
    first_name: str
    modes: list[Mode] = Field(min_items=1)
    hours: dict[Weekday, list[OpeningRange]]
    # The Telegram account the card mentions (either or both).
    telegram_id: int | None = Field(None, gt=0)
    telegram_username: str | None = Field(None, regex=r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
    takes: Takes = Takes()

    @validator("hours", pre=True)
    def _ranges(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        return {
            day: [_parse_range(r) if isinstance(r, str) else r for r in ranges or []]
            for day, ranges in value.items()
        }

    def ranges_on(self, day: date) -> list[OpeningRange]:
        return self.hours.get(WEEKDAYS[day.weekday()], [])  # type: ignore[call-overload]


class Closure(BaseModel):
    start: date
    end: date | None = None
    reason: str
    advisers: list[str] = []  # empty: the whole centre is closed

    @validator("end")
    def _after_start(cls, value: date | None, values: dict) -> date | None:
        if value is not None and "start" in values and value < values["start"]:
            raise ValueError("la fin précède le début")
        return value

    def covers(self, day: date, adviser_id: str) -> bool:
        in_range = self.start <= day <= (self.end or self.start)
        return in_range and (not self.advisers or adviser_id in self.advisers)


class Team(BaseModel):
    """Advisers who take the same cases (``takes``), besides their own."""

    id: str = Field(regex=r"^[a-z0-9_-]{1,20}$")
    name: str
    members: list[str] = Field(min_items=1)
    takes: Takes


class AdvisersConfig(BaseModel):
    timezone: str = "Indian/Mayotte"
    slot_minutes: int = Field(30, ge=10, le=240)
    horizon_days: int = Field(21, ge=1, le=365)
    min_notice_hours: float = Field(2, ge=0)
    lieu: str
    # Kept for the CNAM staff who edit the file; never shown to users.
    lieu_internal_note: str = ""
    to_bring: list[str] = []
    modes: dict[Mode, ModeInfo]
    advisers: list[Adviser] = Field(min_items=1)
    teams: list[Team] = []
    closures: list[Closure] = []

    @validator("timezone")
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"fuseau inconnu : {value}") from exc
        return value

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict) -> dict:
        ids = [a.id for a in values["advisers"]]
        if len(ids) != len(set(ids)):
            raise ValueError("advisers : identifiants en double")
        for adviser in values["advisers"]:
            missing = [m for m in adviser.modes if m not in values["modes"]]
            if missing:
                raise ValueError(f"advisers.{adviser.id}.modes : {missing} absent de `modes`")
        for closure in values["closures"]:
            unknown = set(closure.advisers) - set(ids)
            if unknown:
                raise ValueError(f"closures.{closure.start} : conseillers inconnus {unknown}")
        for team in values["teams"]:
            unknown = set(team.members) - set(ids)
            if unknown:
                raise ValueError(f"teams.{team.id}.members : conseillers inconnus {sorted(unknown)}")
        return values

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def adviser(self, adviser_id: str) -> Adviser | None:
        return next((a for a in self.advisers if a.id == adviser_id), None)

    def offered_modes(self) -> list[Mode]:
        """Modes at least one adviser offers, in the canonical order."""
        return [m for m in MODES if any(m in a.modes for a in self.advisers)]


def load_advisers(path: str | Path) -> AdvisersConfig:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AdvisersFileError(f"{path}: {exc}") from exc
    try:
        return AdvisersConfig.parse_obj(data or {})
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        ]
        raise AdvisersFileError("\n".join(lines)) from exc


@lru_cache(maxsize=1)
def get_advisers() -> AdvisersConfig:
    """The calendar of ``<CATALOG_DIR>/advisers.yaml``, read once per process."""
    return load_advisers(Path(get_settings().catalog_dir) / "advisers.yaml")
