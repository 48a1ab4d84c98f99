"""Anonymous usage counters for the advisers' /stats.

Per day (Mayotte time), two shared keys:

- ``<prefix>:stats:<YYYY-MM-DD>``: a hash of counters, ``profile_completed``,
  ``appointment`` (booked), ``appointment_cancelled``, ``handoff``,
  ``messages`` (each message the front passed on) and ``misread`` (those
  the NLU fell back on or was unsure of, ``rasa_ext/review_collector.py``),
  ``confirmed`` and ``rescheduled`` (answers to the day-before reminder), and
  ``domaine:<value>`` / ``commune:<value>``;
- ``<prefix>:stats_people:<YYYY-MM-DD>``: a HyperLogLog of the people who
  wrote that day (event ``conversation``), so distinct people over a week or
  a month is one PFCOUNT over the days.

Both expire after ~400 days: enough for a full year and a comparison with
the same month a year before, and no counter is kept forever. No chat id is
stored: the HyperLogLog receives a hash of it and keeps only register
maxima, from which no id can be read back. ``record`` also moves people who
came by a campaign link along its funnel (``cnam/funnel.py``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import redis.asyncio as aioredis

from cnam import clock, funnel
from cnam.keys import prefix, shared_key
from cnam.packing import pack
from cnam.settings import get_settings
from cnam.vocabulary import COMMUNES, DOMAINE, DOMAINES, label

# Each recorded where it happens: the front (conversation), the tracker store
# (misread), action_recommend (profile), cnam/booking/appointments.py
# (appointments), cnam/handoff.py, bot/reminder_answers.py (the answers to the
# day-before reminder), bot/attendance.py (attended, no_show: on the
# appointment's day), bot/followup.py (followup: a usefulness score, its sum in
# ``followup_score_sum``; followup_next: what the person does next, in
# ``next:<value>``).
EVENTS = (
    "conversation", "profile_completed", "appointment", "appointment_cancelled", "handoff",
    "misread", "confirmed", "rescheduled", "attended", "no_show", "followup", "followup_next",
)
# "conversation" is counted as distinct people, and as "messages".
COUNTED = (*EVENTS[1:], "messages")
DAY_TTL = 400 * 24 * 3600
TOP = 5


def _day_keys(day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return shared_key("stats", iso), shared_key("stats_people", iso)


def _pseudonym(chat_id: int | str) -> str:
    return hashlib.sha256(f"{prefix()}:{chat_id}".encode()).hexdigest()


async def record(
    redis: aioredis.Redis,
    event: str,
    chat_id: int | str,
    now: datetime | None = None,
    **facts: object,
) -> None:
    """Count one event for today.

    ``conversation``: the person wrote (call it for every message: people are
    counted once a day). ``profile_completed`` takes ``domaines`` (list) and
    ``commune`` facts, which feed the top fields and communes; values outside
    the canonical lists are counted as ``autre``.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown stats event: {event}")
    day = (now or clock.now()).astimezone(get_settings().tz).date()
    counters, people = _day_keys(day)
    async with redis.pipeline(transaction=False) as pipe:
        if event == "conversation":
            pipe.pfadd(people, _pseudonym(chat_id))
            pipe.expire(people, DAY_TTL)
            pipe.hincrby(counters, "messages", 1)
            pipe.expire(counters, DAY_TTL)
        else:
            pipe.hincrby(counters, event, 1)
            domaines = facts.get("domaines") or []
            if isinstance(domaines, str):
                domaines = [domaines]
            for domaine in domaines:
                pipe.hincrby(counters, f"domaine:{domaine if domaine in DOMAINES else 'autre'}", 1)
            commune = facts.get("commune")
            if commune:
                pipe.hincrby(counters, f"commune:{commune if commune in COMMUNES else 'autre'}", 1)
            if "score" in facts:
                pipe.hincrby(counters, "followup_score_sum", int(str(facts["score"])))
            if facts.get("next"):
                pipe.hincrby(counters, f"next:{facts['next']}", 1)
            pipe.expire(counters, DAY_TTL)
        await pipe.execute()
    # A person who came by a campaign link moves along its funnel (cnam/funnel.py).
    await funnel.advance(redis, event, chat_id, now)


async def recount(redis: aioredis.Redis, old: str, new: str, chat_id: int | str, now: datetime) -> None:
    """An answer changed (Venu(e), then Absent(e)): its count moves from ``old``
    to ``new`` on the day it was counted, so nothing is counted twice; a
    campaign's funnel reaches ``new``'s stage if it has one (once)."""
    if old not in EVENTS or new not in EVENTS:
        raise ValueError(f"unknown stats event: {old}, {new}")
    counters, _ = _day_keys(now.astimezone(get_settings().tz).date())
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hincrby(counters, old, -1)
        pipe.hincrby(counters, new, 1)
        pipe.expire(counters, DAY_TTL)
        await pipe.execute()
    await funnel.advance(redis, new, chat_id, now)


@dataclass
class DayCount:
    day: date
    people: int
    handoffs: int
    appointments: int


