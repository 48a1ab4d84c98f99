"""The advisers' side: card rendering (pure), then the whole flow against the
fake Bot API (consumer, retries, claim, relay both ways, /fin, /stats)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, get_args

import pytest
import redis.asyncio as aioredis
from telegram import Bot
from telegram.ext import Application

from bot import advisers
from bot.app import build_application
from bot.card import MAX_CARD, claim_keyboard, clean, fit, render_card, utf16_len
from cnam import handoff, labels, privacy, stats
from cnam.handoff import HandoffRecord, Offer, Reason
from cnam.settings import Settings, get_settings

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram
    from tests.rasa_stub import RasaStub

pytest_plugins = ["tests.fake_telegram", "tests.rasa_stub"]

TZ = get_settings().tz


class _Telegram(HTMLParser):
    """Parses a card as Telegram would: tags must be allowed and balanced."""

    ALLOWED = frozenset({"b", "i", "code"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        assert tag in self.ALLOWED and not attrs, f"unexpected <{tag}>"
        self.open.append(tag)

    def handle_endtag(self, tag) -> None:  # type: ignore[no-untyped-def]
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data) -> None:  # type: ignore[no-untyped-def]
        self.text += data


def visible(card: str) -> str:
    parser = _Telegram()
    parser.feed(card)
    parser.close()
    assert parser.open == []
    return parser.text


def _record(**fields) -> HandoffRecord:
    base = {
        "handoff_id": "a1b2c3d4e5f6",
        "chat_id": 42,
        "created_at": datetime(2025, 11, 28, 17, 5, tzinfo=TZ),
        "reason": "profil_complet_rdv",
        "prenom": "Zaina",
        "tranche_age": "18_25",
        "situation": "demandeur_emploi",
        "niveau": "bac+2",
        "domaines": ["informatique", "btp"],
        "commune": "Koungou",
        "modalite": "soir_weekend",
        "disponibilite": "journee",
        "appointment": "mardi 2 décembre à 9 h, Dembéni",
        "offers": [Offer(id="deust-info", title="DEUST Informatique")],
        "funding": ["CPF", "AIF_FRANCE_TRAVAIL"],
        "last_messages": ["bjr", "chui au chomage", "je veux un rdv"],
    }
    return HandoffRecord(**{**base, **fields})


def test_card_shows_every_field_in_french() -> None:
    text = visible(render_card(_record()))
    for line in [
        "Demande de conseiller · a1b2c3d4e5f6",
        "Motif : Profil complet, rendez-vous demandé",
        "Reçue le 28/11/2025 à 17:05",
        "Prénom : Zaina",
        "Âge : 18–25 ans",
        "Situation : Demandeur d'emploi",
        "Niveau : Bac+2",
        "Domaines : Informatique, BTP",
        "Commune : Koungou",
        "Format souhaité : Soir et week-end",
        "Disponibilité : En journée",
        "Rendez-vous : mardi 2 décembre à 9 h, Dembéni",
        "• DEUST Informatique (deust-info)",
        "Financements possibles : CPF, AIF_FRANCE_TRAVAIL",
        "› chui au chomage",
        "Appuyez sur « Je prends »",
    ]:
        assert line in text, line


def test_missing_fields_say_so() -> None:
    text = visible(render_card(HandoffRecord(chat_id=1, reason="vocal")))
    assert "Prénom : non renseigné" in text
    assert "Formations proposées : non renseigné" in text
    assert "Motif : Message vocal ou média reçu" in text
    assert "Derniers messages" not in text


def test_user_strings_are_escaped_not_interpreted() -> None:
    hostile = {
        "prenom": "<b>Zaina</b>",
        "commune": "</code><a href='x'>",
        "appointment": "Tom &amp; Jerry",
        "last_messages": ["</code>", "a < b && c > d", "<i>"],
        "offers": [Offer(id="<x>", title="Bac & co")],
        "situation": "<script>",  # not canonical: shown raw, escaped
    }
    text = visible(render_card(_record(**hostile)))
    assert "Prénom : <b>Zaina</b>" in text
    assert "Commune : </code><a href='x'>" in text
    assert "Rendez-vous : Tom &amp; Jerry" in text
    assert "› a < b && c > d" in text and "› </code>" in text
    assert "• Bac & co (<x>)" in text
    assert "Situation : <script>" in text


def test_long_first_name_is_cut_and_card_fits() -> None:
    card = render_card(_record(prenom="A" * 1000))
    text = visible(card)
    assert f"Prénom : {'A' * 39}…\n" in text
    assert utf16_len(card) <= MAX_CARD


def test_worst_case_card_still_fits_and_parses() -> None:
    record = _record(
        prenom="&" * 1000,
        appointment="<" * 1000,
        last_messages=["&" * 3000, "😀" * 3000, ">" * 3000, "&" * 3000, "a" * 3000],
        offers=[Offer(id="&" * 200, title="&" * 500) for _ in range(9)],
        funding=["&" * 300] * 20,
    )
    card = render_card(record)
    assert utf16_len(card) <= MAX_CARD
    text = visible(card)
    assert "Prénom : " + "&" * 39 + "…" in text


def test_direction_and_invisible_characters_are_removed() -> None:
    rtl_override = "\u202eKOORTS\u202c"
    hidden = "Za\u200bi\u200dna\ufeff"
    record = _record(prenom=hidden, commune=rtl_override, last_messages=["سلام\u2066 ok\u2069"])
    text = visible(render_card(record))
    assert "Prénom : Zaina\n" in text
    assert "Commune : KOORTS\n" in text
    assert "› سلام ok" in text  # right-to-left letters themselves are kept
    assert not any(ch in text for ch in "\u202e\u202c\u200b\u200d\ufeff\u2066\u2069")


def test_newlines_fold_to_one_line() -> None:
    assert clean("  une\nligne\r\n\tseule  ", 50) == "une ligne seule"
    assert clean("abcdef", 4) == "abc…"


def test_fit_counts_utf16() -> None:
    assert fit("ok") == "ok"
    cut = fit("😀" * 3000)
    assert utf16_len(cut) <= MAX_CARD and cut.endswith("…")


def test_button_until_claimed_then_who_took_it() -> None:
    keyboard = claim_keyboard(_record())
    (button,) = keyboard.inline_keyboard[0]
    assert button.text == "Je prends"
    assert button.callback_data == "claim:a1b2c3d4e5f6"
    assert len(button.callback_data.encode()) <= 64
    taken = _record(
        status="pris", claimed_by="<Awa> & co", claimed_at=datetime(2025, 11, 28, 17, 9, tzinfo=TZ)
    )
    assert claim_keyboard(taken) is None
    assert "✅ Pris en charge par <Awa> & co à 17:09." in visible(render_card(taken))
    ended = _record(status="termine", claimed_by="Awa")
    assert "☑️ Échange terminé (Awa)." in visible(render_card(ended))
    assert claim_keyboard(ended) is None


def test_every_reason_has_a_french_label() -> None:
    assert set(get_args(Reason)) == set(labels.REASON)
    for reason in labels.REASON:
        text = visible(render_card(_record(reason=reason)))
        assert f"Motif : {reason}\n" not in text


# ---- against the fake Bot API ------------------------------------------------

GROUP = -1001234
PERSON = 5301
ADVISER_A, ADVISER_B, OUTSIDER = 71, 72, 73
SLOTS = {"prenom": "Zaina <3", "commune": "Koungou", "domaine": ["btp"], "niveau": "bac"}


@pytest.fixture
def adviser_settings(monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram) -> None:
    """The advisers' group with two members, and a consumer that retries fast."""
    monkeypatch.setattr(get_settings(), "adviser_chat_id", GROUP)
    monkeypatch.setattr(get_settings(), "adviser_ids", "")
    monkeypatch.setattr(advisers, "FIRST_DELAY", 0.01)
    monkeypatch.setattr(advisers, "MAX_DELAY", 0.05)
    monkeypatch.setattr(advisers, "BLOCK_MS", 50)
    fake_telegram.members[GROUP] = {ADVISER_A: "member", ADVISER_B: "administrator"}


