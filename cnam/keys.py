"""The Redis key scheme: ``<prefix>:<kind>:<chat_id>``.

Everything tied to a person ends with their chat id, so that one SCAN
finds all of it (export, erasure). Rasa's tracker store uses the same
prefix (``<prefix>:tracker:<chat_id>``, see ``rasa_ext/stores.py``).
"""

from __future__ import annotations

from cnam.settings import get_settings


def prefix() -> str:
    return get_settings().redis_prefix


def person_key(kind: str, chat_id: str | int) -> str:
    """Key of a record tied to one person: always written with an expiry."""
    return f"{prefix()}:{kind}:{chat_id}"


def shared_key(kind: str, *parts: str | int) -> str:
    """Key shared between people (slots, streams, counters)."""
    tail = ":".join(str(p) for p in parts)
    return f"{prefix()}:{kind}:{tail}" if tail else f"{prefix()}:{kind}"


def person_pattern(chat_id: str | int) -> str:
    """SCAN pattern for every person key of ``chat_id``."""
    return f"{prefix()}:*:{chat_id}"
