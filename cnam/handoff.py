"""Handoff to a human adviser: the record, its storage and its delivery stream.

Record schema (``HandoffRecord``, JSON as stored and exported):

==================  =========================================================
handoff_id          short random id ("h" + 12 hex characters), used in the
                    "Je prends" button (``claim:<handoff_id>``)
chat_id             Telegram chat id of the person (= Rasa sender id)
created_at          ISO 8601 date-time with the Mayotte offset
reason              ``profil_complet_rdv`` (an appointment was booked) |
                    ``demande_conseiller`` | ``incomprehension``
sujet               what it is about (``cnam.vocabulary.SUJET``), or null
telegram_name       the person's name on Telegram, or null (terminal chat)
telegram_username   their @username without the @, or null
prenom              first name as the person typed it, or null
tranche_age         ``moins_16`` | ``16_17`` | ``18_25`` | ``26_plus`` | null
situation           canonical situation (``cnam.vocabulary``) or null
niveau              ``sans_bac`` | ``bac`` | ``bac+2`` | ``bac+3`` | ``bac+5`` | null
domaines            list of canonical fields
commune             one of the 17 communes, or null
modalite            ``distance`` | ``presentiel`` | ``alternance`` |
                    ``soir_weekend`` | null
disponibilite       ``journee`` | ``soir_weekend`` | ``indifferent`` | null
appointment         the booked appointment as text, or null
offers              recommended offers: list of ``{"id", "title"}``
funding             funding routes (catalogue keys such as ``CPF``)
last_messages       the person's last 5 messages, oldest first
status              ``nouveau`` (written) → ``transmis`` (card posted) →
                    ``pris`` (an adviser pressed "Je prends") → ``termine``
                    (the adviser ended the live relay with /fin)
card_message_id     id of the card in the advisers' group, or null
claimed_by          display name of the adviser who took it, or null
claimed_at          when it was taken, or null
thread_id           the case's topic (``message_thread_id``) when the
                    advisers' chat is a supergroup with topics, or null
                    (a plain group: the case lives in replies to its card)
routed_to           ids of the advisers (``catalog/advisers.yaml``) the case
                    is meant for (``cnam/routing.py``), set when the card is
                    posted; empty: anyone
==================  =========================================================

Storage, chosen so that erasing a person is complete:

- the body lives in the person's hash ``<prefix>:handoff:<chat_id>``
  (field = handoff_id), with the retention expiry;
- ``<prefix>:handoff_chat:<handoff_id>`` → chat id, so a button press finds
  the body (same expiry, deleted on erasure);
- the stream ``<prefix>:handoffs`` (``cnam/handoff_queue.py``) carries only
  ``handoff_id`` and ``chat_id``: it is the delivery queue of the cards;
  ``redact_person`` deletes a person's entries.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import redis.asyncio as aioredis
from pydantic import BaseModel, Field, validator

from cnam import clock, handoff_queue, stats
from cnam.keys import person_key, shared_key
from cnam.orientation.profile import SKIPPED, Profile
from cnam.settings import get_settings

Reason = Literal["profil_complet_rdv", "demande_conseiller", "incomprehension"]
# The card's "Motif" line.
REASON_LABELS = {
    "profil_complet_rdv": "Rendez-vous demandé",
    "demande_conseiller": "La personne demande un conseiller",
    "incomprehension": "L'assistant ne comprend pas la personne",
}
Status = Literal["nouveau", "transmis", "pris", "termine"]

LAST_MESSAGES = 5


class Offer(BaseModel):
    id: str
    title: str


class HandoffRecord(BaseModel):
    # Never all digits, so no key named after it looks like a person's key
    # (``<prefix>:<kind>:<chat_id>``) to the erasure SCAN.
    handoff_id: str = Field(default_factory=lambda: "h" + secrets.token_hex(6))
    chat_id: int
    created_at: datetime = Field(default_factory=lambda: clock.now())
    reason: Reason
    sujet: str | None = None
    telegram_name: str | None = None
    telegram_username: str | None = None
    prenom: str | None = None
    tranche_age: str | None = None
    situation: str | None = None
    niveau: str | None = None
    domaines: list[str] = []
    commune: str | None = None
    modalite: str | None = None
    disponibilite: str | None = None
    appointment: str | None = None
    offers: list[Offer] = []
    funding: list[str] = []
    last_messages: list[str] = []
    status: Status = "nouveau"
    card_message_id: int | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    thread_id: int | None = None
    routed_to: list[str] = []

    @validator("last_messages")
    def _keep_last(cls, value: list[str]) -> list[str]:
        return value[-LAST_MESSAGES:]


@dataclass(frozen=True)
class Holder:
    """The adviser who took a handoff."""

    adviser_id: int
    adviser_name: str

    @classmethod
    def parse(cls, raw: str) -> Holder:
        adviser_id, _, adviser_name = raw.partition(":")
        return cls(int(adviser_id), adviser_name)

    def dump(self) -> str:
        return f"{self.adviser_id}:{self.adviser_name}"


def _index_key(handoff_id: str) -> str:
    return shared_key("handoff_chat", handoff_id)


def _claim_key(handoff_id: str) -> str:
    return shared_key("claim", handoff_id)


async def save(redis: aioredis.Redis, record: HandoffRecord) -> None:
    """Write a new body, renewing the retention expiry of the person's hash, and
    with it that of the index and claim keys of their earlier handoffs: their
    cards' buttons and replies keep working as long as the records live."""
    ttl = get_settings().retention_seconds
    body = person_key("handoff", record.chat_id)
    earlier = await redis.hkeys(body)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(body, record.handoff_id, record.json())
        pipe.expire(body, ttl)
        pipe.set(_index_key(record.handoff_id), record.chat_id, ex=ttl)
        for handoff_id in earlier:
            pipe.expire(_index_key(handoff_id), ttl)
            pipe.expire(_claim_key(handoff_id), ttl)
        await pipe.execute()


