"""A message whose parts open in place: the recommendations as one list with
a "Détails" button per offer, the offer's card shown by editing the list, and
"Retour" bringing the list back (``OutMessage.replace``).

An action sends the list with ``custom.details: [{"title", "text"}]``. The
front keeps the list and its parts (one hash per person, a field per list, so
an older list still opens its own cards) and answers ``!details <list> <n>`` and
``!liste <list>`` itself: no Rasa turn for reading. Only for people whose data
may be kept; the others get the list, then each card as its own message
(nothing kept, so nothing to open later).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from bot import callbacks
from bot.messages import OutMessage
from cnam.keys import person_key
from cnam.store import get_redis

SHOW = "!details"
BACK = "!liste"
BACK_TITLE = "Retour"
GONE = OutMessage(text="Ces détails ne sont plus disponibles. Un conseiller peut vous les redonner.")


def _key(chat_id: int) -> str:
    return person_key("details", chat_id)


async def expand(chat_id: int, messages: list[OutMessage], may_keep: bool) -> list[OutMessage]:
    """Messages with parts get one button per part, the parts kept for ``!details``."""
    expanded: list[OutMessage] = []
    for message in messages:
        if not message.details:
            expanded.append(message)
        elif may_keep:
            expanded.append(await _expanded(chat_id, message))
        else:
            expanded += _spelled_out(message)
    return expanded


def _spelled_out(message: OutMessage) -> list[OutMessage]:
    """The list, then each part in full, the list's buttons under the last one."""
    cards = [text for _, text in message.details]
    return [
        OutMessage(text=message.text, replace=message.replace),
        *(OutMessage(text=text) for text in cards[:-1]),
        OutMessage(text=cards[-1], buttons=message.buttons),
    ]


def _list(list_id: str, kept: dict, replace: bool) -> OutMessage:
    """The list with a button per part first, on one row, then its own buttons."""
    parts = [(title, f"{SHOW} {list_id} {n}") for n, (title, _) in enumerate(kept["details"], 1)]
    return OutMessage(text=kept["text"], buttons=parts + [tuple(b) for b in kept["buttons"]],
                      replace=replace, lead_row=len(parts))


async def _expanded(chat_id: int, message: OutMessage) -> OutMessage:
    list_id = secrets.token_hex(4)
    kept = {"text": message.text, "buttons": message.buttons, "details": message.details}
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(_key(chat_id), list_id, json.dumps(kept, ensure_ascii=False))
        pipe.expire(_key(chat_id), callbacks.TTL_SECONDS)
        await pipe.execute()
    return _list(list_id, kept, message.replace)


async def _kept(chat_id: int, list_id: str) -> dict[str, Any] | None:
    raw = await get_redis().hget(_key(chat_id), list_id)
    return json.loads(raw) if raw else None


async def show(chat_id: int, arg: str) -> list[OutMessage]:
    """``!details <list> <n>``: the list's n-th part, in place, with "Retour"."""
    list_id, _, n = arg.partition(" ")
    kept = await _kept(chat_id, list_id)
    if kept is None or not n.isdigit() or not 1 <= int(n) <= len(kept["details"]):
        return [GONE]
    _, text = kept["details"][int(n) - 1]
    buttons = [(BACK_TITLE, f"{BACK} {list_id}")] + [tuple(b) for b in kept["buttons"]]
    return [OutMessage(text=text, buttons=buttons, replace=True, lead_row=1)]


async def back(chat_id: int, arg: str) -> list[OutMessage]:
    """``!liste <list>``: the list again, in place."""
    kept = await _kept(chat_id, arg)
    return [GONE] if kept is None else [_list(arg, kept, replace=True)]
