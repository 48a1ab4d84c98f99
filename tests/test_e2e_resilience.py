"""Redis stops while the assistant runs: a short French answer, nothing
crashes, and everything works again once Redis is back. Also: after a whole
conversation, every key about the person expires; and a person who comes
back after Rasa restarted and their session expired still has their profile."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from cnam.keys import person_key
from tests.e2e import LiveBot, Person, button_titles, response, said, texts
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


async def fill_the_profile(person: Person) -> list[dict[str, Any]]:
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
    return final


async def test_every_key_of_a_person_expires_after_a_conversation(live_bot: LiveBot) -> None:
    person = live_bot.person(620002)
    await fill_the_profile(person)
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    try:
        found = await assert_all_person_keys_expire(client, person.chat_id)
    finally:
        await client.close()
    kinds = {key.split(":")[1] for key in found}
    assert {"tracker", "consent"} <= kinds, found


async def test_a_person_back_after_a_rasa_restart_and_an_hour_still_has_their_profile(
    live_bot: LiveBot,
) -> None:
    person = live_bot.person(620003)
    await fill_the_profile(person)
    key = person_key("tracker", person.chat_id)
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    live_bot.stack.process("rasa").stop()
    try:
        # Two hours of silence: the stored events are moved back in time.
        stored = json.loads(await client.get(key))
        for event in stored["events"]:
            event["timestamp"] -= 2 * 3600
        await client.set(key, json.dumps(stored), keepttl=True)
    finally:
        await live_bot.stack.restart_rasa()
    again = await person.say("je cherche une formation")
    assert not set(response("utter_ask_prenom")) & set(texts(again)), texts(again)
    events = json.loads(await client.get(key))["events"]
    await client.close()
    # A new session, stored alone, which carried the profile over.
    assert (events[0]["event"], events[0].get("name")) == ("action", "action_session_start")
    assert [e["text"] for e in events if e["event"] == "user"] == ["je cherche une formation"]
    stack = live_bot.stack
    async with aiohttp.ClientSession() as http, http.get(
        f"{stack.rasa_url}/conversations/{person.chat_id}/tracker?token={stack.token}"
    ) as answer:
        slots = (await answer.json())["slots"]
    assert (slots["prenom"], slots["commune"], slots["modalite"]) == ("Moussa", "Sada", "distance"), slots