@pytest.fixture
async def bare_bot(fake_telegram: FakeTelegram, adviser_settings: None) -> AsyncIterator[Bot]:
    """A Bot without rate limiter: every Telegram error reaches the consumer."""
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


@contextlib.asynccontextmanager
async def consuming(bot: Bot, redis: aioredis.Redis, name: str) -> AsyncIterator[None]:
    task = asyncio.create_task(advisers.consume(bot, redis, name))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _pending(redis: aioredis.Redis) -> list[str]:
    """Consumer names of the unacknowledged entries."""
    rows = await redis.xpending_range(handoff.stream_key(), handoff.GROUP, "-", "+", 100)
    return [row["consumer"] for row in rows]


async def _until_no_pending(redis: aioredis.Redis) -> None:
    async with asyncio.timeout(10):
        while await _pending(redis):  # noqa: ASYNC110 (Redis state: nothing to wait on)
            await asyncio.sleep(0.02)


async def _handoff(redis: aioredis.Redis, chat_id: int = PERSON) -> str:
    return await handoff.request_handoff(
        redis, chat_id, "demande_conseiller", SLOTS, ["bjr", "je veux parler à qqn"],
        None, [("deust-btp", "DEUST BTP")], ["CPF"],
    )


async def test_consumer_retries_through_500_and_429_without_loss(
    bare_bot, fake_telegram, redis
) -> None:
    first, second = await _handoff(redis, 1), await _handoff(redis, 2)
    fake_telegram.fail_next("sendMessage", 500, times=2)
    fake_telegram.fail_next("sendMessage", 429, times=1, retry_after=1)
    async with consuming(bare_bot, redis, "bot-test"):
        cards = await fake_telegram.wait_for_messages(GROUP, 2, timeout=20)
        await _until_no_pending(redis)
    assert fake_telegram.failures_served == [
        ("sendMessage", 500), ("sendMessage", 500), ("sendMessage", 429)
    ]
    assert [c["text"].splitlines()[0] for c in cards] == [
        f"🔔 Demande de conseiller · {first}", f"🔔 Demande de conseiller · {second}"
    ]
    assert "Prénom : Zaina <3" in cards[0]["text"]
    assert len(fake_telegram.messages(GROUP)) == 2  # each card once
    record = await handoff.find(redis, first)
    assert (record.status, record.card_message_id) == ("transmis", cards[0]["message_id"])


