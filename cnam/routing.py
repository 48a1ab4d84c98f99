"""Which advisers a case is meant for, from ``catalog/advisers.yaml``.

Each adviser, and each team (for its members), says what it takes
(``takes``: domaines, communes, publics, sujets). A case is compared on what
the record knows: its fields, its commune, its public (situation and age
group) and its subject. A criterion the record does not know neither counts
for nor against; one it contradicts (a BTP case for someone who takes only
informatique) rules that adviser or team out. An adviser's own criteria and their teams'
add up; the case goes to those who match the most; when nobody matches any, to nobody in particular
(the card then mentions no one and anyone may take it).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from cnam import handoff
from cnam.booking.config import Adviser, AdvisersConfig, Takes
from cnam.handoff import HandoffRecord


@dataclass(frozen=True)
class _Route:
    takes: Takes
    advisers: tuple[str, ...]


def _score(takes: Takes, record: HandoffRecord) -> int | None:
    """How many criteria the case meets, or None when it contradicts one."""
    publics = {p for p in (record.situation, record.tranche_age) if p}
    facts = (
        (takes.domaines, set(record.domaines)),
        (takes.communes, {record.commune} if record.commune else set()),
        (takes.publics, publics),
        (takes.sujets, {record.sujet} if record.sujet else set()),
    )
    score = 0
    for wanted, known in facts:
        if not wanted or not known:
            continue
        if not known & set(wanted):
            return None
        score += 1
    return score


def _routes(config: AdvisersConfig) -> list[_Route]:
    own = [_Route(a.takes, (a.id,)) for a in config.advisers if not a.takes.is_empty()]
    return own + [_Route(t.takes, tuple(t.members)) for t in config.teams]


def route(record: HandoffRecord, config: AdvisersConfig) -> list[str]:
    """Ids of the advisers the case is for, in the file's order; [] for anyone."""
    scores: dict[str, int] = {}
    for candidate in _routes(config):
        if score := _score(candidate.takes, record):
            for adviser_id in candidate.advisers:
                scores[adviser_id] = scores.get(adviser_id, 0) + score
    best = max(scores.values(), default=0)
    return [a.id for a in config.advisers if best and scores.get(a.id) == best]


def adviser_of(config: AdvisersConfig, user_id: int, username: str | None) -> Adviser | None:
    """The calendar's adviser behind a Telegram account (by id, else by @username)."""
    for adviser in config.advisers:
        if adviser.telegram_id == user_id:
            return adviser
    wanted = (username or "").lower()
    return next(
        (a for a in config.advisers if wanted and (a.telegram_username or "").lower() == wanted),
        None,
    )


async def open_cases(redis: aioredis.Redis, user_id: int, adviser_id: str | None) -> list[HandoffRecord]:
    """An adviser's open cases, oldest first: those they took and did not end
    (by their Telegram id), and those meant for them (by their calendar id)
    that nobody took yet."""
    found = []
    async for record in handoff.all_records(redis):
        if record.status == "pris":
            taker = await handoff.holder(redis, record.handoff_id)
            mine = taker is not None and taker.adviser_id == user_id
        else:
            mine = record.status == "transmis" and adviser_id in record.routed_to
        if mine:
            found.append(record)
    return sorted(found, key=lambda r: r.created_at)
