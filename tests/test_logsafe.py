"""Logs never show who wrote, what they wrote, or their phone number."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from bot import consent
from cnam import logsafe, privacy
from cnam.logsafe import hash_id, install_log_filter, masked
from cnam.settings import get_settings

if TYPE_CHECKING:
    pass


CHAT = 5234567890
NAME = "Zaïnaba Attoumani"
PHONE_FORMS = [
    "0639 12 34 56", "06.39.12.34.56", "+262 639 12 34 56", "00262639123456", "0639123456"
]
TEXT = f"Je m'appelle {NAME}, appelez-moi au 0639 12 34 56 ou zaina.a@example.com"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger at INFO, writing to a buffer through a filtered handler."""
    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    install_log_filter()
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_hash_id_is_short_stable_salted_and_hides_the_id(monkeypatch) -> None:
    first = hash_id(CHAT)
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert hash_id(CHAT) == first and hash_id(CHAT + 1) != first
    assert str(CHAT) not in first
    monkeypatch.setattr(get_settings(), "log_salt", "un autre sel")
    assert hash_id(CHAT) != first


def test_a_message_logged_at_info_shows_neither_name_nor_phone(captured) -> None:
    log = logging.getLogger("cnam.test")
    log.info("message de %s : %s", hash_id(CHAT), masked(TEXT))
    # Careless calls are caught for what can be recognised: numbers and e-mails.
    log.info("rappel au %s pour chat %s (%s)", "+262 639 12 34 56", CHAT, "zaina.a@example.com")
    try:
        raise ValueError(f"numéro refusé : {PHONE_FORMS[0]}")
    except ValueError:
        log.exception("échec pour %s", hash_id(CHAT))
    output = captured.getvalue()
    for secret in [NAME, "Zaïnaba", "zaina.a@example.com", str(CHAT), *PHONE_FORMS]:
        assert secret not in output, secret
    assert hash_id(CHAT) in output
    assert f"‹texte masqué, {len(TEXT)} car.›" in output
    assert output.count(logsafe.PHONE_MASK) == 3  # the argument, the chat id, the traceback


def test_redaction_masks_numbers_and_tokens_but_leaves_dates_and_ids_alone() -> None:
    for phone in PHONE_FORMS:
        assert logsafe.redact(f"tél {phone}.") == f"tél {logsafe.PHONE_MASK}."
    url = "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe"
    assert logsafe.redact(url) == f"POST https://api.telegram.org/bot{logsafe.TOKEN_MASK}/getMe"
    for harmless in [
        "rdv 2026-12-03 14:30", "slot adv1|2026-12-03T14:30", "entrée 1764320000123-0",
        "le 03/12/2026 à 9 h", "bac+2, 3 ans, 500 €",
        # Hex ids whose digits run on by chance (about 3 % of the cards' ids).
        "ALERT card h063912345678 not delivered", "fiche h0639123456ab", "rdv 639123456a",
    ]:
        assert logsafe.redact(harmless) == harmless


async def test_the_front_logs_nothing_personal(captured, pipeline, rasa_stub, redis) -> None:
    await privacy.record_consent(redis, CHAT, privacy.ACCEPTED)
    await pipeline.handle(CHAT, TEXT)
    rasa_stub.status = 500  # the apology path logs a warning about this chat
    await pipeline.handle(CHAT, TEXT)
    await pipeline.handle(CHAT, consent.EXPORT, trusted=True)
    output = captured.getvalue()
    assert "rasa unavailable" in output
    for secret in [NAME, "zaina.a@example.com", str(CHAT), "0639 12 34 56"]:
        assert secret not in output, secret
