"""The bot's background loops through the real stack: an unreadable reminder
entry is put aside and the next reminder still comes; a card the advisers'
group refuses (403) goes to the dead letters, later cards are posted, and
`make doctor` and `python -m bot requeue-cards` see it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis

from cnam import clock, handoff_queue
from cnam.booking import reminders, wording
from cnam.booking.config import get_advisers
from cnam.booking.reservations import Booking, bookings_key
from cnam.keys import person_key
from tests.e2e import ADVISERS_GROUP, LiveBot, texts
from tests.stack import ROOT

pytestmark = pytest.mark.stack

REFUSED = "Forbidden: bot was kicked from the supergroup chat"


@pytest.fixture
async def stack_redis(live_bot: LiveBot) -> AsyncIterator[aioredis.Redis]:
    """The stack's Redis, where the bot process reads and writes (same prefix)."""
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    yield client
    await client.close()


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30) -> Any:  # noqa: ASYNC109
    """The first truthy result of ``check()``, polled (Redis state, no event to wait on)."""
    async with asyncio.timeout(timeout):
        while not (result := await check()):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return result


async def run_tool(live_bot: LiveBot, *args: str) -> str:
    """A command of the project, run with the bot process's environment."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=live_bot.bot.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return output.decode()


def bot_log(live_bot: LiveBot) -> list[str]:
    return live_bot.bot.log_path.read_text(errors="replace").splitlines()


async def test_unreadable_reminder_entry_does_not_stop_the_next_one(
    live_bot: LiveBot, stack_redis: aioredis.Redis
) -> None:
    chat_id = 640001
    now = clock.now()
    unreadable = f"{chat_id}|rdv-illisible"  # no kind: not chat|booking|kind
    await stack_redis.zadd(reminders.reminders_key(), {unreadable: (now - timedelta(minutes=1)).timestamp()})
    parked = await eventually(lambda: stack_redis.zrange(reminders.parked_key(), 0, -1))
    assert parked == [unreadable]
    assert await stack_redis.zscore(reminders.reminders_key(), unreadable) is None

    # An appointment in 30 minutes, booked 2 hours before: its hour-before
    # reminder is due now (written as the booking actions write it).
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=30)
    booking = Booking(
        id="e2ebg1", chat_id=str(chat_id), adviser_id="adv1", adviser_name="Zaïnaba",
        mode="site", start=start, end=start + timedelta(minutes=30),
    )
    await stack_redis.hset(bookings_key(chat_id), booking.id, booking.to_json())
    await stack_redis.expire(bookings_key(chat_id), 3600)
    assert await reminders.schedule(stack_redis, booking, start - timedelta(hours=2)) == ["1h"]

    [reminder] = await live_bot.fake.wait_for_messages(chat_id, 1, timeout=30)
    assert reminder["text"] == wording.reminder(get_advisers(), booking, clock.now())
    assert await stack_redis.zscore(reminders.reminders_key(), f"{chat_id}|{booking.id}|1h") is None
    parked_lines = [line for line in bot_log(live_bot) if "reminder entry parked" in line]
    assert len(parked_lines) == 1 and str(chat_id) not in parked_lines[0], parked_lines
    doctor = await run_tool(live_bot, "-m", "stack.doctor")
    assert "KO  Rappels : 1 rappel(s) illisible(s) mis de côté" in doctor, doctor


async def test_group_refusing_a_card_then_back(live_bot: LiveBot, stack_redis: aioredis.Redis) -> None:
    fake = live_bot.fake
    refused, later = live_bot.person(640011), live_bot.person(640012)
    await refused.start_with_consent("bonjour")
    fake.fail_next("sendMessage", status=403, chat_id=ADVISERS_GROUP)
    await refused.say("/conseiller")
    letters = await eventually(lambda: handoff_queue.dead_letters(stack_redis))
    [refused_id] = await stack_redis.hkeys(person_key("handoff", refused.chat_id))
    assert [(d["handoff_id"], d["chat_id"], d["error"]) for d in letters] == [
        (refused_id, str(refused.chat_id), REFUSED)
    ]

    # The group answers again: the next card is posted, the refused one is not.
    await later.start_with_consent("bonjour")
    answer = await later.say("/conseiller")
    assert not any("indisponible" in t or "Réessayer" in t for t in texts(answer)), texts(answer)
    [later_id] = await stack_redis.hkeys(person_key("handoff", later.chat_id))
    card_of = {}

    def posted() -> bool:
        card_of.update({
            hid: m for m in fake.messages(ADVISERS_GROUP) for hid in (refused_id, later_id)
            if f"· {hid}" in (m.get("text") or "")
        })
        return later_id in card_of

    await fake.wait_for(posted, 60)
    assert refused_id not in card_of
    alerts = [line for line in bot_log(live_bot) if "ALERT" in line and refused_id in line]
    assert len(alerts) == 1 and str(refused.chat_id) not in alerts[0], alerts
    doctor = await run_tool(live_bot, "-m", "stack.doctor")
    assert f"KO  Fiches des conseillers : 1 fiche(s) refusée(s) par Telegram (dernière : {REFUSED}" in doctor, doctor

    # Once the group is fixed, the operator sends the dead letters again.
    requeued = await run_tool(live_bot, "-m", "bot", "requeue-cards")
    assert requeued.strip().endswith("1 fiche(s) remise(s) dans la file : le bot les envoie au groupe des conseillers.")
    await fake.wait_for(lambda: posted() and refused_id in card_of, 60)
    assert await handoff_queue.dead_letters(stack_redis) == []
