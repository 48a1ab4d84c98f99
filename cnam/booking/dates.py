"""French dates: writing them ("mardi 3 décembre à 14 h 30") and reading a
wish typed on a phone ("jeudi prochain vers 10h", "demain aprem").

Formatting never uses the system locale (servers run in C or English).
Parsing: times of day and parts of the day are read here (dateparser turns
"10h" into "in ten hours"); the date itself goes to dateparser in French,
relative to the injected ``now``. Weekdays and a bare day of the month are
read here too: dateparser leaves "jeudi prochain" unparsed and puts "le 12"
in the past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from cnam.booking.calendar import Window
from cnam.text import plain

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
JOURS_COURTS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
MOIS_COURTS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)

# Parts of the day as people say them; the hours are the centre's, roughly.
PERIODS: dict[str, tuple[time, time]] = {
    "matin": (time(7, 30), time(12, 0)),
    "midi": (time(11, 30), time(14, 0)),
    "apres_midi": (time(13, 0), time(17, 0)),
    "soir": (time(16, 0), time(19, 0)),
}


def format_time(moment: datetime | time) -> str:
    """``14 h 30``, ``9 h``: the French way, with spaces."""
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


def format_day(day: date) -> str:
    """``mardi 3 décembre`` (``1er`` for the first of the month)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{JOURS[day.weekday()]} {number} {MOIS[day.month - 1]}"


def format_day_short(day: date) -> str:
    """``mar. 3 déc.``: fits a button."""
    return f"{JOURS_COURTS[day.weekday()]} {day.day} {MOIS_COURTS[day.month - 1]}"


def format_short(moment: datetime) -> str:
    """``mar. 3 déc. 14 h 30``: a moment on a button."""
    return f"{format_day_short(moment.date())} {format_time(moment)}"


def format_fr(moment: datetime) -> str:
    """``mardi 3 décembre à 14 h 30`` (in the time zone of ``moment``)."""
    return f"{format_day(moment.date())} à {format_time(moment)}"


@dataclass(frozen=True)
class Wish:
    """A wish read from free text; every field may be missing."""

    day: date | None = None
    at: time | None = None
    approximate: bool = False  # "vers 10h"
    period: str | None = None  # a key of PERIODS

    @property
    def empty(self) -> bool:
        return self.day is None and self.at is None and self.period is None


