"""A small advisers' calendar for tests (the shipped one is edited by the CNAM)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cnam.booking.calendar import Slot
from cnam.booking.config import AdvisersConfig

TZ = ZoneInfo("Indian/Mayotte")
# Monday 30 November 2026, 9:00 in Mayotte: no public holiday in the 21 days after.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)

WEEK = ["08:00-12:00", "13:30-16:00"]


def make_config(**overrides: Any) -> AdvisersConfig:
    data: dict[str, Any] = {
        "timezone": "Indian/Mayotte",
        "slot_minutes": 30,
        "horizon_days": 21,
        "min_notice_hours": 2,
        "lieu": "CNAM Mayotte, Mamoudzou (Kawéni)",
        "lieu_internal_note": "adresse exacte à confirmer",
        "to_bring": ["une pièce d'identité", "un CV"],
        "modes": {
            "site": {"label": "Sur place", "arrangement": "Lieu : {lieu}."},
            "telephone": {"label": "Téléphone", "arrangement": "Appel au {telephone}."},
            "video": {"label": "Visio", "arrangement": "Lien envoyé dans Telegram."},
        },
        "advisers": [
            {
                "id": "adv1", "first_name": "Zaïnaba", "modes": ["site", "telephone", "video"],
                "hours": {d: WEEK for d in ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]},
            },
            {
                "id": "adv2", "first_name": "Anli", "modes": ["telephone", "video"],
                "hours": {"lundi": ["13:30-17:00"], "samedi": ["08:30-11:30"]},
            },
        ],
        "closures": [{"start": "2026-12-04", "reason": "journée pédagogique"}],
    }
    data.update(overrides)
    return AdvisersConfig.parse_obj(data)


def at(day: str, hm: str) -> datetime:
    """``at("2026-12-03", "14:30")``: an aware moment in Mayotte."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=TZ)


def by_day(slots: Iterable[Slot]) -> dict[date, list[Slot]]:
    """The slots grouped by their day, in order."""
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.day, []).append(slot)
    return days
