"""Which appointment slots the calendar allows (before looking at Redis).

A slot is one adviser at one start time; its id, ``adv1|2026-12-03T14:30``
(local time of Mayotte), travels in button payloads. Every function that
depends on the time takes ``now`` (aware): the clock is injected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cnam.booking.config import Adviser, AdvisersConfig
from cnam.booking.holidays import holiday_name

SLOT_ID_FORMAT = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True)
class Slot:
    adviser_id: str
    start: datetime  # aware, in the calendar's time zone
    end: datetime

    @property
    def id(self) -> str:
        return f"{self.adviser_id}|{self.start.strftime(SLOT_ID_FORMAT)}"

    @property
    def day(self) -> date:
        return self.start.date()


@dataclass(frozen=True)
class Refusal:
    """Why a day or a slot cannot be booked.

    ``code``: past, too_soon, too_far, closed, no_hours, mode, unknown, taken;
    ``detail``: the holiday or closure reason for ``closed``.
    """

    code: str
    detail: str = ""


def make_slot(config: AdvisersConfig, adviser_id: str, start: datetime) -> Slot:
    start = start.astimezone(config.tz)
    return Slot(adviser_id, start, start + timedelta(minutes=config.slot_minutes))


def parse_slot_id(slot_id: str, config: AdvisersConfig) -> Slot:
    """The slot of a button payload; ValueError when it is not one."""
    adviser_id, sep, when = str(slot_id).partition("|")
    if not sep or config.adviser(adviser_id) is None:
        raise ValueError(f"not a slot id: {slot_id!r}")
    start = datetime.strptime(when, SLOT_ID_FORMAT).replace(tzinfo=config.tz)
    return make_slot(config, adviser_id, start)


def local_today(config: AdvisersConfig, now: datetime) -> date:
    return now.astimezone(config.tz).date()


def last_bookable_day(config: AdvisersConfig, now: datetime) -> date:
    return local_today(config, now) + timedelta(days=config.horizon_days)


def closure_reason(config: AdvisersConfig, day: date, adviser_id: str) -> str | None:
    """The holiday or closure that keeps ``adviser_id`` away on ``day``."""
    holiday = holiday_name(day)
    if holiday:
        return holiday
    return next((c.reason for c in config.closures if c.covers(day, adviser_id)), None)


def _advisers_for(config: AdvisersConfig, mode: str) -> list[Adviser]:
    return [a for a in config.advisers if mode in a.modes]


def _starts(config: AdvisersConfig, adviser: Adviser, day: date) -> Iterable[datetime]:
    step = timedelta(minutes=config.slot_minutes)
    for opening in adviser.ranges_on(day):
        start = datetime.combine(day, opening.start, tzinfo=config.tz)
        end = datetime.combine(day, opening.end, tzinfo=config.tz)
        while start + step <= end:
            yield start
            start += step


def _time_refusal(config: AdvisersConfig, start: datetime, now: datetime) -> Refusal | None:
    if start <= now:
        return Refusal("past")
    if start < now + timedelta(hours=config.min_notice_hours):
        return Refusal("too_soon")
    if start.astimezone(config.tz).date() > last_bookable_day(config, now):
        return Refusal("too_far")
    return None


def day_refusal(config: AdvisersConfig, day: date, mode: str, now: datetime) -> Refusal | None:
    """Why nobody can be booked on ``day`` in ``mode``, whatever Redis holds."""
    if day < local_today(config, now):
        return Refusal("past")
    if day > last_bookable_day(config, now):
        return Refusal("too_far")
    working = [a for a in _advisers_for(config, mode) if a.ranges_on(day)]
    if not working:
        return Refusal("no_hours")
    reasons = [closure_reason(config, day, a.id) for a in working]
    if all(reasons):
        return Refusal("closed", reasons[0] or "")
    if not open_slots(config, mode, now, [day]):
        return Refusal("too_soon")
    return None


def slot_refusal(config: AdvisersConfig, slot: Slot, mode: str, now: datetime) -> Refusal | None:
    """Why ``slot`` cannot be booked in ``mode`` at ``now``, whatever Redis holds."""
    adviser = config.adviser(slot.adviser_id)
    if adviser is None:
        return Refusal("unknown")
    refusal = _time_refusal(config, slot.start, now)
    if refusal:
        return refusal
    reason = closure_reason(config, slot.day, adviser.id)
    if reason:
        return Refusal("closed", reason)
    if slot.start not in set(_starts(config, adviser, slot.day)):
        return Refusal("no_hours")
    if mode not in adviser.modes:
        return Refusal("mode")
    return None


def open_slots(
    config: AdvisersConfig, mode: str, now: datetime, days: Iterable[date] | None = None
) -> list[Slot]:
    """Every slot the calendar allows in ``mode``, by start time then adviser order."""
    if days is None:
        first = local_today(config, now)
        count = (last_bookable_day(config, now) - first).days + 1
        days = (first + timedelta(days=n) for n in range(count))
    slots = []
    for day in days:
        for adviser in _advisers_for(config, mode):
            if closure_reason(config, day, adviser.id):
                continue
            slots.extend(
                make_slot(config, adviser.id, start)
                for start in _starts(config, adviser, day)
                if _time_refusal(config, start, now) is None
            )
    order = {a.id: i for i, a in enumerate(config.advisers)}
    return sorted(slots, key=lambda s: (s.start, order[s.adviser_id]))


def one_per_time(slots: Iterable[Slot]) -> list[Slot]:
    """One slot per start time (the first adviser free then): buttons show times."""
    seen: dict[datetime, Slot] = {}
    for slot in slots:
        seen.setdefault(slot.start, slot)
    return list(seen.values())


@dataclass(frozen=True)
class Window:
    """What the person wished for: a moment or a span ("lundi matin")."""

    start: datetime
    end: datetime

    def dump(self) -> str:
        """How a wish is kept in a Rasa slot: ``<start>/<end>`` in ISO 8601."""
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @classmethod
    def parse(cls, value: object) -> Window | None:
        """The window ``dump`` wrote; None for anything else."""
        try:
            start, end = str(value).split("/")
            return cls(datetime.fromisoformat(start), datetime.fromisoformat(end))
        except ValueError:
            return None

    def distance(self, moment: datetime) -> timedelta:
        if moment < self.start:
            return self.start - moment
        if moment > self.end:
            return moment - self.end
        return timedelta(0)


def nearest(slots: Iterable[Slot], window: Window, limit: int) -> list[Slot]:
    """The ``limit`` slots closest to ``window`` (inside it first), one per time."""
    ranked = sorted(one_per_time(slots), key=lambda s: (window.distance(s.start), s.start))
    return ranked[:limit]
