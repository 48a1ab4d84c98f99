"""Update de-duplication (bot/person_chat.py ``drop_duplicates``): an update
delivered again is handled once, but it is one bot's update: another bot on
the same Redis, or update ids that start again (a fresh Bot API server),
are new messages and get their answers.

The front polls the fake Bot API, in front of the Rasa stub; Redis is real.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from bot import person_chat
from cnam import privacy
from tests.fake_telegram import FakeTelegram
from tests.front_app import CHAT, OTHER, front_settings, polling_front
from tests.rasa_stub import RasaStub

OTHER_BOT = "654321:OTHER-token"


async def test_two_bots_on_one_redis_both_answer_the_same_update_id(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis
) -> None:
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    other = FakeTelegram(OTHER_BOT)
    await other.start()
    try:
        async with polling_front(front_settings(fake_telegram, rasa_stub)), \
                polling_front(front_settings(other, rasa_stub)):
            first = fake_telegram.send_update_twice(CHAT, "au premier bot")
            [answer] = await fake_telegram.wait_for_messages(CHAT, 1)
            second = other.send_text(CHAT, "au second bot")
            [other_answer] = await other.wait_for_messages(CHAT, 1)
            # A marker after the duplicate: once it is answered, the duplicate was dropped.
            fake_telegram.send_text(CHAT, "fin")
            [end] = await fake_telegram.wait_for_messages(CHAT, 1)
    finally:
        await other.stop()
    assert first["message_id"] == second["message_id"]  # and update id 1 on both bots
    assert (answer["text"], other_answer["text"], end["text"]) == (
        "Vous avez dit : au premier bot", "Vous avez dit : au second bot", "Vous avez dit : fin"
    )
    assert rasa_stub.messages(CHAT) == ["au premier bot", "au second bot", "fin"]
    for bot in (fake_telegram, other):
        key = person_chat.delivery_key(bot.bot_user["id"], 1)
        assert 0 < await redis.ttl(key) <= person_chat.DUPLICATE_WINDOW_SECONDS
        assert not key.rsplit(":", 1)[1].isdigit()  # never taken for a person's key


async def test_update_ids_that_start_again_are_new_messages(
    rasa_stub: RasaStub, redis: aioredis.Redis
) -> None:
    for chat in (CHAT, OTHER):
        await privacy.record_consent(redis, chat, privacy.ACCEPTED)
    answers = []
    for chat, text in ((CHAT, "avant"), (OTHER, "après")):
        fresh = FakeTelegram()  # the same bot; its update ids start at 1 again
        await fresh.start()
        try:
            async with polling_front(front_settings(fresh, rasa_stub)):
                fresh.send_text(chat, text)
                answers += await fresh.wait_for_messages(chat, 1)
        finally:
            await fresh.stop()
    assert [a["text"] for a in answers] == ["Vous avez dit : avant", "Vous avez dit : après"]
