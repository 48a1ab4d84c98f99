"""Called by the tracker store after each turn: the user message just handled
goes to the advisers' review (``cnam/review_queue.py``) when the NLU fell
back, was unsure, or the person said right after that it was not that
("non c pas ça", or "Autre domaine" pressed under the offers it led to).

Only for people who accepted and are not minors; for everyone else a
misread message is only counted (``misread`` in ``cnam/stats.py``). The
text is masked (``cnam/review_mask.py``) before anything is written, and a
failure here never costs the turn: it is logged and the tracker is saved.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from redis.exceptions import RedisError

from cnam import clock, review_queue, stats
from cnam.privacy import ANONYMOUS_SENDER_PREFIX, may_keep_data
from cnam.review_mask import mask
from cnam.settings import get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)

FALLBACK = "nlu_fallback"
OTHER_FIELD = "other_field"  # the "Autre domaine" button under the recommendations
NAME_SLOTS = ("prenom", "rdv_prenom")
_CORRECTION = re.compile(
    r"(?i)\b(c'?\s?(?:e(?:st)?\s)?(?:pas|po) (?:ça|ca|sa)|ce n'?\s?est pas (?:ça|ca)|"
    r"(?:t'?as|vous avez) (?:pas|mal) compris|pas ce que j'?ai (?:dit|demandé))"
)


def _user_turns(tracker: Any) -> list[Any]:
    """The user messages of the tracker, latest last."""
    return [e for e in tracker.events if getattr(e, "type_name", "") == "user" and e.text]


def _typed(message: Any) -> bool:
    # Button payloads start with "/": never misread, never sent to review.
    return not message.text.startswith("/")


def _reason(message: Any, threshold: float) -> str | None:
    intent = (message.intent or {}).get("name")
    if intent == FALLBACK:
        return "fallback"
    if float((message.intent or {}).get("confidence") or 0) < threshold:
        return "low_confidence"
    return None


def _candidate(tracker: Any, threshold: float) -> tuple[Any, str] | None:
    turns = _user_turns(tracker)
    if not turns or turns[-1] is not tracker.latest_message:
        return None
    latest, previous = turns[-1], (turns[-2] if len(turns) > 1 else None)
    # "non c pas ça", or "Autre domaine" pressed at once: the message before was misread.
    corrected = (_typed(latest) and _CORRECTION.search(latest.text)) or (
        (latest.intent or {}).get("name") == OTHER_FIELD
    )
    if corrected and previous is not None and _typed(previous):
        return previous, "correction"
    reason = _reason(latest, threshold) if _typed(latest) else None
    return (latest, reason) if reason else None


def _predicted(message: Any) -> tuple[str, float, list[str]]:
    ranking = [r.get("name") for r in message.parse_data.get("intent_ranking") or []]
    intent = message.intent or {}
    name = intent.get("name") or ""
    if name == FALLBACK and len(ranking) > 1:
        # What the classifier hesitated on is more use to the adviser.
        name = ranking[1]
    return name, float(intent.get("confidence") or 0), [r for r in ranking if r and r != FALLBACK][:3]


def _entity(found: dict[str, Any], text: str, names: list[str]) -> dict[str, str]:
    """Entity, canonical value and the words it was read from (for training data)."""
    entity = {"entity": found["entity"], "value": mask(str(found.get("value", "")), names)}
    start, end = found.get("start"), found.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        entity["text"] = mask(text[start:end], names)
    return entity


async def collect(tracker: Any) -> None:
    sender = str(tracker.sender_id)
    found = _candidate(tracker, get_settings().review_confidence_threshold)
    if found is None:
        return
    message, reason = found
    redis = get_redis()
    try:
        kept = not sender.startswith(ANONYMOUS_SENDER_PREFIX) and await may_keep_data(redis, sender)
        eid = review_queue.entry_id(sender, message.message_id or str(message.timestamp))
        if not kept:
            if await redis.set(review_queue.seen_key(eid), "1", nx=True, ex=24 * 3600):
                await stats.record(redis, "misread", sender)
            return
        names = [str(tracker.get_slot(s)) for s in NAME_SLOTS if tracker.get_slot(s)]
        names += [e["value"] for e in message.entities if e.get("entity") in NAME_SLOTS]
        intent, confidence, ranking = _predicted(message)
        entities = [_entity(e, message.text, names) for e in message.entities if e.get("entity")]
        added = await review_queue.add(
            redis, sender, eid, text=mask(message.text, names), intent=intent,
            confidence=confidence, reason=reason, entities=entities, ranking=ranking, now=clock.now(),
        )
        if added:
            await stats.record(redis, "misread", sender)
    except RedisError as exc:
        log.warning("review entry not kept: %s", exc)
