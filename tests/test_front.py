"""The Telegram front in conversation, run in-process against the fake Bot API
and a Rasa stub: answers and buttons, order per chat, input Rasa cannot use,
commands, consent, the person's data.

Redis is the real one (conftest's ``redis`` fixture); only Rasa is replaced.
"""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from bot import consent, person_chat
from tests.front_app import CHAT, OTHER, buttons


async def test_text_gets_the_rasa_answer_with_an_inline_keyboard(front, fake_telegram, rasa_stub):
    release = rasa_stub.hold("bonjour")
    fake_telegram.send_text(CHAT, "bonjour")
    # "typing…" is shown while Rasa works, once it takes a moment.
    await fake_telegram.wait_for(lambda: (CHAT, "typing") in fake_telegram.chat_actions)
    release.set()
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert reply["text"] == "Vous avez dit : bonjour"
    assert [b["text"] for b in buttons(reply)] == ["Oui", "Non"]
    assert rasa_stub.received == [
        {
            "sender": str(CHAT), "message": "bonjour",
            # The Telegram names go with it, for the adviser's card.
            "metadata": {"transport": "telegram", "consent": "oui", "minor": False,
                         "telegram_first_name": "Test", "telegram_name": "Test"},
        }
    ]


async def test_a_quick_answer_comes_without_typing(front, fake_telegram, rasa_stub):
    fake_telegram.send_text(CHAT, "salut")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert reply["text"] == "Vous avez dit : salut"
    await asyncio.sleep(person_chat.TYPING_DELAY_SECONDS + 0.2)
    assert (CHAT, "typing") not in fake_telegram.chat_actions


async def test_button_press_sends_payload_answers_query_and_closes_keyboard(
    front, fake_telegram, rasa_stub
):
    fake_telegram.send_text(CHAT, "bonjour")
    [question] = await fake_telegram.wait_for_messages(CHAT, 1)
    token = buttons(question)[0]["callback_data"]
    query_id = fake_telegram.press_button(CHAT, question["message_id"], "Oui")
    # A double tap: the same keyboard pressed again before the bot answered.
    second = fake_telegram.press_button(CHAT, question["message_id"], data=token)
    # The choice and the answer edited into the pressed message: one call, no new message.
    [joined] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert joined["text"] == "Vous avez dit : /affirm"
    assert question["text"] == "Vous avez dit : bonjour\n\n✅ Oui\n\nVous avez dit : /affirm"
    assert [b["text"] for b in buttons(question)] == ["Oui", "Non"]  # the answer's keyboard
    assert query_id in fake_telegram.callback_answers
    assert fake_telegram.messages(CHAT) == [question]
    fake_telegram.send_text(CHAT, "ensuite")
    [next_answer] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert next_answer["text"] == "Vous avez dit : ensuite"
    assert rasa_stub.messages(CHAT) == ["bonjour", "/affirm", "ensuite"]
    await fake_telegram.wait_for(lambda: second in fake_telegram.callback_answers)
    # The edited keyboard can be pressed; the message is no longer the latest, so the
    # choice is shown on it and the answer comes below, as a new message.
    fake_telegram.press_button(CHAT, question["message_id"], "Non")
    [after] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert after["text"] == "Vous avez dit : /deny"
    assert question["text"].endswith("Vous avez dit : /affirm\n\n✅ Non")
    assert "reply_markup" not in question


async def test_an_answer_too_long_to_join_the_pressed_message_comes_below(
    front, fake_telegram, rasa_stub
):
    long_text = "Une réponse longue. " * 16  # with the question and the choice: over 350
    rasa_stub.answers["/affirm"] = [{"recipient_id": str(CHAT), "text": long_text.strip()}]
    fake_telegram.send_text(CHAT, "question")
    [question] = await fake_telegram.wait_for_messages(CHAT, 1)
    fake_telegram.press_button(CHAT, question["message_id"], "Oui")
    [answer] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert answer["text"] == long_text.strip()
    assert question["text"] == "Vous avez dit : question\n\n✅ Oui"
    assert "reply_markup" not in question


async def test_long_payload_is_tokenised_and_foreign_or_forged_tokens_refused(
    front, fake_telegram, rasa_stub
):
    long_payload = "/inform" + json.dumps({"domaine": "informatique", "note": "x" * 200})
    rasa_stub.answers["formations"] = [
        {"recipient_id": str(CHAT), "text": "Quel domaine ?",
         "buttons": [{"title": "Informatique", "payload": long_payload}]}
    ]
    fake_telegram.send_text(CHAT, "formations")
    [question] = await fake_telegram.wait_for_messages(CHAT, 1)
    [button] = buttons(question)
    assert len(button["callback_data"].encode()) <= 64
    assert long_payload not in button["callback_data"]

    # Another chat presses this chat's token on one of its own messages.
    fake_telegram.send_text(OTHER, "salut")
    [other_question] = await fake_telegram.wait_for_messages(OTHER, 1)
    foreign = fake_telegram.press_button(
        OTHER, other_question["message_id"], data=button["callback_data"]
    )
    [refusal] = await fake_telegram.wait_for_messages(OTHER, 1)
    assert refusal["text"].startswith("Ce bouton n'est plus valable.")
    assert foreign in fake_telegram.callback_answers

    forged = fake_telegram.press_button(CHAT, question["message_id"], data="b:AAAAAAAAAAAA")
    [refusal] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert refusal["text"].startswith("Ce bouton n'est plus valable.")
    assert forged in fake_telegram.callback_answers

    # The current question still works.
    fake_telegram.press_button(CHAT, question["message_id"], "Informatique")
    await fake_telegram.wait_for_messages(CHAT, 1)
    assert rasa_stub.messages(CHAT) == ["formations", long_payload]
    assert rasa_stub.messages(OTHER) == ["salut"]


