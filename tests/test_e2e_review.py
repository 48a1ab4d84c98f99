"""Issue 15's review loop through the real stack: a message the model cannot
place reaches /revue masked, an adviser labels it, and ``stack.review
export`` writes it as a training example; a refuser's message never enters
the queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot import review_chat
from cnam import review_queue, store
from stack import review
from tests.e2e import ADVISER, ADVISERS_GROUP, LiveBot, button_titles
from tests.nlu_scoring import load_items

pytestmark = pytest.mark.stack

# Messages this project's models have not known how to place; the test takes
# the first one the current model sends to fallback, so a retrain that
# learns one of them does not break it.
UNPLACEABLE = ("c quoi la diff entre les deux", "euh", "bof euh ben", "et alors la suite", "hmm ok mais euh",
               "aaa", "???", "la même chose", "celle-là", "du coup quoi", "c tout ?")
WITH_A_NUMBER = "mon num c 0639 12 34 56 pour la compta"


async def unplaceable(live: LiveBot) -> str:
    async with aiohttp.ClientSession() as session:
        for text in UNPLACEABLE:
            async with session.post(f"{live.stack.rasa_url}/model/parse?token={live.stack.token}",
                                    json={"text": text}) as response:
                if (await response.json())["intent"]["name"] == "nlu_fallback":
                    return text
    raise AssertionError(f"none of {UNPLACEABLE} falls back any more: add a new one")


@pytest.fixture
async def queue(live_bot: LiveBot) -> AsyncIterator[aioredis.Redis]:
    """The run's Redis, the review queue emptied of other tests' entries."""
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    for eid in await review_queue.waiting(client):
        await review_queue.drop(client, eid)
    store.set_redis(client)
    yield client
    store.set_redis(None)
    await client.close()


async def revue(live: LiveBot, user_id: int = ADVISER) -> dict:
    fake = live.fake
    before = len(fake.messages(ADVISERS_GROUP))
    fake.send_text(ADVISERS_GROUP, "/revue", user_id=user_id, chat_type="supergroup")
    await fake.wait_for(lambda: len(fake.messages(ADVISERS_GROUP)) > before, 15)
    return fake.messages(ADVISERS_GROUP)[-1]


async def test_a_message_the_model_cannot_place_is_labelled_and_exported(
    live_bot: LiveBot, queue: aioredis.Redis, tmp_path: Path,
) -> None:
    fake = live_bot.fake
    text = await unplaceable(live_bot)
    person = live_bot.person(684001)
    await person.start_with_consent("bonjour")
    await person.say(text)
    shown = await revue(live_bot)
    assert f"« {text} »" in shown["text"] and "non classé" in shown["text"], shown["text"]
    assert {"Autre intention…", "Ignorer", "Donnée personnelle : supprimer"} <= set(button_titles(shown))

    # Not an adviser: refused, and their press of a label too.
    outsider = await revue(live_bot, user_id=4242)
    assert outsider["text"] == review_chat.ADVISERS_ONLY
    forged = fake.press_button(ADVISERS_GROUP, shown["message_id"], "Ignorer", user_id=4242)
    await fake.wait_for(lambda: forged in fake.callback_answers, 15)
    assert fake.callback_answers[forged]["text"] == review_chat.ADVISERS_ONLY

    # "Autre intention…" opens every intent; the adviser picks one.
    fake.press_button(ADVISERS_GROUP, shown["message_id"], "Autre intention…", user_id=ADVISER)
    await fake.wait_for(lambda: "Hors sujet" in button_titles(shown), 15)
    fake.press_button(ADVISERS_GROUP, shown["message_id"], "Hors sujet", user_id=ADVISER)
    await fake.wait_for(lambda: "✅ Étiqueté « Hors sujet »" in shown["text"], 15)

    out = tmp_path / "reviewed.yml"
    written, _ = review.write(await review_queue.labelled(queue), out)
    assert written == 1
    [item] = load_items(out)
    assert (item.intent, item.text) == ("out_of_scope", text)


async def test_a_corrected_message_is_reviewed_with_its_number_masked(
    live_bot: LiveBot, queue: aioredis.Redis,
) -> None:
    person = live_bot.person(684003)
    await person.start_with_consent("bonjour")
    await person.say(WITH_A_NUMBER)
    await person.say("non c pas ça")
    shown = await revue(live_bot)
    assert "« mon num c «téléphone» pour la compta »" in shown["text"], shown["text"]
    # Queued as a correction, or already as a fallback if the model could not place it.
    assert "0639" not in shown["text"]
    assert "corrigé par la personne" in shown["text"] or "non classé" in shown["text"], shown["text"]
    # A reply corrects an entity from the person's words; the relay sends nothing to anyone.
    fake = live_bot.fake
    fake.reply_in_group(ADVISERS_GROUP, shown["message_id"], "domaine : compta", user_id=ADVISER)
    await fake.wait_for(lambda: fake.messages(ADVISERS_GROUP)[-1]["text"].startswith("Corrigé"), 15)
    assert fake.messages(ADVISERS_GROUP)[-1]["text"] == "Corrigé : domaine = gestion_comptabilite (« compta »)."
    [eid] = await review_queue.waiting(queue)
    entry = await review_queue.get(queue, eid)
    corrected = {"entity": "domaine", "value": "gestion_comptabilite", "text": "compta"}
    assert entry is not None and corrected in entry.entities
    sent_to_person = len(fake.sent[person.chat_id])
    live_bot.fake.press_button(ADVISERS_GROUP, shown["message_id"], "Donnée personnelle : supprimer",
                               user_id=ADVISER)
    await live_bot.fake.wait_for(lambda: "supprimée" in shown["text"], 15)
    assert await review_queue.waiting(queue) == []
    assert len(fake.sent[person.chat_id]) == sent_to_person


async def test_a_refusers_misread_message_is_not_queued(live_bot: LiveBot, queue: aioredis.Redis) -> None:
    person = live_bot.person(684002)
    prompt = await person.say("bonjour")
    live_bot.fake.press_button(person.chat_id, prompt[-1]["message_id"], "Je refuse")
    await person.replies()
    await person.say(await unplaceable(live_bot))
    await person.say(WITH_A_NUMBER)
    await person.say("non c pas ça")
    assert await review_queue.waiting(queue) == []
    shown = await revue(live_bot)
    assert shown["text"] == review_chat.NOTHING
