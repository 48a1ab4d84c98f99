"""Redis stops while the assistant runs: a short French answer, nothing
crashes, and everything works again once Redis is back. Also: after a whole
conversation, every key about the person expires."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from tests.e2e import LiveBot, button_titles, said, texts
from tests.privacy_checks import assert_all_person_keys_expire

pytestmark = pytest.mark.stack

DOWN = "Le service est momentanément indisponible, réessayez dans un instant."


async def test_redis_stopped_then_back(live_bot: LiveBot) -> None:
    person = live_bot.person(620001)
    await person.start_with_consent("bonjour")
    live_bot.stack.redis.stop()
    try:
        during = await person.say("c quoi le cnam")
        assert texts(during) == [DOWN]
    finally:
        await live_bot.stack.redis.start()
    after = await person.say("c quoi le cnam")
    assert said(after, "utter_ask_cnam", "utter_ask_cnam_more"), texts(after)
    for process in [live_bot.bot, *live_bot.stack.processes]:
        assert process.popen and process.popen.poll() is None, f"{process.name} stopped:\n{process.log_tail()}"


async def test_every_key_of_a_person_expires_after_a_conversation(live_bot: LiveBot) -> None:
    person = live_bot.person(620002)
    await person.start_with_consent("slt")
    await person.press("Trouver une formation")
    await person.say("Moussa")
    await person.press("26 ans ou plus")
    await person.press("Salarié, salariée")
    await person.say("j'ai un BTS")
    await person.press("Informatique")
    await person.press("Sada")
    await person.press("À distance")
    final = await person.press("Le soir et le week-end")
    assert "Prendre rendez-vous" in button_titles(final[-1]), texts(final)
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    try:
        found = await assert_all_person_keys_expire(client, person.chat_id)
    finally:
        await client.close()
    kinds = {key.split(":")[1] for key in found}
    assert {"tracker", "consent"} <= kinds, found
