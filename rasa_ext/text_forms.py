"""Rewrite a message into plain lowercase French, keeping offsets both ways.

SMS words are expanded ("g" → "j'ai"), elisions are split ("l'info" →
"l' info") so that a tokenizer sees the word, and everything is lowercased,
without accents unless a pipeline with word vectors wants them kept. Each
rewritten piece remembers where it came from, so entity offsets can be moved
onto the normalised text (training) and back onto the user's own text
(inference).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from cnam.text import fold

SMS_FORMS_FILE = Path(__file__).with_name("sms_forms.yml")
_WORD = re.compile(r"[\w@+]+")
_APOSTROPHES = "'’`´"
_ELIDED = {"c", "d", "j", "l", "m", "n", "qu", "s", "t", "jusqu", "lorsqu", "puisqu"}
_SPLIT_ELISION = re.compile(r"\b(" + "|".join(sorted(_ELIDED)) + r")'")


def lower(text: str) -> str:
    """Lowercase and straighten apostrophes, keeping accents; same length as ``text``."""
    return "".join("'" if c in _APOSTROPHES else c.lower()[:1] for c in text)


@cache
def sms_forms(keep_accents: bool = False) -> dict[str, str]:
    data = yaml.safe_load(SMS_FORMS_FILE.read_text(encoding="utf-8"))
    rewrite = lower if keep_accents else fold
    # Expansions get their elisions split like the user's own words.
    return {
        fold(str(key)): _SPLIT_ELISION.sub(r"\1' ", rewrite(value)) for key, value in data.items()
    }


@dataclass(frozen=True)
class NormalizedText:
    """``text`` is ``original`` rewritten; ``pieces`` pair their spans in order."""

    original: str
    text: str
    # (original start, original end, normalised start, normalised end)
    pieces: tuple[tuple[int, int, int, int], ...]

    def to_normalized(self, start: int, end: int) -> tuple[int, int]:
        return self._convert(start, end, source=0, target=2)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self._convert(start, end, source=2, target=0)

    def _convert(self, start: int, end: int, source: int, target: int) -> tuple[int, int]:
        """Widen ``[start, end)`` to whole pieces and return their span on the other side."""
        if not self.pieces or end <= start:
            return start, end
        starts = [piece[source] for piece in self.pieces]
        first = self.pieces[max(bisect.bisect_right(starts, start) - 1, 0)]
        last = self.pieces[max(bisect.bisect_left(starts, end) - 1, 0)]
        return first[target], last[target + 1]


def normalize(text: str, keep_accents: bool = False) -> NormalizedText:
    rewrite = lower if keep_accents else fold
    pieces: list[tuple[int, int, int, int]] = []
    parts: list[str] = []
    length = 0

    def emit(start: int, end: int, rewritten: str) -> None:
        nonlocal length
        pieces.append((start, end, length, length + len(rewritten)))
        parts.append(rewritten)
        length += len(rewritten)

    def emit_chars(start: int, end: int) -> None:
        for i in range(start, end):
            emit(i, i + 1, rewrite(text[i]))

    position = 0
    forms = sms_forms(keep_accents)
    for match in _WORD.finditer(text):
        emit_chars(position, match.start())
        word = fold(match.group())
        elision = match.end() < len(text) and text[match.end()] in _APOSTROPHES
        if elision and word in _ELIDED:
            emit_chars(match.start(), match.end())
            emit(match.end(), match.end() + 1, "' ")
            position = match.end() + 1
            continue
        if word in forms:
            emit(match.start(), match.end(), forms[word])
        else:
            emit_chars(match.start(), match.end())
        position = match.end()
    # finditer may have consumed the apostrophe of a trailing elision already
    emit_chars(max(position, pieces[-1][1] if pieces else 0), len(text))
    return NormalizedText(text, "".join(parts), tuple(pieces))
