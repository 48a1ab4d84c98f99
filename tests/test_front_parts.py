"""The front's parts on their own: rendering rules, Rasa client, tokens, pipeline."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from telegram import InlineKeyboardButton

from bot import callbacks, details, relay
from bot.app import front_actions
from bot.messages import Document, OutMessage, from_rasa
from bot.person_chat import e164
from bot.person_commands import payload_for
from bot.pipeline import RETRY_PAYLOAD, Pipeline, is_emoji_only, parse_front_action
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.render import keyboard_rows, merge, split_text
from bot.terminal import TerminalChat
from cnam import privacy
from cnam.keys import person_key
from tests.rasa_stub import RasaStub

CHAT = 4401


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_turns_plain_texts_join_the_next_message_while_they_fit():
    ack, question = OutMessage(text="Enchanté, Anli !"), OutMessage(text="Quel âge ?", buttons=[("18", "/x")])
    assert merge([ack, question]) == [OutMessage(text="Enchanté, Anli !\n\nQuel âge ?", buttons=[("18", "/x")])]
    # A message with buttons, or one that would pass 350 characters, stays on its own.
    assert merge([question, ack]) == [question, ack]
    long = OutMessage(text="x" * 340)
    assert merge([long, question]) == [long, question]
    document = OutMessage(text="Votre rendez-vous", document=Document("rdv.ics", b"ics"))
    assert merge([document, ack]) == [document, ack]


def test_an_answer_that_settles_the_question_stays_so_when_merged():
    # The consent's thanks may take the prompt's place; joined to the menu, it still may.
    thanks = OutMessage(text="Merci !", settles=True)
    [joined] = merge([thanks, OutMessage(text="Bonjour !", buttons=[("Menu", "/x")])])
    assert joined.settles and joined.text == "Merci !\n\nBonjour !" and joined.buttons
    assert not merge([OutMessage(text="Bien noté."), OutMessage(text="Quel âge ?")])[0].settles


async def test_details_open_in_place_and_back(redis: aioredis.Redis) -> None:
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    listed = OutMessage(text="1. A\n2. B", buttons=[("Voir plus", "/more_offers")],
                        details=[("Détails 1", "carte A"), ("Détails 2", "carte B")])
    [shown] = await details.expand(CHAT, [listed], may_keep=True)
    assert [t for t, _ in shown.buttons] == ["Détails 1", "Détails 2", "Voir plus"] and shown.lead_row == 2
    name, arg = parse_front_action(shown.buttons[1][1])
    [card] = await front_actions()[f"!{name}"](CHAT, arg)
    assert card.text == "carte B" and card.replace
    assert [t for t, _ in card.buttons] == ["Retour", "Voir plus"]
    name, arg = parse_front_action(card.buttons[0][1])
    [back] = await front_actions()[f"!{name}"](CHAT, arg)
    assert back.replace and back.text == listed.text and back.buttons == shown.buttons
    # Kept only for people whose data may be kept: the others read every card at once.
    spelled = await details.expand(CHAT + 1, [listed], may_keep=False)
    assert [m.text for m in spelled] == ["1. A\n2. B", "carte A", "carte B"]
    assert [m.buttons for m in spelled] == [[], [], [("Voir plus", "/more_offers")]]
    assert await redis.exists(person_key("details", CHAT + 1)) == 0


def test_the_terminal_prints_a_replacement_anew_marked(tmp_path) -> None:
    out = io.StringIO()
    chat = TerminalChat(None, CHAT, tmp_path, out)  # type: ignore[arg-type]
    chat.show([OutMessage(text="carte B", buttons=[("Retour", "!liste x")], replace=True)])
    assert out.getvalue() == "CNAM ↻ carte B\n   1. Retour\n"
    assert chat.choices == ["!liste x"]


def test_split_text_cuts_at_paragraphs_within_the_limit():
    paragraphs = [f"Paragraphe {i}. " + "mot " * 300 for i in range(5)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(utf16(c) <= 4096 for c in chunks)
    assert all(c.startswith("Paragraphe") for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_split_text_counts_emoji_as_telegram_does():
    text = "🙂" * 3000  # 6 000 UTF-16 units, no place to cut
    chunks = split_text(text)
    assert all(utf16(c) <= 4096 for c in chunks)
    assert "".join(chunks) == text


def test_short_titles_share_rows_long_ones_do_not():
    def rows(*titles: str) -> list[int]:
        buttons = [InlineKeyboardButton(t, callback_data=t) for t in titles]
        return [len(row) for row in keyboard_rows(buttons)]

    assert rows("Oui", "Non") == [2]
    assert rows("Lun", "Mar", "Mer", "Jeu", "Ven") == [3, 2]
    assert rows("Demandeur d'emploi", "Salarié") == [1, 1]
    assert rows("En journée", "Le soir") == [2]


def test_from_rasa_reads_text_buttons_and_custom():
    plain = from_rasa({"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "/affirm"}]})
    assert plain is not None
    assert (plain.text, plain.buttons) == ("Bonjour", [("Oui", "/affirm")])
    custom = from_rasa({"custom": {
        "text": "Votre rendez-vous", "request_contact": "Partager",
        "document": {"filename": "rdv.ics", "content_b64": base64.b64encode(b"ICS").decode()},
    }})
    assert custom is not None
    assert (custom.text, custom.request_contact) == ("Votre rendez-vous", "Partager")
    assert custom.document == Document("rdv.ics", b"ICS")
    broken = from_rasa({"custom": {"document": {"filename": "x", "content_b64": "%%%"}}})
    assert broken is None
    assert from_rasa({"recipient_id": "1"}) is None


@pytest.mark.parametrize("text", ["😀", "👍🏽", "❤️", "🇫🇷 🙏", "😂😂😂"])
def test_emoji_only(text):
    assert is_emoji_only(text)


@pytest.mark.parametrize("text", ["ok 👍", "?", "", "  ", "1️⃣", "bac+2", "..."])
def test_not_emoji_only(text):
    assert not is_emoji_only(text)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("262639123456", "+262639123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0639 12 34 56", "+262639123456"),
        ("0033612345678", "+33612345678"),
    ],
)
def test_e164(given, expected):
    assert e164(given) == expected


def test_commands_map_to_payloads():
    assert payload_for("/rdv") == "/show_booking"
    assert payload_for("/rdv@cnam_bot") == "/show_booking"
    assert payload_for("/start 12345") == "/greet"
    assert payload_for("/inconnu") is None
    assert payload_for("/") is None
    assert payload_for("bonjour") is None


def test_front_command_parsing():
    assert parse_front_action("!rappel 2024-05-02 08:00") == ("rappel", "2024-05-02 08:00")
    assert parse_front_action("!supprimer_ok") == ("supprimer_ok", "")


async def test_tokens_are_reused_per_payload_and_valid_only_in_their_chat(redis: aioredis.Redis):
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    first = await callbacks.tokenize(CHAT, ["/affirm", "/deny", "/affirm"])
    again = await callbacks.tokenize(CHAT, ["/deny"])
    assert first[0] == first[2] and first[1] == again[0] and first[0] != first[1]
    assert await callbacks.resolve(CHAT, first[1]) == "/deny"
    assert await callbacks.resolve(CHAT + 1, first[1]) is None
    assert await callbacks.resolve(CHAT, "b:nope") is None
    assert await callbacks.resolve(CHAT, first[1].removeprefix(callbacks.DATA_PREFIX)) is None
    assert 0 < await redis.ttl(person_key("cb", CHAT)) <= callbacks.TTL_SECONDS
    assert await callbacks.first_press(CHAT, 7)
    assert not await callbacks.first_press(CHAT, 7)


async def test_without_consent_buttons_live_in_memory_only(redis: aioredis.Redis) -> None:
    [token] = await callbacks.tokenize(CHAT, ["!consent_ok"])
    assert await callbacks.resolve(CHAT, token) == "!consent_ok"
    assert await callbacks.resolve(CHAT + 1, token) is None
    assert await callbacks.first_press(CHAT, 8)
    assert not await callbacks.first_press(CHAT, 8)
    assert await redis.exists(person_key("cb", CHAT)) == 0


@pytest.fixture
async def rasa(rasa_stub: RasaStub) -> AsyncIterator[RasaClient]:
    client = RasaClient(rasa_stub.url, timeout=2)
    await client.start()
    yield client
    await client.close()


async def test_rasa_client_posts_the_rest_body(rasa, rasa_stub):
    replies = await rasa.send(CHAT, "bonjour", {"transport": "test"})
    assert replies[0]["text"] == "Vous avez dit : bonjour"
    assert rasa_stub.received == [
        {"sender": str(CHAT), "message": "bonjour", "metadata": {"transport": "test"}}
    ]


async def test_rasa_client_failures_are_rasa_unavailable(rasa, rasa_stub):
    rasa_stub.status = 503
    with pytest.raises(RasaUnavailable):
        await rasa.send(CHAT, "bonjour")
    rasa_stub.status = 200
    release = rasa_stub.hold("lent")
    slow = RasaClient(rasa_stub.url, timeout=0.3)
    await slow.start()
    try:
        with pytest.raises(RasaUnavailable):
            await slow.send(CHAT, "lent")
    finally:
        release.set()
        await slow.close()
    closed = RasaClient("http://127.0.0.1:9", connect_timeout=1)
    await closed.start()
    try:
        with pytest.raises(RasaUnavailable):
            await closed.send(CHAT, "bonjour")
    finally:
        await closed.close()


async def test_rasa_client_keeps_each_chat_on_one_of_several_servers(rasa_stub):
    """RASA_URLS: a conversation never moves between Rasa processes; all of them get chats."""
    other = RasaStub()
    await other.start()
    client = RasaClient(f"{rasa_stub.url}, {other.url}/", timeout=2)
    await client.start()
    try:
        chats = range(CHAT, CHAT + 20)
        for turn in ("bonjour", "oui"):
            for chat in chats:
                await client.send(chat, turn)
    finally:
        await client.close()
        await other.stop()
    for chat in chats:
        turns = (rasa_stub.messages(chat), other.messages(chat))
        assert sorted(turns) == [[], ["bonjour", "oui"]]
    assert rasa_stub.received and other.received


async def test_typed_command_kept_for_retry_is_replayed_as_text(rasa, rasa_stub, redis):
    """A typed "!supprimer_ok" stays text, even when replayed by the "Réessayer" button."""
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    pipeline = Pipeline(rasa, "test", front_actions())
    rasa_stub.status = 500
    [apology] = await pipeline.handle(CHAT, "!supprimer_ok")
    assert apology.buttons == [("Réessayer", RETRY_PAYLOAD)]
    assert 0 < await redis.ttl(person_key("retry", CHAT)) <= 3600
    rasa_stub.status = 200
    [reply] = await pipeline.handle(CHAT, RETRY_PAYLOAD, trusted=True)
    assert reply.text == "Vous avez dit : !supprimer_ok"
    [expired] = await pipeline.handle(CHAT, RETRY_PAYLOAD, trusted=True)
    assert "plus votre message" in expired.text
    assert rasa_stub.messages() == ["!supprimer_ok", "!supprimer_ok"]


async def test_live_relay_comes_before_everything(rasa, rasa_stub, redis, monkeypatch):
    forwarded: list[tuple[int, str]] = []

    async def adviser_is_live(chat_id: int, text: str) -> bool:
        forwarded.append((chat_id, text))
        return True

    monkeypatch.setattr(relay, "forward_from_user", adviser_is_live)
    assert await Pipeline(rasa, "test", front_actions()).handle(CHAT, "bonjour") == []
    assert forwarded == [(CHAT, "bonjour")]
    assert rasa_stub.received == []