async def test_one_chat_in_order_while_another_is_served(front, fake_telegram, rasa_stub):
    release = rasa_stub.hold("premier")
    fake_telegram.send_text(CHAT, "premier")
    fake_telegram.send_text(CHAT, "second")
    await fake_telegram.wait_for(lambda: "premier" in rasa_stub.messages(CHAT))
    fake_telegram.send_text(OTHER, "autre")
    [other] = await fake_telegram.wait_for_messages(OTHER, 1)
    assert other["text"] == "Vous avez dit : autre"
    # The slow first message still holds its chat: the second waits its turn.
    assert rasa_stub.messages(CHAT) == ["premier"]
    assert fake_telegram.messages(CHAT) == []
    release.set()
    first, second = await fake_telegram.wait_for_messages(CHAT, 2)
    assert (first["text"], second["text"]) == ("Vous avez dit : premier", "Vous avez dit : second")
    # Each chat's lock is dropped once idle.
    await fake_telegram.wait_for(lambda: front.update_processor.active_chats == 0)


@pytest.mark.parametrize(
    ("send", "words"),
    [
        (lambda fake: fake.send_sticker(CHAT), "texte"),
        (lambda fake: fake.send_photo(CHAT), "images"),
        (lambda fake: fake.send_video(CHAT), "vidéos"),
        (lambda fake: fake.send_document(CHAT), "fichiers"),
        (lambda fake: fake.send_location(CHAT), "commune"),
        (lambda fake: fake.send_text(CHAT, "😀👍🏽"), "émojis"),
        (lambda fake: fake.send_text(CHAT, "❤️ 🙏"), "émojis"),
        (lambda fake: fake.send_text(CHAT, "x" * 4097), "trop long"),
    ],
)
async def test_input_rasa_cannot_use_gets_a_french_answer(
    front, fake_telegram, rasa_stub, send, words
):
    send(fake_telegram)
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert words in reply["text"]
    assert rasa_stub.received == []


async def test_voice_note_offers_a_call_back(front, fake_telegram, rasa_stub):
    fake_telegram.send_voice(CHAT)
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert "Je ne peux pas encore écouter les messages vocaux." in reply["text"]
    fake_telegram.press_button(CHAT, reply["message_id"], "Être rappelé par un conseiller")
    await fake_telegram.wait_for_messages(CHAT, 1)
    assert rasa_stub.messages(CHAT) == ["/ask_human"]


async def test_edited_message_is_not_answered_twice(front, fake_telegram, rasa_stub):
    original = fake_telegram.send_text(CHAT, "je cherche une formaton")
    await fake_telegram.wait_for_messages(CHAT, 1)
    fake_telegram.edit_text(CHAT, original["message_id"], "je cherche une formation")
    [reply] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert "modifiés" in reply["text"]
    assert rasa_stub.messages(CHAT) == ["je cherche une formaton"]


