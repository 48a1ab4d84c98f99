"""One chat floods the front behind a slow turn; how long do other chats wait?

A person sends a question that Rasa is slow to answer (held ``SLOW_TURN``
seconds at the tap, as when Rasa stalls on one conversation) and, right
behind it, ``messages`` stickers at once (a phone resending its queue). The
front answers that chat's messages one after another, in order, as it must:
the stickers by itself (a fixed answer each), so that the figure shows the
front's scheduling, not Rasa's cost of a very long conversation. Meanwhile
other people write, a new person every ``PROBE_GAP`` seconds (their first
message, consent given beforehand, so it goes to Rasa); their latency is
compared with the same probes sent while nobody else talks. A front whose
waiting updates held the shared update slots (bot/ordering.py) would make
them wait for the slow turn and much of the burst.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

from bench.people import People, Person
from bench.rasa_tap import RasaTap, telegram_texts
from bench.transports import TelegramTransport, TimedTelegram, Turn
from cnam import privacy
from cnam.store import get_redis

SLOW_TURN = 5.0  # seconds Rasa takes to answer the message before the burst
PROBES_ALONE = 5
PROBE_GAP = 0.5  # seconds between two probes during the burst
BURST_TIMEOUT = 120.0  # seconds for the whole burst to be answered, else it is unfinished


async def _consented(people: People) -> Person:
    person = people.new()
    await privacy.record_consent(get_redis(), person.chat_id, privacy.ACCEPTED)
    person.consented = True
    return person


async def _probe(front: TelegramTransport, people: People) -> Turn:
    return await front.turn(await _consented(people), time.monotonic())


def _ms(turns: list[Turn]) -> dict[str, Any]:
    latencies = [round(t.latency * 1000) for t in turns if not t.error]
    return {
        "probes": len(turns),
        "errors": sum(1 for t in turns if t.error),
        "p50_ms": round(float(np.median(latencies))) if latencies else 0,
        "max_ms": max(latencies, default=0),
        "latencies_ms": latencies,
    }


async def burst(
    fake: TimedTelegram, tap: RasaTap, front: TelegramTransport, people: People, messages: int
) -> dict[str, Any]:
    alone = [await _probe(front, people) for _ in range(PROBES_ALONE)]
    sender = await _consented(people)
    chat = sender.chat_id
    tap.slow_down(chat, SLOW_TURN)
    answer = tap.expect(chat)
    started = time.monotonic()
    fake.send_text(chat, "c payant ?", first_name="Bench")
    for _ in range(messages):
        fake.send_sticker(chat)

    def answered() -> bool:
        return answer.done() and len(fake.arrivals[chat]) >= len(telegram_texts(answer.result())) + messages

    # The first probe arrives right behind the burst: the worst moment.
    during: list[Turn] = []
    deadline = started + BURST_TIMEOUT
    while not answered() and time.monotonic() < deadline:
        during.append(await _probe(front, people))
        await asyncio.sleep(PROBE_GAP)
    while not answered() and time.monotonic() < deadline:
        await fake.next_arrival(chat, len(fake.arrivals[chat]), deadline - time.monotonic())
    arrived = fake.arrivals[chat]
    result = {
        "messages": messages,
        "slow_turn_s": SLOW_TURN,
        "answered": len(arrived) - (len(telegram_texts(answer.result())) if answer.done() else 0),
        "burst_s": round((arrived[-1][0] if arrived else time.monotonic()) - started, 1),
        "alone": _ms(alone),
        "during": _ms(during),
        "first_during_ms": round(during[0].latency * 1000) if during else 0,
    }
    fake.forget(chat)
    tap.forget(chat)
    return result


def print_burst(name: str, result: dict[str, Any]) -> None:
    alone, during = result["alone"], result["during"]
    print(
        f"  {name:7} {result['messages']} stickers from one chat behind a "
        f"{result['slow_turn_s']:g} s turn: {result['answered']} answered in "
        f"{result['burst_s']} s; another chat alone p50 {alone['p50_ms']} ms, during it "
        f"first {result['first_during_ms']} ms, p50 {during['p50_ms']} max "
        f"{during['max_ms']} ms ({during['probes']} probes, errors {during['errors']})",
        flush=True,
    )
