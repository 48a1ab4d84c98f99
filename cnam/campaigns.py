"""The campaign links (``catalog/campaigns.yaml``): a poster, a radio spot, an
intranet page, a forum stand, each with an opaque code. ``t.me/<bot>?start=<code>``
opens the bot and Telegram sends ``/start <code>`` (``bot/campaign_start.py``);
what each campaign brings is counted by ``cnam/funnel.py``.

The file is validated at load (codes ``[a-z0-9_]{3,32}``, unique; a commune of
Mayotte when given) and read again when it changes, like the offers catalog.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, validator

from cnam.orientation.catalog import catalog_path
from cnam.vocabulary import COMMUNES

CAMPAIGNS_FILE = "campaigns.yaml"
CODE_PATTERN = r"^[a-z0-9_]{3,32}$"


class CampaignsFileError(ValueError):
    """The campaigns file cannot be used; the message names the file and the field."""


class Campaign(BaseModel):
    code: str = Field(regex=CODE_PATTERN)
    label: str = Field(min_length=1, max_length=60)  # read in /stats: short
    commune: str | None = None

    class Config:
        extra = "forbid"  # a misspelt field must not pass silently

    @validator("commune")
    def _commune(cls, value: str | None) -> str | None:
        if value is not None and value not in COMMUNES:
            raise ValueError(f"commune inconnue : {value} (possibles : {', '.join(COMMUNES)})")
        return value


class Campaigns(BaseModel):
    campaigns: list[Campaign] = []

    class Config:
        extra = "forbid"

    @validator("campaigns")
    def _unique(cls, value: list[Campaign]) -> list[Campaign]:
        codes = [c.code for c in value]
        doubles = sorted({c for c in codes if codes.count(c) > 1})
        if doubles:
            raise ValueError(f"codes en double : {', '.join(doubles)}")
        return value

    def get(self, code: str) -> Campaign | None:
        return next((c for c in self.campaigns if c.code == code), None)


_ERRORS = {
    "value_error.str.regex": "minuscules, chiffres et _ seulement, 3 à 32 caractères",
    "value_error.extra": "champ inconnu (faute de frappe ?)",
    "value_error.missing": "champ obligatoire manquant",
    "value_error.any_str.min_length": "texte vide",
    "value_error.any_str.max_length": "texte trop long (60 caractères au plus)",
}


def load_campaigns(path: str | Path) -> Campaigns:
    """Read and validate a campaigns file; every problem is in the error."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CampaignsFileError(f"{path} : lecture impossible ({exc})") from exc
    try:
        return Campaigns.parse_obj(data or {})
    except ValidationError as exc:
        lines = [
            f"{path} : champ « {'.'.join(str(p) for p in err['loc'])} » : "
            f"{_ERRORS.get(err['type'], err['msg'])}"
            for err in exc.errors()
        ]
        raise CampaignsFileError("\n".join(lines)) from exc


def campaigns_path() -> Path:
    """``CATALOG_DIR``/campaigns.yaml, next to the offers."""
    return catalog_path().with_name(CAMPAIGNS_FILE)


@lru_cache(maxsize=4)
def _load(path: Path, stamp: int) -> Campaigns:
    return load_campaigns(path)


def get_campaigns() -> Campaigns:
    """The current file, read again when it changes; no file: no campaign."""
    path = campaigns_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return Campaigns()
    return _load(path, stamp)


def link(bot_username: str, code: str) -> str:
    """The deep link that starts a conversation tagged with ``code``."""
    return f"https://t.me/{bot_username.removeprefix('@')}?start={code}"
