"""What the fake Bot API checks in a message's format, as Telegram does.

The API error it answers with, the limits (text, caption, callback data),
the HTML a ``parse_mode="HTML"`` text may hold, and the inline keyboards.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "tg-emoji", "blockquote",
}


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _HtmlChecker(HTMLParser):
    """Rejects what Telegram rejects: unknown tags, unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unmatched end tag \"{tag}\"")

    def handle_data(self, data: str) -> None:
        self.plain.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text as the user sees it (HTML checked and removed)."""
    if (parse_mode or "").upper() != "HTML":
        return text
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise ApiError(400, "Bad Request: can't parse entities: unclosed tag")
    return html.unescape("".join(checker.plain))


def check_markup(markup: dict[str, Any] | None) -> None:
    """Every inline button's callback data holds 1 to 64 bytes."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