async def _crash_while_group_unreachable(bot: Bot, fake: FakeTelegram, redis, name: str) -> None:
    """A consumer takes the entry, cannot post it, and dies without acknowledging."""
    fake.fail_next("sendMessage", 500, times=10_000)
    async with consuming(bot, redis, name):
        await fake.wait_for(lambda: len(fake.failures_served) >= 3)
    assert await _pending(redis) == [name]
    assert fake.messages(GROUP) == []
    fake.reset()  # Telegram is back
    fake.members[GROUP] = {ADVISER_A: "member"}


async def test_restarted_consumer_delivers_its_backlog(bare_bot, fake_telegram, redis) -> None:
    handoff_id = await _handoff(redis)
    await _crash_while_group_unreachable(bare_bot, fake_telegram, redis, "bot-host")
    async with consuming(bare_bot, redis, "bot-host"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert handoff_id in card["text"]


async def test_entries_of_a_dead_consumer_are_taken_over(
    bare_bot, fake_telegram, redis, monkeypatch
) -> None:
    handoff_id = await _handoff(redis)
    await _crash_while_group_unreachable(bare_bot, fake_telegram, redis, "bot-old-host")
    monkeypatch.setattr(advisers, "STALE_MS", 0)
    async with consuming(bare_bot, redis, "bot-new-host"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert handoff_id in card["text"]


async def test_erased_person_is_acknowledged_not_posted(bare_bot, fake_telegram, redis) -> None:
    await _handoff(redis, 9)
    await handoff.redact_person(redis, 9)
    kept = await _handoff(redis, 10)
    async with consuming(bare_bot, redis, "bot-test"):
        [card] = await fake_telegram.wait_for_messages(GROUP, 1)
        await _until_no_pending(redis)
    assert kept in card["text"]


@pytest.fixture
async def front(
    fake_telegram: FakeTelegram, rasa_stub: RasaStub, redis: aioredis.Redis,
    adviser_settings: None,
) -> AsyncIterator[Application]:
    """The whole front (its handlers and ours), polling the fake API."""
    await privacy.record_consent(redis, PERSON, privacy.ACCEPTED)
    settings = Settings(
        telegram_bot_token=fake_telegram.token,
        telegram_api_base_url=fake_telegram.base_url,
        rasa_url=rasa_stub.url,
    )
    application = build_application(settings)
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    await application.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
    await application.start()
    yield application
    await application.updater.stop()  # type: ignore[union-attr]
    await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)  # type: ignore[misc]


async def test_claim_relay_both_ways_and_end(front, fake_telegram, rasa_stub, redis) -> None:
    handoff_id = await _handoff(redis)
    [card] = await fake_telegram.wait_for_messages(GROUP, 1)
    card_id = card["message_id"]

    # Someone outside the advisers' group cannot take it.
    refused = fake_telegram.press_button(GROUP, card_id, "Je prends", user_id=OUTSIDER)
    await fake_telegram.wait_for(lambda: refused in fake_telegram.callback_answers)
    assert fake_telegram.callback_answers[refused]["text"] == advisers.ADVISERS_ONLY
    assert await handoff.holder(redis, handoff_id) is None

    taken = fake_telegram.press_button(GROUP, card_id, "Je prends", user_id=ADVISER_A)
    [notice] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert notice["text"] == advisers.CLAIMED_NOTICE
    await fake_telegram.wait_for(lambda: "reply_markup" not in card)  # edited in place
    assert "✅ Pris en charge par Test à" in card["text"]
    assert fake_telegram.callback_answers[taken]["text"].startswith("C'est à vous")

    # A second press by someone else is refused, and says who has it.
    again = fake_telegram.press_button(
        GROUP, card_id, data=f"claim:{handoff_id}", user_id=ADVISER_B
    )
    await fake_telegram.wait_for(lambda: again in fake_telegram.callback_answers)
    assert fake_telegram.callback_answers[again]["text"] == "Déjà prise par Test."
    assert fake_telegram.callback_answers[again]["show_alert"] is True
    assert (await handoff.holder(redis, handoff_id)).adviser_id == ADVISER_A

    # The person → the card's thread, not Rasa.
    fake_telegram.send_text(PERSON, "j'ai le bac <b>pro</b>")
    [forwarded] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert forwarded["text"] == f"💬 Zaina <3 · {handoff_id}\nj'ai le bac <b>pro</b>"
    assert forwarded["reply_to_message"]["message_id"] == card_id

    # Outsiders' replies stay in the group; an adviser's reply reaches the person.
    fake_telegram.reply_in_group(GROUP, card_id, "pas pour toi", user_id=OUTSIDER)
    fake_telegram.reply_in_group(
        GROUP, forwarded["message_id"], "Très bien, & ensuite ?", user_id=ADVISER_B
    )
    [relayed] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert relayed["text"] == "Conseiller CNAM : Très bien, & ensuite ?"

    fake_telegram.reply_in_group(GROUP, card_id, "/fin", user_id=ADVISER_A)
    [back] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert back["text"] == "Vous reparlez avec l'assistant automatique."
    [done] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert done["text"].startswith("Échange terminé")
    assert "☑️ Échange terminé (Test)." in card["text"]
    assert (await handoff.find(redis, handoff_id)).status == "termine"

    # Back with the assistant: Rasa answers again, and only that message reached it.
    fake_telegram.send_text(PERSON, "merci")
    [answer] = await fake_telegram.wait_for_messages(PERSON, 1)
    assert answer["text"] == "Vous avez dit : merci"
    assert rasa_stub.messages(PERSON) == ["merci"]
    assert len(fake_telegram.messages(PERSON)) == 4


async def test_reply_before_claim_is_not_relayed(front, fake_telegram, redis) -> None:
    await _handoff(redis)
    [card] = await fake_telegram.wait_for_messages(GROUP, 1)
    fake_telegram.reply_in_group(GROUP, card["message_id"], "je regarde", user_id=ADVISER_A)
    [hint] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert hint["text"] == "Appuyez d'abord sur « Je prends » sur la fiche."
    assert fake_telegram.messages(PERSON) == []


async def test_stats_for_advisers_only(front, fake_telegram, redis) -> None:
    await stats.record(redis, "conversation", PERSON)
    await stats.record(redis, "profile_completed", PERSON, domaines=["btp"], commune="Sada")
    fake_telegram.send_text(GROUP, "/stats", user_id=OUTSIDER, chat_type="supergroup")
    fake_telegram.send_text(GROUP, "/stats", user_id=ADVISER_B, chat_type="supergroup")
    summary, chart = await fake_telegram.wait_for_messages(GROUP, 2)
    assert "7 derniers jours : 1 personne, 1 profil complet" in summary["text"]
    assert "BTP (1)" in summary["text"] and "Sada (1)" in summary["text"]
    file_id = chart["photo"][0]["file_id"]
    assert fake_telegram.files[file_id].startswith(b"\x89PNG\r\n\x1a\n")
    assert len(fake_telegram.messages(GROUP)) == 2  # the outsider got nothing


async def test_adviser_ids_and_membership_cache(front, fake_telegram, monkeypatch) -> None:
    trusted = 74  # not in the group, but listed in ADVISER_IDS
    monkeypatch.setattr(get_settings(), "adviser_ids", f"1, {trusted}")
    for user in (trusted, ADVISER_A, ADVISER_A):
        fake_telegram.send_text(GROUP, "/stats", user_id=user, chat_type="supergroup")
    await fake_telegram.wait_for_messages(GROUP, 6)
    asked = [int(c["user_id"]) for c in fake_telegram.calls_of("getChatMember")]
    assert asked == [ADVISER_A]  # asked once, then cached; ADVISER_IDS never asked
