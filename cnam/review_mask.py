"""What an adviser may read of a misread message: names, phone numbers and
e-mail addresses replaced by a placeholder, before anything is stored.

Names are those the conversation knows (the first-name slots and entities)
and those introduced by the usual phrasings ("je m'appelle Zaïnaba",
"moi c'est Ali Madi"). Placeholders are in guillemets, which Rasa's training
format does not use (square brackets mark entities there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME, PHONE, EMAIL = "«prénom»", "«téléphone»", "«e-mail»"
PLACEHOLDERS = (NAME, PHONE, EMAIL)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Eight digits or more, with the separators people type between them.
_PHONE = re.compile(r"\+?\d(?:[\s.\-/]?\d){7,}")
_INTRODUCED = re.compile(
    r"\b((?i:je m'?\s?appel+e?s?|j'?m'?appel+e?|moi c'?\s?(?:est)?|mon (?:pré)?nom (?:est|c'?\s?est)))"
    r"\s+([A-ZÀ-Ýa-zà-ÿ][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?)"
)


def mask(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with every name in ``names``, phone number and e-mail masked."""
    masked = _EMAIL.sub(EMAIL, text)
    masked = _PHONE.sub(PHONE, masked)
    masked = _INTRODUCED.sub(lambda m: f"{m.group(1)} {NAME}", masked)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) > 1}, key=len, reverse=True):
        for part in [name, *name.split()]:
            if len(part) > 1:
                masked = re.sub(rf"(?i)(?<!\w){re.escape(part)}(?!\w)", NAME, masked)
    return masked
