"""Lines into Telegram messages of at most 350 characters (the house rule:
one idea a message, no scrolling on a phone), never cutting a line."""

from __future__ import annotations

MAX_MESSAGE = 350


def pack(lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """As few messages as the limit allows; a longer line is cut to the limit."""
    messages: list[str] = []
    for line in lines:
        if messages and len(messages[-1]) + 1 + len(line) <= limit:
            messages[-1] += "\n" + line
        else:
            messages.append(line[:limit])
    return messages
