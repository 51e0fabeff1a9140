"""Mark the searched words in a title or abstract (pure; returns escaped, safe HTML).

Words are matched by the same crude stem the fusion counts coverage with, so "learned"
marks "learning". Text inside ``$…$`` math is left alone, so KaTeX still renders it.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paperboy.lib.text import WORD
from paperboy.search.fusion import stem

_MATH = re.compile(r"(\$[^$]*\$)")


def highlight(text: str, terms: tuple[str, ...] | list[str]) -> SafeString:
    stems = {stem(t.lower()) for t in terms if len(t) > 1}
    if not stems:
        return mark_safe(escape(text))
    out = []
    for i, part in enumerate(_MATH.split(text or "")):
        if i % 2:  # a math span
            out.append(escape(part))
            continue
        pos = 0
        for m in WORD.finditer(part):
            if stem(m.group().lower()) in stems:
                out.append(escape(part[pos : m.start()]))
                out.append(f"<mark>{escape(m.group())}</mark>")
                pos = m.end()
        out.append(escape(part[pos:]))
    return mark_safe("".join(out))
