"""Log-safe identifiers: a person is never logged by their chat id."""

from __future__ import annotations

import hashlib

from cnam.settings import get_settings


def hash_id(chat_id: int | str) -> str:
    """12 hex chars, stable across runs, salted so it cannot be reversed by lookup."""
    salt = get_settings().rasa_token
    return hashlib.sha256(f"{salt}:{chat_id}".encode()).hexdigest()[:12]
