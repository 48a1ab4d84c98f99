"""Log-safe identifiers and text: a person is never logged by their chat id,
their words or their phone number.

- ``hash_id(chat_id)``: the pseudonym to log instead of a chat id;
- ``masked(text)``: what to log instead of a message the person wrote;
- ``PersonalDataFilter``: last line of defence, on the handlers: it masks
  phone numbers, e-mail addresses and bot tokens that reached a log record
  anyway (a name cannot be recognised reliably, hence ``masked``). Install
  it with ``install_log_filter()`` once logging is configured.
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback

from cnam.settings import get_settings

PHONE_MASK = "[tél. masqué]"
EMAIL_MASK = "[e-mail masqué]"
TOKEN_MASK = "[jeton masqué]"

# French numbers (0639 12 34 56, 06.39.12.34.56), international ones
# (+262 639 12 34 56, 00262639123456) and bare runs of 9 to 12 digits, which
# catch raw chat ids too. The look-arounds keep longer numbers (millisecond
# timestamps, stream ids) whole, and the hex ids in which digits run on by
# chance (card h063912345678): the ALERT lines must name them.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?:"
    r"(?:\+|00)\s?\d{2,3}(?:[\s.\-]?\d){6,12}"
    r"|0[1-9](?:[\s.\-]?\d{2}){4}"
    r"|\d{9,12}"
    r")(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A Telegram bot token (``123456:AA…``, 35 characters after the colon), as in
# the Bot API URLs that HTTP libraries log.
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,12}:[\w\-]{30,}")


def hash_id(chat_id: int | str) -> str:
    """12 hex chars, stable across runs, salted so it cannot be reversed by lookup."""
    settings = get_settings()
    salt = settings.log_salt or settings.rasa_token
    return hashlib.sha256(f"{salt}:{chat_id}".encode()).hexdigest()[:12]


def redact(text: str) -> str:
    """``text`` with bot tokens, e-mail addresses and phone numbers masked."""
    text = _BOT_TOKEN.sub(TOKEN_MASK, text)
    return _PHONE.sub(PHONE_MASK, _EMAIL.sub(EMAIL_MASK, text))


def masked(text: str) -> str:
    """What to log instead of a person's message: its size only."""
    return f"‹texte masqué, {len(text)} car.›"


class PersonalDataFilter(logging.Filter):
    """Applies ``redact`` to the message, the traceback and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (the root logger by default).

    Handler filters see the records of every child logger too, unlike logger
    filters, so call this after ``logging.basicConfig`` (or Rasa's own set-up).
    """
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
