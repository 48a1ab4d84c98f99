"""The overload case: more turns than Telegram's flood limit lets out, then the drain.

For ``seconds``, turns arrive at ``rate`` (1.5 × the ceiling the previous
throttled runs measured) through the front as shipped, whatever limiter it
has. Three kinds of senders at once:

- people in a conversation (bench/people.py), spread over many chats so that
  none is dropped, each waiting for the answer before the next turn;
- ``IMPATIENT_CHATS`` chats that send practical questions without waiting, so
  several messages of one chat are queued at once: the tap logs what Rasa
  answered each, and the fake Bot API must receive those texts in the order
  of the person's messages;
- one background message: an appointment reminder falling due halfway
  (written in Redis as the booking actions write it), which the front's
  reminder loop picks up (``REMINDER_INTERVAL`` is 1 s in the benchmark).

Once arrivals stop, the backlog drains: the report compares the drain rate
with the ceiling and the calls per second with the flood limit. A turn not
answered ``drain_limit`` seconds after the load stopped is unanswered.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import statistics
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from bench.calls import FLOOD_LIMIT, limited, per_turn, since
from bench.load import open_loop
from bench.people import PRACTICAL, People
from bench.rasa_tap import RasaTap
from bench.transports import TelegramTransport, TimedTelegram
from cnam import clock, privacy
from cnam.booking import reminders
from cnam.booking.reservations import Booking, bookings_key
from cnam.store import get_redis

CONVERSATIONS = 3000  # enough idle people that no arrival is dropped
IMPATIENT_CHATS = 20
IMPATIENT_SHARE = 0.1  # of the arrivals
REMINDER_AT = 0.5  # share of the overload when the reminder falls due
QUIET = 2.0  # seconds without a limited call: the front's queue left by earlier runs is empty
ADVISER = "adv1"  # of catalog/advisers.yaml


def _key(text: str) -> str:
    """A text as the person reads it, for comparing Rasa's answer with what arrived."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "".join(c for c in plain.lower() if c.isalnum())[:40]


class Impatient:
    """Chats sending practical questions one after another without waiting."""

    def __init__(self, fake: TimedTelegram, tap: RasaTap, people: People):
        self.fake, self.tap, self.people = fake, tap, people
        self.sent: dict[int, list[tuple[float, str]]] = {}

    async def start(self) -> None:
        for _ in range(IMPATIENT_CHATS):
            chat = self.people.new().chat_id
            await privacy.record_consent(get_redis(), chat, privacy.ACCEPTED)
            self.tap.watch(chat)
            self.sent[chat] = []

    def send(self, rng: random.Random) -> None:
        chat = rng.choice(list(self.sent))
        sent = self.sent[chat]
        text = PRACTICAL[len(sent) % len(PRACTICAL)]  # consecutive messages differ
        sent.append((time.monotonic(), text))
        self.fake.send_text(chat, text, first_name="Bench")

    def blocks(self, chat: int) -> tuple[list[int], bool]:
        """(message counts of the answers in the order Rasa gave them, whether in order)."""
        log = self.tap.log.get(str(chat), [])
        asked = [text for _, text in self.sent[chat]]
        expected = [_key(t) for _, texts in log for t in texts]
        arrived = [_key(m.get("text") or "") for _, m in self.fake.arrivals[chat]]
        in_order = [m for m, _ in log] == asked[:len(log)] and len(arrived) <= len(expected) and all(
            not e or e == a for e, a in zip(expected, arrived, strict=False))
        return [len(texts) for _, texts in log], in_order

    def waits(self, chat: int, after_own: bool = False) -> list[float]:
        """Seconds from each message to the last message of its answer (answered ones).

        ``after_own``: from the later of the message and the answer to the chat's
        previous one, i.e. without the time spent behind its own earlier messages
        (answered in order on purpose): the wait the scheduler decides.
        """
        counts, _ = self.blocks(chat)
        times = [t for t, _ in self.fake.arrivals[chat]]
        waits, end, previous = [], 0, 0.0
        for (sent_at, _), count in zip(self.sent[chat], counts, strict=False):
            end += count
            if end > len(times) or not count:
                break
            waits.append(times[end - 1] - (max(sent_at, previous) if after_own else sent_at))
            previous = times[end - 1]
        return waits

    def forget(self) -> None:
        for chat in self.sent:
            self.fake.forget(chat)
            self.tap.forget(chat)


