"""The adviser card (pure): every field in French, escaping, length limits."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from typing import get_args

from bot.card import MAX_CARD, claim_keyboard, clean, fit, render_card, utf16_len
from cnam import handoff
from cnam.handoff import HandoffRecord, Offer, Reason
from cnam.settings import get_settings

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
        "Motif : Rendez-vous demandé",
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
    text = visible(render_card(HandoffRecord(chat_id=1, reason="incomprehension")))
    assert "Prénom : non renseigné" in text
    assert "Formations proposées : non renseigné" in text
    assert "Motif : L'assistant ne comprend pas la personne" in text
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
    assert set(get_args(Reason)) == set(handoff.REASON_LABELS)
    for reason in handoff.REASON_LABELS:
        text = visible(render_card(_record(reason=reason)))
        assert f"Motif : {reason}\n" not in text


def test_the_motif_says_what_happened_and_the_telegram_name_is_shown() -> None:
    record = _record(sujet="vae", telegram_name="Houssamie Abdou", telegram_username="houss976")
    text = visible(render_card(record))
    assert "Motif : Question VAE, rendez-vous demandé" in text
    assert "Telegram : Houssamie Abdou (@houss976)" in text
    bare = visible(render_card(HandoffRecord(chat_id=1, reason="demande_conseiller")))
    assert "Motif : La personne demande un conseiller" in bare
    assert "Telegram : non renseigné" in bare


def test_the_card_names_the_advisers_it_is_for(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot import card
    from tests.test_routing import config

    routed = config(advisers={0: {"first_name": "Zaï<b>", "telegram_id": 9001}, 1: {"telegram_username": "anli_cnam"}})
    monkeypatch.setattr(card, "get_advisers", lambda: routed)
    record = HandoffRecord(chat_id=1, reason="demande_conseiller", routed_to=["adv1", "adv2", "parti"])
    assert '<b>Pour</b> : <a href="tg://user?id=9001">Zaï&lt;b&gt;</a>, @anli_cnam\n' in render_card(record)
    assert "Pour" not in render_card(HandoffRecord(chat_id=1, reason="demande_conseiller"))
