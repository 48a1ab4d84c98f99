"""Issue 16's Rasa-side and front levers, each measured before/after:

- ``tracker``: CPU of one tracker save (and of the retrieve before it) with
  Rasa's stock Redis store and with the project's (``rasa_ext/stores.py``),
  for a conversation one session long and for one that grew over many sessions;
- ``http``: the front's CPU per Bot API call with PTB's httpx request and
  with ``bot/aiohttp_request.py``, against the fake Bot API in another process
  (its CPU is not counted), 20 calls in flight as under load;
- ``front``: the CPU of the real front process (``python -m bot``, flood
  limit lifted) per turn, with each request class, people typing and pressing
  buttons through the fake Bot API, Rasa replaced by its stub (an echo with
  two buttons, tests/rasa_stub.py).

- ``call``: the JSON body of one call to the action server (bytes, CPU to
  build and encode it) with the domain sent to every action (Rasa's default)
  and with none (endpoints.yml; the form validators read theirs from the
  domain files, actions/form_domain.py).

    PYTHONPATH=. python -m bench.levers16 [tracker] [http] [front] [call]

Writes bench/results/levers16.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "levers16.json"
os.environ.setdefault("REDIS_PREFIX", "benchlevers16")


def _cpu_ms(runs: int, step: Callable[[], Awaitable[None]]) -> float:
    async def timed() -> float:
        await step()  # warm-up
        start = time.process_time()
        for _ in range(runs):
            await step()
        return (time.process_time() - start) * 1000 / runs

    return round(asyncio.run(timed()), 3)


def _conversation(sender: str, sessions: int, turns: int) -> Any:
    """A tracker of ``sessions`` sessions of ``turns`` turns each, with profile slots."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain"))
    tracker = DialogueStateTracker(sender, domain.slots)
    for _ in range(sessions):
        tracker.update(ActionExecuted("action_session_start"))
        for event in asyncio.run(ActionSessionStart().run(None, None, tracker, domain)):  # type: ignore[arg-type]
            tracker.update(event, domain)
        for turn in range(turns):
            tracker.update(UserUttered("g le bac", {"name": "inform", "confidence": 0.9},
                                       [{"entity": "niveau", "value": "bac"}]))
            tracker.update(SlotSet("niveau", "bac"))
            tracker.update(ActionExecuted("profile_form"))
            tracker.update(BotUttered(f"Question {turn} ?", {"buttons": [{"title": "Oui", "payload": "/affirm"}]}))
            tracker.update(ActionExecuted("action_listen"))
    return tracker, domain


def bench_tracker() -> list[dict[str, Any]]:
    """One turn's store work: retrieve, then save with one more event."""
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.events import UserUttered

    from rasa_ext.stores import UrlRedisTrackerStore

    rows = []
    # 12 turns: one visit; 10 sessions of 12 turns: a person who came back
    # ten times (kept whole today, session_expiration_time 0).
    for sessions, turns in [(1, 12), (1, 60), (10, 12)]:
        for name, make in [("stock", RedisTrackerStore), ("project", UrlRedisTrackerStore)]:
            tracker, domain = _conversation(f"bench-{name}-{sessions}-{turns}", sessions, turns)
            store = make(domain) if name == "project" else make(
                domain, key_prefix="benchlevers16stock")
            if name == "stock":
                store.red = UrlRedisTrackerStore(domain).red
            # Stock Rasa never expires sessions here: it keeps the whole history.
            stored = tracker if name == "stock" or sessions == 1 else _last_session(tracker)
            asyncio.run(store.save(stored))

            async def turn(store: Any = store, sender: str = tracker.sender_id) -> None:
                current = await store.retrieve(sender)
                current.update(UserUttered("ok", {"name": "affirm", "confidence": 0.9}))
                await store.save(current)

            async def save_only(store: Any = store, tracker: Any = stored) -> None:
                await store.save(tracker)

            size = len(store.red.get(store.key_prefix + tracker.sender_id))
            rows.append({
                "store": name, "sessions": sessions, "turns_per_session": turns,
                "stored_bytes": size,
                "save_cpu_ms": _cpu_ms(50, save_only),
                "retrieve_and_save_cpu_ms": _cpu_ms(50, turn),
            })
            store.red.delete(store.key_prefix + tracker.sender_id)
    return rows


def _last_session(tracker: Any) -> Any:
    from rasa.shared.core.trackers import get_trackers_for_conversation_sessions

    return get_trackers_for_conversation_sessions(tracker)[-1]


