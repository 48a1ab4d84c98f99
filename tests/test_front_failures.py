"""The Telegram front when something fails: a duplicate update, Rasa down or
silent, Telegram errors, Redis down, a crash; and the front's own actions,
which only trusted input runs.

Redis is the real one (conftest's ``redis`` fixture); only Rasa is replaced.
"""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from bot import person_chat
from bot.messages import OutMessage
from cnam import store
from tests.front_app import CHAT, buttons


async def test_duplicate_update_is_handled_once(front, fake_telegram, rasa_stub):
    fake_telegram.send_update_twice(CHAT, "une fois")
    fake_telegram.send_text(CHAT, "deux")
    first, second = await fake_telegram.wait_for_messages(CHAT, 2)
    assert (first["text"], second["text"]) == ("Vous avez dit : une fois", "Vous avez dit : deux")
    assert rasa_stub.messages(CHAT) == ["une fois", "deux"]


async def test_rasa_down_apologises_and_retry_replays_the_message(front, fake_telegram, rasa_stub):
    rasa_stub.status = 500
    fake_telegram.send_text(CHAT, "quelles formations ?")
    [apology] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert apology["text"].startswith("Désolé")
    assert [b["text"] for b in buttons(apology)] == ["Réessayer"]
    rasa_stub.status = 200
    fake_telegram.press_button(CHAT, apology["message_id"], "Réessayer")
    [answer] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert answer["text"] == "Vous avez dit : quelles formations ?"
    assert rasa_stub.messages(CHAT) == ["quelles formations ?"] * 2


async def test_empty_rasa_answer_is_an_apology_not_silence(front, fake_telegram, rasa_stub):
    rasa_stub.answers["bonjour"] = []
    fake_telegram.send_text(CHAT, "bonjour")
    [apology] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert [b["text"] for b in buttons(apology)] == ["Réessayer"]


async def test_typed_front_command_is_plain_text_for_rasa(front, fake_telegram, rasa_stub):
    fake_telegram.send_text(CHAT, "!supprimer_ok")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert reply["text"] == "Vous avez dit : !supprimer_ok"


async def test_button_with_front_command_runs_it_instead_of_rasa(front, fake_telegram, rasa_stub):
    calls: list[tuple[int, str]] = []

    async def handler(chat_id: int, arg: str) -> list[OutMessage]:
        calls.append((chat_id, arg))
        return [OutMessage(text=f"Rappel le {arg}")]

    front.bot_data[person_chat.PIPELINE].front_actions["test_rappel"] = handler
    rasa_stub.answers["rappel"] = [{"recipient_id": str(CHAT), "text": "Quand ?",
                                    "buttons": [{"title": "Lundi", "payload": "!test_rappel lundi"}]}]
    fake_telegram.send_text(CHAT, "rappel")
    [question] = await fake_telegram.wait_for_messages(CHAT, 1)
    fake_telegram.press_button(CHAT, question["message_id"], "Lundi")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert reply["text"] == "Rappel le lundi"
    assert calls == [(CHAT, "lundi")]
    assert rasa_stub.messages(CHAT) == ["rappel"]


@pytest.mark.parametrize(("status", "times"), [(429, 2), (500, 2)])
async def test_telegram_errors_for_a_while_still_deliver(
    front, fake_telegram, rasa_stub, status, times
):
    fake_telegram.fail_next("sendMessage", status=status, times=times, retry_after=1)
    fake_telegram.send_text(CHAT, "bonjour")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1, timeout=15)
    assert reply["text"] == "Vous avez dit : bonjour"
    assert fake_telegram.failures_served == [("sendMessage", status)] * times


async def test_redis_down_says_so_and_recovers(front, fake_telegram, rasa_stub, redis):
    store.set_redis(aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1))
    try:
        fake_telegram.send_text(CHAT, "bonjour")
        [down] = await fake_telegram.wait_for_messages(CHAT, 1)
    finally:
        await store.get_redis().close()
        store.set_redis(redis)
    assert down["text"] == "Le service est momentanément indisponible, réessayez dans un instant."
    assert rasa_stub.received == []
    fake_telegram.send_text(CHAT, "bonjour")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert reply["text"] == "Vous avez dit : bonjour"


async def test_a_crash_is_apologised_for_without_a_traceback(front, fake_telegram, rasa_stub):
    async def broken(chat_id: int, arg: str) -> list[OutMessage]:
        raise ValueError("secret internal detail")

    front.bot_data[person_chat.PIPELINE].front_actions["test_casse"] = broken
    rasa_stub.answers["casse"] = [{"recipient_id": str(CHAT), "text": "Choisissez",
                                   "buttons": [{"title": "Casser", "payload": "!test_casse"}]}]
    fake_telegram.send_text(CHAT, "casse")
    [question] = await fake_telegram.wait_for_messages(CHAT, 1)
    fake_telegram.press_button(CHAT, question["message_id"], "Casser")
    [apology] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert apology["text"] == "Désolé, un problème est survenu. Réessayez dans un instant."
    fake_telegram.send_text(CHAT, "toujours là ?")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert reply["text"] == "Vous avez dit : toujours là ?"
