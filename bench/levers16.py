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
  domain files, actions/form_domain.py); and Rasa's CPU per call to an
  action-server stand-in, with a session per call (Rasa's) and kept alive.
- ``policies``: Rasa's CPU to choose the next action, and the part of it spent
  rebuilding the tracker's past states (bench/policies_bench.py);
- ``gc``: one full garbage collection with the model loaded, stock and frozen
  (bench/gc_bench.py).

    PYTHONPATH=. python -m bench.levers16 [tracker] [http] [front] [call] [policies] [gc]

Writes bench/results/levers16.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.action_calls_bench import bench_action_call, bench_keepalive
from bench.gc_bench import bench_gc
from bench.levers_support import conversation, cpu_ms, in_flight_cpu, per_call
from bench.policies_bench import bench_policies

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "levers16.json"
os.environ.setdefault("REDIS_PREFIX", "benchlevers16")


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
            tracker, domain = conversation(f"bench-{name}-{sessions}-{turns}", sessions, turns)
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
                "save_cpu_ms": cpu_ms(50, save_only),
                "retrieve_and_save_cpu_ms": cpu_ms(50, turn),
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

                    return await in_flight_cpu(one, calls // 2, in_flight)

            rows.append(per_call("request", name, calls, in_flight, *asyncio.run(run())))
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
        results["keepalive"] = bench_keepalive()
    if "policies" in parts:
        results["policies"] = bench_policies()
    if "gc" in parts:
        results["gc"] = bench_gc()
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:] or ["tracker", "http", "front", "call", "policies", "gc"])