SERVER = """
import asyncio, sys
from tests.fake_telegram import FakeTelegram
async def main():
    fake = FakeTelegram(); await fake.start()
    print(fake.base_url, fake.token, flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


def bench_http(calls: int = 2000, in_flight: int = 20) -> list[dict[str, Any]]:
    from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.request import HTTPXRequest

    from bot.aiohttp_request import AiohttpRequest

    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert server.stdout is not None
        base_url, token = server.stdout.readline().split()
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="t1"),
                                        InlineKeyboardButton("Non", callback_data="t2")]])
        rows = []
        for name, make in [("httpx", HTTPXRequest), ("aiohttp", AiohttpRequest)]:

            async def run(make: Callable[..., Any] = make) -> tuple[float, float]:
                bot = Bot(token, base_url=base_url, request=make(connection_pool_size=256))
                async with bot:
                    async def one(i: int) -> None:  # a turn's usual pair: a message, an edit
                        sent = await bot.send_message(1000 + i % in_flight, "Question ?", reply_markup=markup)
                        await bot.edit_message_text("✅ Oui", chat_id=sent.chat_id, message_id=sent.message_id)

                    await asyncio.gather(*(one(i) for i in range(in_flight)))  # warm-up
                    cpu, wall = time.process_time(), time.perf_counter()
                    for start in range(0, calls // 2, in_flight):
                        await asyncio.gather(*(one(i) for i in range(start, start + in_flight)))
                    return time.process_time() - cpu, time.perf_counter() - wall

            cpu, wall = asyncio.run(run())
            rows.append({"request": name, "calls": calls, "in_flight": in_flight,
                         "cpu_ms_per_call": round(cpu * 1000 / calls, 3),
                         "calls_per_s": round(calls / wall, 1)})
        return rows
    finally:
        server.terminate()
        server.wait()


FRONT = """
import functools, sys
from bot import app, retry_limiter
from bot.__main__ import main
if sys.argv[1] == "httpx":  # the front as it was: PTB's default request class
    from telegram.request import HTTPXRequest
    app.AiohttpRequest = HTTPXRequest
app.RetryingRateLimiter = functools.partial(retry_limiter.RetryingRateLimiter, overall_max_rate=0)
main([])
"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _front_turns(request: str, people: int, turns: int) -> dict[str, Any]:
    import redis.asyncio as aioredis

    from cnam import privacy
    from cnam.settings import get_settings
    from tests.fake_telegram import FakeTelegram
    from tests.rasa_stub import RasaStub

    fake, rasa = FakeTelegram(), RasaStub()
    redis = aioredis.from_url(get_settings().redis_url, decode_responses=True)
    await fake.start()
    await rasa.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": fake.token,
           "TELEGRAM_API_BASE_URL": fake.base_url, "RASA_URL": rasa.url, "RASA_URLS": "",
           "AGENDA_MORNING": "off", "WEEKLY_DIGEST": "off", "LOG_LEVEL": "WARNING"}
    front = await asyncio.create_subprocess_exec(sys.executable, "-c", FRONT, request, env=env)
    chats = [990_000 + i for i in range(people)]
    try:
        async def first(chat: int) -> None:
            await privacy.record_consent(redis, chat, privacy.ACCEPTED)  # as "J'accepte" does
            fake.send_text(chat, "bjr")
            await fake.wait_for(lambda: bool(fake.messages(chat)), 60)

        async def talk(chat: int, start: int) -> None:
            for turn in range(start, start + turns):
                before = len(fake.messages(chat))
                if turn % 2:  # a button of the latest echo
                    fake.press_button(chat, fake.messages(chat)[-1]["message_id"], "Oui")
                else:
                    fake.send_text(chat, f"message {turn}")
                await fake.wait_for(
                    lambda before=before: len(fake.messages(chat)) > before
                    and fake.messages(chat)[-1]["text"].startswith("Vous avez dit"), 30)

        await asyncio.gather(*(first(c) for c in chats))
        await asyncio.gather(*(talk(c, 0) for c in chats))  # warm-up
        calls, cpu = len(fake.calls), _cpu_seconds(front.pid)
        wall = time.perf_counter()
        await asyncio.gather(*(talk(c, turns) for c in chats))
        cpu, wall = _cpu_seconds(front.pid) - cpu, time.perf_counter() - wall
        measured = people * turns
        return {"request": request, "turns": measured, "people": people,
                "front_cpu_ms_per_turn": round(cpu * 1000 / measured, 2),
                "bot_api_calls_per_turn": round((len(fake.calls) - calls) / measured, 2),
                "turns_per_s": round(measured / wall, 1)}
    finally:
        front.terminate()
        await front.wait()
        async for key in redis.scan_iter(match=f"{os.environ['REDIS_PREFIX']}:*"):
            await redis.delete(key)
        await redis.close()
        await rasa.stop()
        await fake.stop()


def bench_front(people: int = 20, turns: int = 30) -> list[dict[str, Any]]:
    return [asyncio.run(_front_turns(request, people, turns)) for request in ("httpx", "aiohttp")]


def bench_action_call(runs: int = 200) -> list[dict[str, Any]]:
    """Bytes and CPU of one call's JSON body, with the domain sent to every action or not."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    rows = []
    for turns in (12, 60):
        tracker, domain = _conversation(f"bench-call-{turns}", 1, turns)
        for selective in (False, True):
            endpoint = EndpointConfig("http://127.0.0.1:1/webhook",
                                      enable_selective_domain=selective)
            for name in ("action_recommend", "validate_profile_form"):
                action = RemoteAction(name, endpoint)

                async def body(action: RemoteAction = action, tracker: Any = tracker,
                               domain: Any = domain) -> None:
                    json.dumps(action._action_call_format(tracker, domain))

                rows.append({
                    "turns": turns, "selective_domain": selective, "action": name,
                    "body_bytes": len(json.dumps(action._action_call_format(tracker, domain))),
                    "body_cpu_ms": _cpu_ms(runs, body),
                })
    return rows


def main(parts: list[str]) -> None:
    results: dict[str, Any] = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    if "tracker" in parts:
        results["tracker"] = bench_tracker()
    if "http" in parts:
        results["http"] = bench_http()
    if "front" in parts:
        results["front"] = bench_front()
    if "call" in parts:
        results["action_call"] = bench_action_call()
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:] or ["tracker", "http", "front", "call"])
