"""Button payloads behind short tokens (Telegram's callback_data is ≤ 64 bytes).

One hash per person, ``person_key("cb", chat_id)``:

- ``t:<token>`` → payload, looked up for that chat only, so a token forged
  or taken from another chat resolves to nothing;
- ``p:<payload>`` → token, so the same payload reuses its token and the hash
  stays as small as the set of distinct buttons the person was shown;
- ``m:<message_id>`` → 1 once a keyboard was pressed (a second press of
  the same keyboard is ignored), or ``v:<version>`` when the message was
  edited to show a new keyboard (``rearm``): only a press on that version
  counts, so a double tap on the old keyboard still counts once.

The hash expires 14 days after the last button shown. The advisers' group
has one too (``group=True``: its chat id, always in Redis since no person's
consent applies to it, and the prefix ``ADVISERS_PREFIX`` so that its
buttons never reach the person's handlers). For someone whose data may not
be kept (refused, minor, not decided yet) the same fields live
in this process's memory instead: their buttons work, and Redis holds nothing
about them but the consent decision.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from cnam.keys import person_key
from cnam.privacy import may_keep_data
from cnam.store import get_redis

TTL_SECONDS = 14 * 24 * 3600
# Namespaces the front's callback data; the advisers' buttons use their own.
DATA_PREFIX = "b:"
ADVISERS_PREFIX = "a:"
# Chats whose buttons are kept in memory; the oldest go first beyond this.
MAX_MEMORY_CHATS = 10_000
MEMORY: dict[int, dict[str, str]] = {}


def _key(chat_id: int) -> str:
    return person_key("cb", chat_id)


async def tokenize(chat_id: int, payloads: Sequence[str], *, group: bool = False) -> list[str]:
    """Callback data for each payload, in order (``group``: the advisers' group's buttons)."""
    if not payloads:
        return []
    redis = get_redis()
    prefix = ADVISERS_PREFIX if group else DATA_PREFIX
    if not group and not await may_keep_data(redis, chat_id):
        return _tokenize_in_memory(chat_id, payloads)
    key = _key(chat_id)
    known = await redis.hmget(key, [f"p:{p}" for p in payloads])
    tokens: list[str] = []
    new: dict[str, str] = {}
    for payload, token in zip(payloads, known, strict=True):
        if token is None:
            token = new.get(f"p:{payload}") or secrets.token_urlsafe(9)
            new[f"p:{payload}"] = token
            new[f"t:{token}"] = payload
        tokens.append(prefix + token)
    async with redis.pipeline(transaction=True) as pipe:
        if new:
            pipe.hset(key, mapping=new)
        pipe.expire(key, TTL_SECONDS)
        await pipe.execute()
    return tokens


def _in_memory(chat_id: int) -> dict[str, str]:
    fields = MEMORY.pop(chat_id, {})
    if len(MEMORY) >= MAX_MEMORY_CHATS:
        MEMORY.pop(next(iter(MEMORY)))
    MEMORY[chat_id] = fields  # last used goes last: the first is the oldest
    return fields


def _tokenize_in_memory(chat_id: int, payloads: Sequence[str]) -> list[str]:
    fields = _in_memory(chat_id)
    tokens = []
    for payload in payloads:
        token = fields.get(f"p:{payload}")
        if token is None:
            token = secrets.token_urlsafe(9)
            fields[f"p:{payload}"] = token
            fields[f"t:{token}"] = payload
        tokens.append(DATA_PREFIX + token)
    return tokens


async def resolve(chat_id: int, data: str, *, group: bool = False) -> str | None:
    """The payload behind callback data pressed in ``chat_id``, or None if not valid here."""
    prefix = ADVISERS_PREFIX if group else DATA_PREFIX
    if not data.startswith(prefix):
        return None
    field = f"t:{data.removeprefix(prefix)}"
    payload = await get_redis().hget(_key(chat_id), field)
    if group:
        return payload
    return payload if payload is not None else MEMORY.get(chat_id, {}).get(field)


# KEYS: the chat's hash. ARGV: the message's field, the pressed version's mark, the TTL.
_FIRST_PRESS = """
local mark = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if mark and mark ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], 1)
return 1
"""


async def first_press(chat_id: int, message_id: int, version: str = "") -> bool:
    """True the first time a keyboard of this message is pressed; ``version``
    names the keyboard pressed (``bot.render.version``), for a rearmed message."""
    field, mark = f"m:{message_id}", f"v:{version}"
    if chat_id in MEMORY:
        fields = _in_memory(chat_id)
        first = fields.get(field, mark) == mark
        fields[field] = "1"
        return first
    created = await get_redis().eval(_FIRST_PRESS, 1, _key(chat_id), field, mark, TTL_SECONDS)
    return bool(created)


async def rearm(chat_id: int, message_id: int, version: str) -> None:
    """The message now shows a new keyboard (``version``): its next press counts."""
    field, mark = f"m:{message_id}", f"v:{version}"
    if chat_id in MEMORY or not await may_keep_data(get_redis(), chat_id):
        _in_memory(chat_id)[field] = mark
        return
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.hset(_key(chat_id), field, mark)
        pipe.expire(_key(chat_id), TTL_SECONDS)
        await pipe.execute()