@dataclass
class Period:
    days: int
    first_day: date
    last_day: date
    people: int  # distinct people who wrote
    counts: dict[str, int]
    top_domaines: list[tuple[str, int]]
    top_communes: list[tuple[str, int]]
    daily: list[DayCount] = field(default_factory=list)
    score_sum: int = 0  # of the follow-up scores (counts["followup"] of them)
    next_steps: list[tuple[str, int]] = field(default_factory=list)

    @property
    def attendance_rate(self) -> int | None:
        """Percent of the marked appointments where the person came."""
        marked = self.counts["attended"] + self.counts["no_show"]
        return round(100 * self.counts["attended"] / marked) if marked else None

    @property
    def average_score(self) -> float | None:
        return self.score_sum / self.counts["followup"] if self.counts["followup"] else None


async def summary(
    redis: aioredis.Redis, days: tuple[int, ...] = (7, 30), now: datetime | None = None
) -> dict[int, Period]:
    """Counts for the last ``n`` days (today included) for each ``n`` of ``days``."""
    today = (now or clock.now()).astimezone(get_settings().tz).date()
    span = [today - timedelta(days=i) for i in range(max(days) - 1, -1, -1)]
    async with redis.pipeline(transaction=False) as pipe:
        for day in span:
            counters, people = _day_keys(day)
            pipe.hgetall(counters)
            pipe.pfcount(people)
        for n in days:
            pipe.pfcount(*(_day_keys(day)[1] for day in span[-n:]))
        results = await pipe.execute()
    per_day = results[: 2 * len(span)]
    hashes = [{k: int(v) for k, v in h.items()} for h in per_day[0::2]]
    people_per_day = per_day[1::2]
    distinct = dict(zip(days, results[2 * len(span) :], strict=True))
    daily = [
        DayCount(day, people, h.get("handoff", 0), h.get("appointment", 0))
        for day, people, h in zip(span, people_per_day, hashes, strict=True)
    ]
    periods = {}
    for n in days:
        total: Counter[str] = Counter()
        for h in hashes[-n:]:
            total.update(h)
        periods[n] = Period(
            days=n,
            first_day=span[-n],
            last_day=today,
            people=distinct[n],
            counts={event: total.get(event, 0) for event in COUNTED},
            top_domaines=_top(total, "domaine:"),
            top_communes=_top(total, "commune:"),
            daily=daily[-n:],
            score_sum=total.get("followup_score_sum", 0),
            next_steps=_top(total, "next:"),
        )
    return periods


def _top(total: Counter[str], kind: str) -> list[tuple[str, int]]:
    found = Counter({k.removeprefix(kind): v for k, v in total.items() if k.startswith(kind)})
    return found.most_common(TOP)


def format_summary(periods: dict[int, Period]) -> list[str]:
    """The /stats text, in French, as messages of at most 350 characters."""
    lines = []
    for n, period in sorted(periods.items()):
        c = period.counts
        lines.append(
            f"{n} derniers jours : {_count(period.people, 'personne', 'personnes')}, "
            f"{_count(c['profile_completed'], 'profil complet', 'profils complets')}, "
            f"{c['appointment']} rendez-vous "
            f"({_count(c['appointment_cancelled'], 'annulé', 'annulés')}), "
            f"{_count(c['handoff'], 'demande de conseiller', 'demandes de conseiller')}."
        )
        lines.append(f"   {aftercare_line(period)}")
    longest = periods[max(periods)]
    answers = longest.counts
    lines.append(
        f"Rappels de la veille ({longest.days} j) : "
        f"{_count(answers['confirmed'], 'rendez-vous confirmé', 'rendez-vous confirmés')}, "
        f"{_count(answers['rescheduled'], 'à décaler', 'à décaler')}."
    )
    shortest = periods[min(periods)]
    if shortest.counts["messages"]:
        lines.append(f"Messages mal compris ({shortest.days} j) : {misread_line(shortest)}.")
    if longest.next_steps:
        steps = ", ".join(f"{NEXT_STEPS.get(k, k)} ({v})" for k, v in longest.next_steps)
        lines.append(f"Après le suivi ({longest.days} j) : {steps}.")
    if longest.top_domaines:
        fields = ", ".join(f"{label(DOMAINE, d)} ({v})" for d, v in longest.top_domaines)
        lines.append(f"Domaines les plus demandés ({longest.days} j) : {fields}.")
    if longest.top_communes:
        communes = ", ".join(f"{name} ({v})" for name, v in longest.top_communes)
        lines.append(f"Communes ({longest.days} j) : {communes}.")
    header = f"Statistiques au {longest.last_day.strftime('%d/%m/%Y')}"
    return pack([header, *lines])


def misread_line(period: Period) -> str:
    """« 4 sur 120 (3 %) »: fallbacks and unsure understandings among the messages."""
    misread, messages = period.counts["misread"], period.counts["messages"]
    share = round(100 * misread / messages) if messages else 0
    return f"{misread} sur {messages} ({share} %)"


NEXT_STEPS = {
    "inscription": "inscription", "reflexion": "réflexion",
    "autre_formation": "autre formation", "aide": "besoin d'aide",
}


def aftercare_line(period: Period) -> str:
    """``présence : 3 venus, 1 absent (75 %) ; suivi : 4,5/5 (2 réponses)``."""
    c = period.counts
    rate = period.attendance_rate
    line = (
        f"présence : {_count(c['attended'], 'venu', 'venus')}, {_count(c['no_show'], 'absent', 'absents')}"
        + (f" ({rate} %)" if rate is not None else "")
    )
    average = period.average_score
    score = f"{average:.1f}".replace(".", ",") + "/5" if average is not None else "pas de note"
    return f"{line} ; suivi : {score} ({_count(c['followup'], 'réponse', 'réponses')})"


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n < 2 else plural}"