async def _reminder(fake: TimedTelegram, people: People, due_in: float, within: float) -> dict[str, Any]:
    """An hour-before reminder due in ``due_in`` seconds: when does it reach the person?"""
    await asyncio.sleep(due_in)
    redis = get_redis()
    chat = people.new().chat_id
    now = clock.now()
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=30)
    booking = Booking(id="bench-rappel", chat_id=str(chat), adviser_id=ADVISER,
                      adviser_name="Conseiller", mode="site", start=start,
                      end=start + timedelta(minutes=30))
    await redis.hset(bookings_key(chat), booking.id, booking.to_json())
    await reminders.schedule(redis, booking, start - timedelta(hours=2))
    due = time.monotonic()
    arrived = await fake.next_arrival(chat, 0, within)
    delay = fake.arrivals[chat][0][0] - due if arrived else None
    fake.forget(chat)
    return {"delivered": arrived, "delay_s": round(delay, 1) if delay is not None else None,
            "due_after_s": round(due_in, 1)}


def _fairness(waits: dict[int, list[float]]) -> dict[str, Any]:
    """Each chat's mean and max wait against the median chat's: the worst ratios."""
    waits = {c: w for c, w in waits.items() if w}
    if not waits:
        return {}
    means = [statistics.fmean(w) for w in waits.values()]
    maxes = [max(w) for w in waits.values()]
    median_mean, median_max = statistics.median(means), statistics.median(maxes)
    return {
        "chats": len(waits),
        "median_chat_mean_s": round(median_mean, 2),
        "worst_chat_mean_s": round(max(means), 2),
        "worst_mean_ratio": round(max(means) / median_mean, 2) if median_mean else None,
        "median_chat_max_s": round(median_max, 2),
        "worst_chat_max_s": round(max(maxes), 2),
        "worst_max_ratio": round(max(maxes) / median_max, 2) if median_max else None,
    }


async def _quiet(fake: TimedTelegram, within: float) -> float:
    """Wait until the front has sent nothing for ``QUIET`` seconds; how long it took."""
    def sent() -> int:
        return limited(since(fake.method_counts, Counter()))

    started = time.monotonic()
    last, since_change = sent(), time.monotonic()
    while time.monotonic() - since_change < QUIET and time.monotonic() - started < within:
        await asyncio.sleep(0.2)
        if (now := sent()) != last:
            last, since_change = now, time.monotonic()
    return time.monotonic() - started


