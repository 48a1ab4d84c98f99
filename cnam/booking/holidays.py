"""Public holidays in Mayotte: the French ones plus 27 April (abolition of
slavery in Mayotte, decree of 2012). Easter-based days are computed, so the
calendar file never needs a yearly update for them."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter


@lru_cache(maxsize=16)
def public_holidays(year: int) -> dict[date, str]:
    paques = easter(year)
    return {
        date(year, 1, 1): "jour de l'An",
        paques + timedelta(days=1): "lundi de Pâques",
        date(year, 4, 27): "abolition de l'esclavage à Mayotte",
        date(year, 5, 1): "fête du Travail",
        date(year, 5, 8): "Victoire 1945",
        paques + timedelta(days=39): "Ascension",
        paques + timedelta(days=50): "lundi de Pentecôte",
        date(year, 7, 14): "fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }


def holiday_name(day: date) -> str | None:
    return public_holidays(day.year).get(day)
