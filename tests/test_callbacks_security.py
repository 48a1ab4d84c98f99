"""Button tokens are bound to the chat that received them: a forged,
replayed or foreign token runs nothing, least of all an erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import callbacks, consent, relay
from bot.adviser_group import ADVISERS_ONLY
from bot.person_chat import INVALID_BUTTON
from cnam import handoff, privacy

if TYPE_CHECKING:
    from tests.front_app import Front


CHAT = 880_000_201
OTHER = 880_000_202
ERASE_QUESTION = [{
    "text": "Tout effacer ?",
    "buttons": [
        {"title": "Oui, tout effacer", "payload": consent.ERASE},
        {"title": "Non", "payload": "/deny"},
    ],
}]


def keyboard(message: dict) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_a_token_resolves_only_in_its_own_chat(redis) -> None:
    [mine] = await callbacks.tokenize(CHAT, [consent.ERASE])
    [theirs] = await callbacks.tokenize(OTHER, [consent.ERASE])
    assert mine != theirs  # random per chat, not derived from the payload
    assert await callbacks.resolve(CHAT, mine) == consent.ERASE
    assert await callbacks.resolve(OTHER, mine) is None
    assert await callbacks.resolve(CHAT, theirs) is None


async def test_forged_tokens_resolve_to_nothing(redis) -> None:
    [token] = await callbacks.tokenize(CHAT, ["/affirm"])
    raw = token.removeprefix(callbacks.DATA_PREFIX)
    forged = [
        "", "b:", raw, token + "x", token[:-1], token.swapcase(), "b:" + "A" * len(raw),
        "b:p:/affirm", f"b:t:{raw}", f"b:m:{raw}", "b:*", f"claim:{raw}",
    ]
    for data in forged:
        assert await callbacks.resolve(CHAT, data) is None, data
    # 200 buttons, 200 distinct tokens of 72 random bits: none to guess.
    tokens = await callbacks.tokenize(CHAT, [f"/choix_{i}" for i in range(200)])
    assert len(set(tokens)) == 200
    assert min(len(t) for t in tokens) == len(callbacks.DATA_PREFIX) + 12


async def test_an_erasure_button_pressed_in_another_chat_erases_nothing(
    front_app: Front, redis
) -> None:
    for chat in (CHAT, OTHER):
        await privacy.record_consent(redis, chat, privacy.ACCEPTED)
    front_app.rasa.answers["effacer"] = ERASE_QUESTION
    [question] = await front_app.write(CHAT, "effacer")
    [other_message] = await front_app.write(OTHER, "salut")
    erase_token = keyboard(question)["Oui, tout effacer"]

    [refusal] = await front_app.press(OTHER, other_message["message_id"], erase_token)
    assert refusal["text"] == INVALID_BUTTON.text
    for chat in (CHAT, OTHER):
        assert await privacy.may_keep_data(redis, chat)
    assert front_app.rasa.messages() == ["effacer", "salut"]


async def test_an_erasure_button_replayed_runs_once(front_app: Front, redis) -> None:
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    front_app.rasa.answers["effacer"] = ERASE_QUESTION
    [question] = await front_app.write(CHAT, "effacer")
    erase_token = keyboard(question)["Oui, tout effacer"]

    [done] = await front_app.press(CHAT, question["message_id"], erase_token)
    assert done["text"].startswith("C'est fait")
    assert await privacy.person_keys(redis, CHAT) == []
    # The same press again (double tap, or a replayed update with a new id).
    [again] = await front_app.press(CHAT, question["message_id"], erase_token)
    assert again["text"] == INVALID_BUTTON.text
    assert front_app.rasa.messages() == ["effacer"]


async def test_a_typed_erasure_command_is_only_text(front_app: Front, redis) -> None:
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    [echo] = await front_app.write(CHAT, consent.ERASE)
    assert echo["text"] == f"Vous avez dit : {consent.ERASE}"
    assert await privacy.may_keep_data(redis, CHAT)


async def test_a_forged_claim_from_a_person_opens_no_relay(front_app: Front, redis) -> None:
    for chat in (CHAT, OTHER):
        await privacy.record_consent(redis, chat, privacy.ACCEPTED)
    handoff_id = await handoff.request_handoff(
        redis, CHAT, "demande_conseiller", {"prenom": "Zaina"}, ["aidez-moi"], None, [], []
    )
    [message] = await front_app.write(OTHER, "salut")
    await front_app.press(OTHER, message["message_id"], f"claim:{handoff_id}")
    [answer] = front_app.telegram.callback_answers.values()
    assert answer["text"] == ADVISERS_ONLY
    assert await relay.state(redis, CHAT) is None
    assert await handoff.holder(redis, handoff_id) is None