async def test_contact_keyboard_then_shared_contact_becomes_the_phone_slot(
    front, fake_telegram, rasa_stub
):
    rasa_stub.answers["rdv"] = [
        {"recipient_id": str(CHAT),
         "custom": {"text": "Votre numéro ?", "request_contact": "Partager mon numéro"}}
    ]
    payload = '/inform{"rdv_telephone": "+262639123456"}'
    rasa_stub.answers[payload] = [{"recipient_id": str(CHAT), "text": "Merci, c'est noté."}]
    fake_telegram.send_text(CHAT, "rdv")
    [ask] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert ask["text"] == "Votre numéro ?"
    assert fake_telegram.markup_sent_with(ask) == {
        "keyboard": [[{"text": "Partager mon numéro", "request_contact": True}]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }
    fake_telegram.send_contact(CHAT, "262639123456")
    [thanks] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert thanks["text"] == "Merci, c'est noté."
    assert fake_telegram.markup_sent_with(thanks) == {"remove_keyboard": True}
    assert rasa_stub.messages(CHAT) == ["rdv", payload]


async def test_document_and_long_text_from_rasa(front, fake_telegram, rasa_stub):
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    paragraph = "Le CNAM propose des formations du soir. " * 60  # ~2 400 characters
    rasa_stub.answers["mon rdv"] = [
        {"recipient_id": str(CHAT), "text": f"{paragraph}\n\n{paragraph}",
         "buttons": [{"title": "Merci", "payload": "/thank"}]},
        {"recipient_id": str(CHAT), "custom": {"text": "Votre rendez-vous :", "document": {
            "filename": "rdv.ics",
            "content_b64": base64.b64encode(calendar).decode(),
        }}},
    ]
    fake_telegram.send_text(CHAT, "mon rdv")
    part1, part2, caption, document = await fake_telegram.wait_for_messages(CHAT, 4)
    assert part1["text"] == paragraph.strip() and part2["text"] == paragraph.strip()
    assert buttons(part1) == [] and [b["text"] for b in buttons(part2)] == ["Merci"]
    assert caption["text"] == "Votre rendez-vous :"
    assert document["document"]["file_name"] == "rdv.ics"
    assert fake_telegram.files[document["document"]["file_id"]] == calendar


async def test_commands_are_registered_in_french_and_mapped(front, fake_telegram, rasa_stub):
    names = [c["command"] for c in fake_telegram.commands]
    assert names == [
        "start", "aide", "rdv", "annuler", "recommencer", "conseiller", "mesdonnees", "supprimer",
    ]
    assert all(c["description"] for c in fake_telegram.commands)
    for command in ("/start", "/rdv", "/annuler", "/recommencer", "/conseiller"):
        fake_telegram.send_text(CHAT, command)
        await fake_telegram.wait_for_messages(CHAT, 1)
    assert rasa_stub.messages(CHAT) == [
        "/greet", "/show_booking", "/cancel_appointment", "/restart", "/ask_human",
    ]
    # The front answers these itself: they work while Rasa is down or an adviser is live.
    fake_telegram.send_text(CHAT, "/aide")
    await fake_telegram.wait_for_messages(CHAT, 2)  # its two paragraphs
    help_message = fake_telegram.messages(CHAT)[-1]
    assert "/rdv" in help_message["text"] and "/supprimer" in help_message["text"]
    fake_telegram.send_text(CHAT, "/supprimer")
    [confirm] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert confirm["text"] == consent.ERASE_CONFIRM.text
    assert [b["text"] for b in buttons(confirm)] == ["Oui, tout effacer", "Non, garder"]
    assert len(rasa_stub.received) == 5


async def test_other_groups_get_no_answer(front, fake_telegram, rasa_stub):
    fake_telegram.send_text(-100777, "bonjour le groupe", user_id=99, chat_type="supergroup")
    fake_telegram.send_text(CHAT, "bonjour")
    await fake_telegram.wait_for_messages(CHAT, 1)
    assert fake_telegram.messages(-100777) == []
    assert rasa_stub.messages() == ["bonjour"]


async def test_first_contact_asks_consent_then_answers_the_first_question(
    front, fake_telegram, rasa_stub
):
    newcomer = 4299
    fake_telegram.send_text(newcomer, "c quoi le cnam")
    [question] = await fake_telegram.wait_for_messages(newcomer, 1)
    assert "/supprimer" in question["text"]
    assert rasa_stub.received == []
    fake_telegram.press_button(newcomer, question["message_id"], "J'accepte")
    thanks, answer = await fake_telegram.wait_for_messages(newcomer, 2)
    assert thanks["text"].startswith("Merci")
    assert answer["text"] == "Vous avez dit : c quoi le cnam"
    assert rasa_stub.messages(newcomer) == ["c quoi le cnam"]


async def test_mesdonnees_sends_the_export_file(front, fake_telegram, rasa_stub):
    fake_telegram.send_text(CHAT, "bonjour")  # leaves the button tokens behind
    await fake_telegram.wait_for_messages(CHAT, 1)
    fake_telegram.send_text(CHAT, "/mesdonnees")
    text, document = await fake_telegram.wait_for_messages(CHAT, 2)
    assert "fichier" in text["text"]
    exported = json.loads(fake_telegram.files[document["document"]["file_id"]])
    assert exported["donnees"]
    assert rasa_stub.messages(CHAT) == ["bonjour"]


async def test_contact_keyboard_on_a_long_text_comes_last_and_is_removed_later(
    front, fake_telegram, rasa_stub
):
    long_text = "Pour vous rappeler, il me faut votre numéro. " * 120  # two messages
    rasa_stub.answers["rdv"] = [{"recipient_id": str(CHAT),
                                 "custom": {"text": long_text, "request_contact": "Partager"}}]
    fake_telegram.send_text(CHAT, "rdv")
    first, second = await fake_telegram.wait_for_messages(CHAT, 2)
    assert fake_telegram.markup_sent_with(first) is None
    assert "keyboard" in fake_telegram.markup_sent_with(second)
    rasa_stub.answers["0639123456"] = [{"recipient_id": str(CHAT), "text": "Merci."}]
    fake_telegram.send_text(CHAT, "0639123456")
    [thanks] = await fake_telegram.wait_for_messages(CHAT, 1)
    assert fake_telegram.markup_sent_with(thanks) == {"remove_keyboard": True}
