"""The project's tracker store saves without re-reading what is stored, and
keeps only the last conversation session: Rasa's own ``retrieve`` must give
back the conversation Rasa's stock store gives back, slots included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import ActionSessionStart
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from cnam.settings import get_settings
from rasa_ext.stores import UrlRedisTrackerStore

DOMAIN = Domain.load(str(Path(__file__).parents[1] / "domain"))
PROFILE = {"prenom": "Zaina", "tranche_age": "18_25", "niveau": "bac", "commune": "Koungou"}


def stock_store() -> RedisTrackerStore:
    """Rasa's own Redis store, under another prefix of this run's."""
    settings = get_settings()
    store = RedisTrackerStore(DOMAIN, key_prefix=settings.redis_prefix + "stock")
    store.red = UrlRedisTrackerStore(DOMAIN).red
    return store


def first_session(sender: str) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
        UserUttered("g le bac", {"name": "inform", "confidence": 0.9}),
        *(SlotSet(k, v) for k, v in PROFILE.items()),
        BotUttered("Merci Zaina."), ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


async def new_session(tracker: DialogueStateTracker) -> None:
    """What Rasa's processor does when the session expired: action_session_start
    (the default one: the domain has no custom action) applied to the tracker."""
    tracker.update(ActionExecuted("action_session_start"))
    for event in await ActionSessionStart().run(None, None, tracker, DOMAIN):  # type: ignore[arg-type]
        tracker.update(event, DOMAIN)
    tracker.update(UserUttered("re bonjour", {"name": "greet", "confidence": 0.9}))


def dicts(tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
    assert tracker is not None
    return [e.as_dict() for e in tracker.events]


def stored_events(store: RedisTrackerStore, sender: str) -> list[dict[str, Any]]:
    return json.loads(store.red.get(store.key_prefix + sender))["events"]


@pytest.mark.usefixtures("redis")
async def test_a_saved_conversation_is_retrieved_as_it_was() -> None:
    store, tracker = UrlRedisTrackerStore(DOMAIN), first_session("870001")
    await store.save(tracker)
    retrieved = await store.retrieve("870001")
    assert dicts(retrieved) == dicts(tracker)
    assert retrieved is not None and retrieved.current_slot_values() == tracker.current_slot_values()
    # A later turn of the same conversation, saved over the first.
    tracker.update(UserUttered("et le cpf ?", {"name": "ask_funding", "confidence": 0.8}))
    await store.save(tracker)
    assert dicts(await store.retrieve("870001")) == dicts(tracker)


@pytest.mark.usefixtures("redis")
async def test_a_new_session_keeps_the_profile_and_drops_the_old_one() -> None:
    ours, stock = UrlRedisTrackerStore(DOMAIN), stock_store()
    tracker = first_session("870002")
    for store in (ours, stock):
        await store.save(tracker)
    await new_session(tracker)
    for store in (ours, stock):
        await store.save(tracker)
    assert dicts(await ours.retrieve("870002")) == dicts(await stock.retrieve("870002"))
    restored = await ours.retrieve("870002")
    assert restored is not None
    assert {k: restored.get_slot(k) for k in PROFILE} == PROFILE
    # Only the new session is stored: the history does not grow across sessions.
    events = stored_events(ours, "870002")
    assert events[0] == {**events[0], "event": "action", "name": "action_session_start"}
    assert sum(e["event"] == "user" for e in events) == 1
    assert sum(e["event"] == "user" for e in stored_events(stock, "870002")) == 2


@pytest.mark.usefixtures("redis")
async def test_the_tracker_expires_with_the_retention() -> None:
    store = UrlRedisTrackerStore(DOMAIN)
    await store.save(first_session("870003"))
    ttl = store.red.ttl(store.key_prefix + "870003")
    assert get_settings().retention_seconds - 60 < ttl <= get_settings().retention_seconds


def test_sessions_expire_and_carry_the_slots_over() -> None:
    """Without an expiration the tracker would grow for as long as the person talks."""
    assert 0 < DOMAIN.session_config.session_expiration_time <= 24 * 60
    assert DOMAIN.session_config.carry_over_slots
