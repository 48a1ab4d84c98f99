"""The two parts of the domain the form validators read, from the domain files.

Rasa sends the action server no domain (endpoints.yml,
``enable_selective_domain``): about 33 KB of JSON less to encode, send and
parse on every call (BENCHMARKS.md, issue 16). rasa_sdk's form validation
reads only the slots (their mappings) and the forms (their required slots),
to list the slots to validate: the profile form takes them from
``domain/*.yml``, the files the served model was trained on (``stack/run.py``
serves the model of the current files only); the booking form lists its own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"


@cache
def form_domain() -> DomainDict:
    slots: dict[str, Any] = {}
    forms: dict[str, Any] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        slots.update(data.get("slots") or {})
        forms.update(data.get("forms") or {})
    return {"slots": slots, "forms": forms}


class DomainFromFiles:
    """Mixed in before ``FormValidationAction``: the files' domain when Rasa sends none."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await super().run(dispatcher, tracker, domain or form_domain())  # type: ignore[misc]
