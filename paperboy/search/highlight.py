"""Mark the searched words in a title or abstract (pure; returns escaped, safe HTML).

Words are matched by the same crude stem the fusion counts coverage with, so "learned"
marks "learning". Text inside math is left alone, so KaTeX still renders it, and LaTeX text
styles (``\\textbf{…}``, ``\\emph{…}``) become bold and italic as on the other cards
(``lib.text.tex_html``).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paperboy.lib.text import WORD, tex_html, tex_typography
from paperboy.search.fusion import stem


def highlight(text: str, terms: tuple[str, ...] | list[str]) -> SafeString:
    stems = {stem(t.lower()) for t in terms if len(t) > 1}

    def marked(run: str) -> str:
        run = tex_typography(run)
        if not stems:
            return escape(run)
        out, pos = [], 0
        for m in WORD.finditer(run):
            if stem(m.group().lower()) in stems:
                out.append(escape(run[pos : m.start()]))
                out.append(f"<mark>{escape(m.group())}</mark>")
                pos = m.end()
        out.append(escape(run[pos:]))
        return "".join(out)

    return mark_safe(tex_html(text or "", text=marked))