async def overload(
    fake: TimedTelegram, tap: RasaTap, people: People, rate: float, seconds: float,
    drain_limit: float, seed: int,
) -> dict[str, Any]:
    rng = random.Random(seed)
    # The run before may have left turns in the front's queue: they would drain here.
    settled_s = await _quiet(fake, drain_limit)
    impatient = Impatient(fake, tap, people)
    await impatient.start()
    # A turn may wait for the whole overload and the drain.
    front = TelegramTransport(fake, tap, timeout=seconds + drain_limit)
    before = Counter(fake.method_counts)
    started = time.monotonic()
    stopped = started + seconds

    async def impatient_arrivals() -> None:
        arrival = started
        while (arrival := arrival + rng.expovariate(rate * IMPATIENT_SHARE)) < stopped:
            await asyncio.sleep(max(0.0, arrival - time.monotonic()))
            impatient.send(rng)

    async def at_stop() -> Counter[str]:
        await asyncio.sleep(max(0.0, stopped - time.monotonic()))
        return Counter(fake.method_counts)

    async def impatient_answered() -> None:
        deadline = stopped + drain_limit
        # Polling: the answers of twenty chats, not one event to wait for.
        while time.monotonic() < deadline and any(  # noqa: ASYNC110
                len(impatient.waits(c)) < len(s) for c, s in impatient.sent.items()):
            await asyncio.sleep(0.1)

    reminder = asyncio.create_task(_reminder(fake, people, seconds * REMINDER_AT,
                                             seconds * (1 - REMINDER_AT) + drain_limit))
    counted_at_stop = asyncio.create_task(at_stop())
    run, _ = await asyncio.gather(
        open_loop(front, people, rate * (1 - IMPATIENT_SHARE), CONVERSATIONS, seconds, seed,
                  grace=drain_limit),
        impatient_arrivals(),
    )
    await impatient_answered()
    background = await reminder
    at_stop_counts = await counted_at_stop

    waits: dict[int, list[float]] = {}
    for turn in run.turns:
        if not turn.error:
            waits.setdefault(turn.chat_id, []).append(turn.latency)
    ends = [t.ended for t in run.turns if not t.error]
    impatient_sent = sum(len(s) for s in impatient.sent.values())
    impatient_answered_count, in_order = 0, True
    after_own = dict(waits)  # people in a conversation wait for nothing of their own
    for chat in impatient.sent:
        waits[chat] = impatient.waits(chat)
        after_own[chat] = impatient.waits(chat, after_own=True)
        impatient_answered_count += len(waits[chat])
        in_order = in_order and impatient.blocks(chat)[1]
        ends += [fake.arrivals[chat][-1][0]] if fake.arrivals[chat] else []
    last = max(ends, default=stopped)
    drain_s = max(last - stopped, 0.0)
    after_stop = sum(1 for t in run.turns if not t.error and t.ended > stopped) + sum(
        1 for c, s in impatient.sent.items() for w, (t0, _) in zip(waits[c], s, strict=False)
        if t0 + w > stopped)
    calls = since(Counter(fake.method_counts), before)
    drain_calls = limited(since(Counter(fake.method_counts), at_stop_counts))
    turns = len(run.turns) + impatient_sent
    mix = per_turn(calls, turns)
    impatient.forget()
    latencies = sorted(w for ws in waits.values() for w in ws)
    return {
        "offered_rate": round(rate, 1),
        "settled_before_s": round(settled_s, 1),
        "seconds": seconds,
        "turns": turns,
        "unanswered": sum(1 for t in run.turns if t.error) + run.unfinished + run.dropped
        + impatient_sent - impatient_answered_count,
        "error_kinds": sorted({t.error for t in run.turns if t.error}),
        "in_order": in_order,
        "impatient": {"chats": IMPATIENT_CHATS, "messages": impatient_sent,
                      "answered": impatient_answered_count},
        "fairness": _fairness(waits),
        "fairness_after_own": _fairness(after_own),
        "p50_s": round(latencies[len(latencies) // 2], 2) if latencies else None,
        "max_s": round(latencies[-1], 2) if latencies else None,
        "drain_s": round(drain_s, 1),
        "drain_turns": after_stop,
        "drain_rate": round(after_stop / drain_s, 1) if drain_s else None,
        "drain_calls_s": round(drain_calls / drain_s, 1) if drain_s else None,
        "flood_limit": FLOOD_LIMIT,
        "calls_per_turn": mix,
        "background": background,
    }


def print_overload(name: str, result: dict[str, Any]) -> None:
    fair = result["fairness"]
    print(
        f"  {name:7} overload {result['offered_rate']:g} turns/s for {result['seconds']:g} s: "
        f"{result['turns']} turns, unanswered {result['unanswered']}, in order "
        f"{result['in_order']}, worst chat {fair.get('worst_mean_ratio')}× median "
        f"({result['fairness_after_own'].get('worst_mean_ratio')}× after its own); drain "
        f"{result['drain_s']} s at {result['drain_rate']} turns/s ({result['drain_calls_s']} "
        f"calls/s, ceiling {result['calls_per_turn'].get('ceiling_turns_s')}); reminder "
        f"{result['background']}",
        flush=True,
    )