# Rewrites a body only while it exists: a delivery or a claim running while
# the person is erased must not bring the record back.
_UPDATE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


async def update(redis: aioredis.Redis, record: HandoffRecord) -> bool:
    """Save a change to an existing record; False when it was erased meanwhile."""
    body = person_key("handoff", record.chat_id)
    return bool(await redis.eval(_UPDATE, 1, body, record.handoff_id, record.json()))


async def publish(redis: aioredis.Redis, record: HandoffRecord) -> str:
    """Store the record and queue it for the advisers; returns the stream entry id."""
    await handoff_queue.ensure_group(redis)
    await save(redis, record)
    return await handoff_queue.enqueue(redis, record.handoff_id, record.chat_id)


async def request_handoff(
    redis: aioredis.Redis,
    chat_id: int | str,
    reason: str,
    slots: dict,
    last_messages: list[str],
    appointment: str | None,
    offers: list[tuple[str, str]],
    funding: list[str],
    *,
    sujet: str | None = None,
    telegram_name: str | None = None,
    telegram_username: str | None = None,
) -> str:
    """Build the record from the Rasa slots, queue it, count it; returns the handoff id."""
    profile = Profile.from_slots({k: v for k, v in slots.items() if v != SKIPPED})
    record = HandoffRecord(
        chat_id=chat_id,
        reason=reason,
        sujet=sujet,
        telegram_name=telegram_name,
        telegram_username=telegram_username,
        prenom=profile.prenom,
        tranche_age=profile.tranche_age,
        situation=profile.situation,
        niveau=profile.niveau,
        domaines=profile.domaines,
        commune=profile.commune,
        modalite=profile.modalite,
        disponibilite=profile.disponibilite,
        appointment=appointment,
        offers=[Offer(id=offer_id, title=title) for offer_id, title in offers],
        funding=funding,
        last_messages=last_messages,
    )
    await publish(redis, record)
    await stats.record(redis, "handoff", chat_id)
    return record.handoff_id


async def load(redis: aioredis.Redis, chat_id: int | str, handoff_id: str) -> HandoffRecord | None:
    raw = await redis.hget(person_key("handoff", chat_id), handoff_id)
    return HandoffRecord.parse_raw(raw) if raw else None


async def records_of(redis: aioredis.Redis, chat_id: int | str) -> list[HandoffRecord]:
    """Every handoff of this person (their cards, before an erasure)."""
    return [HandoffRecord.parse_raw(raw) for raw in await redis.hvals(person_key("handoff", chat_id))]


async def find(redis: aioredis.Redis, handoff_id: str) -> HandoffRecord | None:
    """The record behind a button or a reply; None once erased or expired."""
    chat_id = await redis.get(_index_key(handoff_id))
    return await load(redis, chat_id, handoff_id) if chat_id else None


async def all_records(redis: aioredis.Redis) -> AsyncIterator[HandoffRecord]:
    """Every stored record (export): the bodies, not the trimmed stream."""
    async for key in redis.scan_iter(match=person_key("handoff", "*"), count=500):
        for raw in (await redis.hgetall(key)).values():
            yield HandoffRecord.parse_raw(raw)


async def claim(redis: aioredis.Redis, handoff_id: str, adviser: Holder) -> tuple[bool, Holder]:
    """Atomically give the handoff to one adviser (SET NX). Returns whether
    this adviser got it, and who holds it."""
    key = _claim_key(handoff_id)
    # Same lifetime as the record it guards; holds no data about the person.
    if await redis.set(key, adviser.dump(), nx=True, ex=get_settings().retention_seconds):
        return True, adviser
    raw = await redis.get(key)
    return False, Holder.parse(raw) if raw else adviser


async def holder(redis: aioredis.Redis, handoff_id: str) -> Holder | None:
    raw = await redis.get(_claim_key(handoff_id))
    return Holder.parse(raw) if raw else None


async def redact_person(redis: aioredis.Redis, chat_id: int | str) -> int:
    """Erase every handoff of this person: bodies, indexes, claims, their
    stream entries and dead letters. Returns the number of stream entries deleted."""
    body = person_key("handoff", chat_id)
    handoff_ids = await redis.hkeys(body)
    doomed = await handoff_queue.entries_of(redis, chat_id)
    dead = await handoff_queue.dead_letters_of(redis, chat_id)
    async with redis.pipeline(transaction=True) as pipe:
        handoff_queue.drop(pipe, doomed, dead)
        for handoff_id in handoff_ids:
            pipe.delete(_index_key(handoff_id), _claim_key(handoff_id))
        pipe.delete(body)
        await pipe.execute()
    return len(doomed)
