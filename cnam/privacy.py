"""A person's rights over their data: consent, export, erasure, and the
protection of minors.

Everything stored about a person is a key ``<prefix>:<kind>:<chat_id>``
(``cnam.keys``), Rasa's tracker and lock included, so one SCAN finds it all.
Erasure also undoes what the person's data set in motion: future
appointments are cancelled (their slot is free again) with their pending
reminders, handoff records and their stream entries are redacted.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from cnam import clock, funnel, handoff, keys, review_queue
from cnam.booking import appointments, reservations
from cnam.settings import get_settings
from cnam.store import get_redis

# The consent decision (``ACCEPTED``/``REFUSED``) and the under-16 marker.
CONSENT = "consent"
MINOR = "minor"
ACCEPTED = "oui"
REFUSED = "non"
# Without consent only the decision stays (the front then keeps the person's
# buttons in memory, bot/callbacks.py).
KEPT_WITHOUT_CONSENT = (CONSENT, MINOR)
# Rasa sender ids of the turns of someone who may not be kept (bot/pipeline.py):
# never all digits, so never a chat id. The front deletes their tracker after the
# turn; Rasa saves it with this short expiry too, in case it answers too late.
ANONYMOUS_SENDER_PREFIX = "anon"
ANONYMOUS_TRACKER_SECONDS = 120

MINOR_MESSAGE = (
    "Vous avez moins de 16 ans : je ne garde rien de ce que vous m'écrivez, sauf "
    "accord d'un parent. Je réponds quand même à vos questions. Pour votre orientation, "
    "parlez-en à vos parents et au CIO (centre d'information et d'orientation) de "
    "votre secteur. Dès 16 ans, la Mission locale de Mayotte (siège à Passamainty) "
    "vous aide aussi."
)


@dataclass(frozen=True)
class ErasureReport:
    appointments_cancelled: int  # upcoming ones (with their reminders); past ones go too
    handoff_entries_redacted: int
    keys_deleted: int  # by the final sweep, after the modules removed their own


async def consent_state(redis: aioredis.Redis, chat_id: int | str) -> tuple[str | None, bool]:
    """(decision or None, is a minor). Reading renews both expiries: the
    decision lasts as long as the data it covers, 180 days after the last message."""
    consent, minor = keys.person_key(CONSENT, chat_id), keys.person_key(MINOR, chat_id)
    ttl = get_settings().retention_seconds
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(consent)
        pipe.exists(minor)
        pipe.expire(consent, ttl)
        pipe.expire(minor, ttl)
        decision, is_minor, *_ = await pipe.execute()
    return decision, bool(is_minor)


async def may_keep_data(redis: aioredis.Redis, chat_id: int | str) -> bool:
    decision, is_minor = await consent_state(redis, chat_id)
    return decision == ACCEPTED and not is_minor


async def record_consent(redis: aioredis.Redis, chat_id: int | str, decision: str) -> None:
    await redis.set(
        keys.person_key(CONSENT, chat_id), decision, ex=get_settings().retention_seconds
    )


async def person_keys(redis: aioredis.Redis, chat_id: int | str) -> list[str]:
    """Every key of this person, Rasa's tracker and lock included."""
    found = {key async for key in redis.scan_iter(match=keys.person_pattern(chat_id), count=1000)}
    return sorted(found)


def kind_of(key: str, chat_id: int | str) -> str:
    """``<prefix>:booking:42`` → ``booking``."""
    return key.removeprefix(keys.prefix() + ":").removesuffix(f":{chat_id}")


def _decoded(value: Any) -> Any:
    """JSON stored as text is shown as JSON, anything else as it is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read(redis: aioredis.Redis, key: str) -> Any:
    """The value of any Redis type, decoded; None if the key just expired."""
    kind = await redis.type(key)
    if kind == "string":
        return _decoded(await redis.get(key))
    if kind == "hash":
        return {field: _decoded(v) for field, v in (await redis.hgetall(key)).items()}
    if kind == "list":
        return [_decoded(v) for v in await redis.lrange(key, 0, -1)]
    if kind == "set":
        return sorted(await redis.smembers(key))
    if kind == "zset":
        return [list(pair) for pair in await redis.zrange(key, 0, -1, withscores=True)]
    if kind == "stream":
        return [{"id": entry_id, **fields} for entry_id, fields in await redis.xrange(key)]
    return None


async def export_person(redis: aioredis.Redis, chat_id: int | str) -> dict[str, Any]:
    """Everything stored about this person, by kind, with when each will be erased.

    Handoff records (``handoff``), appointments (``booking``), reminders and
    Rasa's conversation (``tracker``) are person keys, so they are all in
    ``donnees``. JSON-serialisable.
    """
    settings = get_settings()
    now = clock.now()
    data: dict[str, Any] = {}
    erased_on: dict[str, str | None] = {}
    for key in await person_keys(redis, chat_id):
        value = await _read(redis, key)
        if value is None:
            continue
        kind = kind_of(key, chat_id)
        data[kind] = value
        ttl = await redis.ttl(key)
        erased_on[kind] = (
            (now + timedelta(seconds=ttl)).isoformat(timespec="minutes") if ttl > 0 else None
        )
    return {
        "identifiant_telegram": str(chat_id),
        "exporte_le": now.isoformat(timespec="seconds"),
        "conservation_jours": settings.retention_days,
        "donnees": data,
        "effacement_prevu": erased_on,
    }


async def erase_person(
    redis: aioredis.Redis, chat_id: int | str, now: datetime, keep: Collection[str] = ()
) -> ErasureReport:
    """Erase everything about this person except the kinds in ``keep``.

    Appointments first: their slots and reminders are shared keys, found
    through the person's booking records.
    """
    cancelled = len(await reservations.upcoming(redis, chat_id, now))
    await appointments.forget_person(redis, chat_id)
    redacted = await handoff.redact_person(redis, chat_id)
    await review_queue.forget_person(redis, chat_id)
    doomed = [k for k in await person_keys(redis, chat_id) if kind_of(k, chat_id) not in keep]
    deleted = await redis.delete(*doomed) if doomed else 0
    return ErasureReport(cancelled, redacted, deleted)


async def forget_profile(chat_id: int | str) -> None:
    """The person said they are under 16: erase what is known about them and
    mark them as a minor, so that nothing personal is kept without a parent's
    agreement (``bot.consent`` then treats them as someone who refused).

    Called from a Rasa action. Rasa saves its tracker after the action, so
    the action also resets the profile slots; the front, seeing the marker
    after the turn, erases once more (``bot/pipeline.py``).
    """
    redis = get_redis()
    await funnel.withdraw(redis, chat_id)  # a minor is only an anonymous "started"
    await erase_person(redis, chat_id, clock.now(), keep=KEPT_WITHOUT_CONSENT)
    await redis.set(keys.person_key(MINOR, chat_id), 1, ex=get_settings().retention_seconds)
