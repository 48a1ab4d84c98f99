"""What the assistant says, independent of the transport (Telegram, terminal).

Built from Rasa's REST answers. Besides ``text``/``buttons``, an action can
send ``json_message`` (Rasa's ``custom``) with any of:

- ``text`` and ``buttons`` (same shapes as Rasa's),
- ``document: {"filename", "content_b64"}``: a file to send,
- ``request_contact: "<button label>"``: ask for the phone number with
  Telegram's "share my contact" button,
- ``edit: true``: this message replaces the one whose button was pressed
  (on Telegram the pressed message is edited; elsewhere it is shown anew),
- ``details: [{"title", "text"}]``: parts that open in place from this
  message, one button each (``bot/details.py``).

Rasa sends ``text`` and ``custom`` of one utterance as two REST messages, so
an action that needs both in one message puts the text inside ``custom``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes


@dataclass
class OutMessage:
    text: str = ""
    # (title shown, payload sent back when pressed)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    document: Document | None = None
    # Label of a "share my phone number" button; None when not asked.
    request_contact: str | None = None
    # Replaces the message whose button was pressed instead of following it.
    replace: bool = False
    # (button title, text) of each part that opens in place (bot/details.py).
    details: list[tuple[str, str]] = field(default_factory=list)
    # How many leading buttons share the first row (the details' "1 2 3").
    lead_row: int = 0
    # Says all the pressed question still said (consent → "Merci !"): may take
    # its place when both do not fit in one message (bot/render.py).
    settles: bool = False

    def is_empty(self) -> bool:
        return not (self.text or self.buttons or self.document)


def _buttons(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, list):
        return []
    return [
        (str(b["title"]), str(b["payload"]))
        for b in raw
        if isinstance(b, dict) and b.get("title") and b.get("payload")
    ]


def _details(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, list):
        return []
    return [
        (str(d["title"]), str(d["text"]))
        for d in raw
        if isinstance(d, dict) and d.get("title") and d.get("text")
    ]


def _document(raw: Any) -> Document | None:
    if not isinstance(raw, dict):
        return None
    try:
        content = base64.b64decode(raw["content_b64"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        log.warning("custom.document ignored: missing or invalid content_b64")
        return None
    return Document(
        filename=str(raw.get("filename") or "document"),
        content=content,
    )


def from_rasa(reply: dict[str, Any]) -> OutMessage | None:
    """One REST answer of Rasa → an OutMessage (None when it carries nothing)."""
    custom = reply.get("custom") if isinstance(reply.get("custom"), dict) else {}
    contact = custom.get("request_contact")
    message = OutMessage(
        text=str(reply.get("text") or custom.get("text") or ""),
        buttons=_buttons(reply.get("buttons")) or _buttons(custom.get("buttons")),
        document=_document(custom.get("document")),
        request_contact=str(contact) if contact else None,
        replace=custom.get("edit") is True,
        details=_details(custom.get("details")),
    )
    return None if message.is_empty() and not message.request_contact else message
