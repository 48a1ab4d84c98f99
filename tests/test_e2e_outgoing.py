"""The front's outgoing scheduler (bot/outgoing.py) through the real stack,
with Telegram's limit lowered to 5 calls/s: many chats writing at once all
get every answer, in order, and a reminder due meanwhile is not starved."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis.asyncio as aioredis

from bot import person_chat as handlers
from cnam import clock
from cnam.booking import reminders, wording
from cnam.booking.config import get_advisers
from cnam.booking.reservations import Booking, bookings_key
from tests.e2e import LiveBot, texts

pytestmark = pytest.mark.stack

SENDS = [("send_sticker", handlers.STICKER), ("send_photo", handlers.PHOTO), ("send_voice", handlers.VOICE),
         ("send_video", handlers.VIDEO), ("send_document", handlers.DOCUMENT), ("send_location", handlers.LOCATION)]
CHATS = range(660601, 660611)
REMINDED = 660620


async def test_a_flood_of_chats_gets_every_answer_in_order_and_the_reminder(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    people = [live_bot.person(chat_id) for chat_id in (*CHATS, REMINDED)]
    redis = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    await live_bot.restart(OUTGOING_PER_SECOND="5")
    try:
        # An appointment in 30 minutes, booked 2 hours before: its reminder is due now.
        now = clock.now()
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=30)
        booking = Booking(
            id="e2eflood1", chat_id=str(REMINDED), adviser_id="adv1", adviser_name="Zaïnaba",
            mode="site", start=start, end=start + timedelta(minutes=30),
        )
        await redis.hset(bookings_key(REMINDED), booking.id, booking.to_json())
        await redis.expire(bookings_key(REMINDED), 3600)
        assert await reminders.schedule(redis, booking, start - timedelta(hours=2)) == ["1h"]
        for send, _ in SENDS:
            for person in people[:-1]:
                getattr(fake, send)(person.chat_id)

        for person in people[:-1]:
            answers = await fake.wait_for_messages(person.chat_id, len(SENDS), timeout=120)
            assert texts(answers) == [answer.text for _, answer in SENDS]
        [reminder] = await fake.wait_for_messages(REMINDED, 1, timeout=60)
        assert reminder["text"] == wording.reminder(get_advisers(), booking, clock.now())
        # Not starved: it went out before the last of the 60 answers.
        private = [c for c in fake.calls_of("sendMessage") if int(c["chat_id"]) in (*CHATS, REMINDED)]
        assert int(private[-1]["chat_id"]) != REMINDED
    finally:
        await redis.close()
        await live_bot.restart(OUTGOING_PER_SECOND="30")
