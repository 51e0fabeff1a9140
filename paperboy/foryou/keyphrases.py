"""The keyphrases two papers share (their ``ai_keywords``), for a recommendation's reason:
"Like “X” — both on sparse attention and long context".

Phrases match after light normalisation: Unicode compatibility form, case folded, hyphens and
underscores as spaces, punctuation trimmed from the ends, runs of spaces as one, and a plural
``s`` dropped from the last word ("Graph Neural Networks" is "graph neural network"). Shared
phrases are named as the recommended paper words them, in its order (its best first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_SHARED = 2  # phrases named in one reason
_SEPARATORS = re.compile(r"[\s\-_‐-―/]+")
_EDGES = "\"'“”‘’.,;:!?()[]{}<>*"


def normalise(phrase: object) -> str:
    """The form two phrases are compared in ("" for what is not text or has no letters)."""
    if not isinstance(phrase, str):
        return ""
    text = unicodedata.normalize("NFKC", phrase).casefold()
    words = [w.strip(_EDGES) for w in _SEPARATORS.split(text)]
    words = [w for w in words if w]
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words) if any(c.isalnum() for c in "".join(words)) else ""


def shared(mine: Iterable[object] | None, theirs: Iterable[object] | None) -> list[str]:
    """Up to ``MAX_SHARED`` of ``mine`` (as written, in order) that ``theirs`` also has."""
    if not mine or not theirs or isinstance(mine, str) or isinstance(theirs, str):
        return []
    others = {normalise(p) for p in theirs} - {""}
    out: list[str] = []
    taken: set[str] = set()
    for phrase in mine:
        key = normalise(phrase)
        if key and key in others and key not in taken:
            taken.add(key)
            out.append(" ".join(str(phrase).split()))
            if len(out) == MAX_SHARED:
                break
    return out


def both_on(phrases: list[str]) -> str:
    """The reason's tail: "" or " — both on a" or " — both on a and b"."""
    return f" — both on {' and '.join(phrases)}" if phrases else ""