# SMS spellings of the day words (matched on accent-free text).
_DAY_WORDS = [
    (re.compile(r"\b(auj|ajd|ojd|aujourd ?'? ?hui|aujourdhui)\b"), " aujourd'hui "),
    (re.compile(r"\b(apres|aprs|apr)[- ]?(demain|dem1|2main)\b"), " apres-demain "),
    (re.compile(r"\b(dem1|2main|dmain|demin)\b"), " demain "),
]
_PERIOD_WORDS = [
    (re.compile(r"\b(apres[- ]?midi|ap[- ]?midi|aprem|aprm|apm)\b"), "apres_midi"),
    (re.compile(r"\b(matin|matinee|mat)\b"), "matin"),
    (re.compile(r"\b(soir|soiree|fin de journee)\b"), "soir"),
    (re.compile(r"\bmidi\b"), "midi"),
]
_TIME = re.compile(
    r"(?:\b(?P<approx>vers|environ|autour de|avant|apres)\s+)?"
    r"(?:\b(?P<h1>[01]?\d|2[0-3]) ?(?:h|heures?) ?(?P<m1>[0-5]\d)?\b"
    r"|\b(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d)\b)"
)
_WEEKDAY = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim)\b"
)
_NEXT_WEEK = re.compile(r"\bsemaine (prochaine|pro)\b|\bla semaine d'apres\b")
# The only words handed to dateparser: the rest of a message ("je veux un rdv")
# would be misread ("un" -> the 1st).
_DATE_TOKEN = re.compile(
    r"\b(\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,4}|janv(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|mai|"
    r"juin|juil(?:let)?|aout|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|dec(?:embre)?|dans|"
    r"jours?|semaines?|mois|demain|apres-demain|aujourd'hui|hier)\b"
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_BARE_DAY = re.compile(r"^[0-3]?\d$")


_WEEKDAY_INDEX = {name[:3]: i for i, name in enumerate(JOURS)}


def _read_time(text: str) -> tuple[time | None, bool, str]:
    match = _TIME.search(text)
    if not match:
        return None, False, text
    hour = int(match["h1"] or match["h2"])
    minute = int(match["m1"] or match["m2"] or 0)
    rest = text[: match.start()] + " " + text[match.end() :]
    return time(hour, minute), bool(match["approx"]), rest


def _read_period(text: str) -> tuple[str | None, str]:
    for pattern, period in _PERIOD_WORDS:
        if pattern.search(text):
            return period, pattern.sub(" ", text)
    return None, text


def _next_day_of_month(number: int, today: date) -> date | None:
    """The next ``number``-th of a month, today included."""
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, number)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _read_day(text: str, now: datetime, tz: ZoneInfo) -> date | None:
    today = now.astimezone(tz).date()
    weekday = _WEEKDAY.search(text)
    next_week = _NEXT_WEEK.search(text)
    text = re.sub(r"\b1er\b", "1", _NEXT_WEEK.sub(" ", text))
    tokens = " ".join(m.group(1) for m in _DATE_TOKEN.finditer(text))
    if _BARE_DAY.match(tokens):  # "le 12", "mardi 8": dateparser would go back in time
        return _next_day_of_month(int(tokens), today)
    if tokens:
        settings = {
            "PREFER_DATES_FROM": "future",
            "TIMEZONE": str(tz),
            "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
            "RETURN_AS_TIMEZONE_AWARE": False,
        }
        parsed = dateparser.parse(tokens, languages=["fr"], settings=settings)
        if parsed:
            return parsed.date()
    monday = today + timedelta(days=7 - today.weekday())
    if weekday:
        target = _WEEKDAY_INDEX[weekday.group(1)[:3]]
        if next_week:
            return monday + timedelta(days=target)
        # "jeudi" and "jeudi prochain" both mean the next Thursday after today:
        # usage differs between speakers, and the answer always shows the date.
        return today + timedelta(days=(target - today.weekday() - 1) % 7 + 1)
    return monday if next_week else None


def parse_wish(text: str, now: datetime, tz: ZoneInfo) -> Wish | None:
    """The day / time / part of the day in ``text``; None when there is none.

    A day may come back in the past ("hier"): the caller says so.
    """
    folded = plain(text)
    if _ISO_DAY.fullmatch(folded):  # button payloads and dates already validated
        try:
            return Wish(day=date.fromisoformat(folded))
        except ValueError:
            return None
    for pattern, replacement in _DAY_WORDS:
        folded = pattern.sub(replacement, folded)
    at, approximate, folded = _read_time(folded)
    period, folded = _read_period(folded)
    if period == "midi":  # a moment rather than a part of the day
        period = None
        if at is None:
            at, approximate = time(12, 0), True
    wish = Wish(_read_day(folded, now, tz), at, approximate, period)
    return None if wish.empty else wish


def wish_window(wish: Wish, now: datetime, tz: ZoneInfo, default_day: date | None = None,
                notice: timedelta = timedelta(0)) -> Window:
    """The span of time the wish points to.

    Without a day, the wish is for ``default_day`` (the day already chosen),
    else today, or tomorrow when that moment of today is already gone.
    """
    local_now = now.astimezone(tz)

    def span(day: date) -> tuple[datetime, datetime]:
        if wish.at is not None:
            moment = datetime.combine(day, wish.at, tzinfo=tz)
            return moment, moment
        if wish.period is not None:
            start, end = PERIODS[wish.period]
            return datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz)
        return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day, time.max, tzinfo=tz)

    day = wish.day or default_day
    if day is None:
        day = local_now.date()
        if span(day)[1] < local_now + notice:
            day += timedelta(days=1)
    return Window(*span(day))
