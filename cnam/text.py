"""Comparing what people type: lower case, no accents, straight apostrophes.

``fold`` is the one folding of the project (NLU components, form answers,
dates, discovery keywords). It keeps the length of the text, character for
character, so that entity offsets found on the folded text are valid on the
person's own words.
"""

from __future__ import annotations

import unicodedata

_APOSTROPHES = "’`´"


def fold(text: str) -> str:
    """Lowercase, accents stripped, apostrophes straightened; same length as ``text``."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[:1] or char
        out.append("'" if base in _APOSTROPHES else base.lower()[:1])
    return "".join(out)


def plain(text: str) -> str:
    """``fold``, with one space between words and none at the ends."""
    return " ".join(fold(text).split())
