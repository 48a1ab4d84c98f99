"""Bot API calls per turn, by method, as the fake Bot API received them, and the ceiling they imply.

Telegram lets one bot make about ``FLOOD_LIMIT`` calls per second that name a
chat (messages, edits, "typing…"), whatever the front does; answering a button
press (answerCallbackQuery) is not counted. So the turns per second the bot can
carry on Telegram are ``FLOOD_LIMIT`` divided by the limited calls each turn
makes. The counts come from what the fake received during a run, not from what
the front is expected to send: the front changes, the count follows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

FLOOD_LIMIT = 30.0  # calls/s for one bot, Telegram's FAQ
# Shown in this order in the report; any other chat method is counted too.
METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendChatAction",
           "sendDocument", "answerCallbackQuery")
NOT_LIMITED = {"answerCallbackQuery"}
# Calls about the bot itself, not a turn's: left out of the per-turn figures.
BOT_LEVEL = {"getUpdates", "getMe", "setMyCommands", "getMyCommands", "deleteMyCommands",
             "setWebhook", "deleteWebhook", "getWebhookInfo", "close", "logOut"}


def since(now: Counter[str], before: Counter[str]) -> dict[str, int]:
    """The chat calls made between two readings of the fake's ``method_counts``."""
    return {m: n for m, n in (now - before).items() if m not in BOT_LEVEL}


def limited(calls: dict[str, int]) -> int:
    return sum(n for m, n in calls.items() if m not in NOT_LIMITED)


def per_turn(calls: dict[str, int], turns: int) -> dict[str, Any]:
    """Calls per turn by method, the limited ones in all, and the ceiling they imply."""
    if not turns:
        return {}
    by_method = {m: round(n / turns, 3) for m, n in sorted(calls.items())}
    limited_per_turn = limited(calls) / turns
    return {
        "by_method": by_method,
        "limited": round(limited_per_turn, 3),
        "ceiling_turns_s": round(FLOOD_LIMIT / limited_per_turn, 1) if limited_per_turn else None,
    }
