"""Text clean-up: what sources send us (control characters, stray HTML, hard line breaks) and
what people type (``clean_input``: the one check every text input goes through)."""

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# NUL: PostgreSQL cannot store it (SQLite would, and hand it back to every reader); a lone
# surrogate (a JSON "\\ud800") has no UTF-8 form, so neither database can take it.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# Other control characters in typed text: dropped, except tab and line breaks.
_TYPED_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadInput(ValueError):
    """Typed text that cannot be stored as it is; ``str(exc)`` says why, for the person."""


def unstorable(value: str) -> str:
    """What ``value`` holds that no database can store ("a NUL character", "an invalid
    character"), or "" when it holds nothing of the kind."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return ""
    return "a NUL character" if found.group() == "\x00" else "an invalid character"


def clean_input(value: str, *, name: str = "The text") -> str:
    """What a person typed (a comment, a name, a query), ready to store and to search with on
    either database: a NUL character or a lone surrogate is refused (``BadInput``, whose
    message starts with ``name``); other control characters are dropped, tabs and line breaks
    kept. Nothing else changes: stripping and length checks are the caller's."""
    if value.isprintable():  # the common case: no control character at all
        return value
    what = unstorable(value)
    if what:
        raise BadInput(f"{name} contains {what}, which cannot be stored; remove it.")
    return _TYPED_CONTROL.sub("", value)


# Only tags HTML sources really use, with attributes that look like attributes:
# "$a<b$ and $c>d$" or "$a<b \leq c$ and $d>e$" in an abstract is math, not markup.
_TAG = re.compile(
    r"</?(?:a|b|i|u|em|strong|sub|sup|p|br|span|div|tt|code|font|small|big|math|mi|mo|mn)"
    r"""(?:\s+[a-z][a-z0-9:-]*(?:\s*=\s*(?:"[^"<>]{0,300}"|'[^'<>]{0,300}'|[^\s"'<>$]{1,300}))?)*"""
    r"\s*/?>",
    re.IGNORECASE,
)
_TAG_NAME = re.compile(r"</?([a-z]+)", re.IGNORECASE)
# Tags that separate words; the others sit inside a word ("H<sub>2</sub>O").
_BREAKING_TAGS = {"br": "\n", "p": "\n\n", "div": "\n\n"}
# arXiv starts a new paragraph with an indented line; a blank line does it everywhere.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n|[ \t]+(?=\S))")


def clean_text(value: str, *, keep_newlines: bool = False) -> str:
    """Drop control characters and HTML tags, unescape entities, collapse whitespace.

    With ``keep_newlines``, blank lines and indented lines start paragraphs (arXiv marks them
    by indenting) and single (hard-wrapped) line breaks become spaces, which is how arXiv
    abstracts are meant to read.
    """
    if not value:
        return ""
    if value.isprintable() and "<" not in value and "&" not in value and "  " not in value:
        # Nothing to drop, unescape or collapse (isprintable() is False for every control
        # character and line break): the common case of a name or a one-line title, many
        # times faster than the regular expressions below, with the same result.
        return value.strip()
    return _clean(value, keep_newlines)


def _clean(value: str, keep_newlines: bool) -> str:
    value = _CONTROL.sub("", value)
    if "<" in value:
        value = _TAG.sub(_replace_tag, value)
    if "&" in value:
        value = html.unescape(value)
    if not keep_newlines:
        return _collapse(value)
    paragraphs = _PARAGRAPH_BREAK.split(value.replace("\r\n", "\n").strip())
    cleaned = [_collapse(p) for p in paragraphs]
    return "\n\n".join(p for p in cleaned if p)


def _collapse(value: str) -> str:
    """Runs of ASCII whitespace (line breaks included) as one space, stripped: what
    ``re.sub(r"[ \\t\\r\\f\\v]+", " ", value.replace("\\n", " ")).strip()`` gives, without a
    regular expression that stops at every single space (most of an import's clean-up time)."""
    for char in "\n\t\r\f\v":
        if char in value:
            value = value.replace(char, " ")
    return " ".join(filter(None, value.split(" "))).strip()


def _replace_tag(match: re.Match[str]) -> str:
    name = _TAG_NAME.match(match.group(0))
    return _BREAKING_TAGS.get(name.group(1).lower(), "") if name else ""


# Math stays as typed: KaTeX renders it in the browser ($…$, $$…$$, \(…\), \[…\]).
_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\])", re.DOTALL)
_TEX_MARKS = [
    (re.compile(r"``"), "\u201c"),  # ``quoted'' -> “quoted”
    (re.compile(r"''"), "\u201d"),
    (re.compile(r"(?<=[\w\s])---(?=[\w\s])"), "\u2014"),  # em dash
    (re.compile(r"(?<=\w)--(?=\w)"), "\u2013"),  # en dash: 2019--2021, question--answer
    (re.compile(r"(?<= )--(?= )"), "\u2013"),  # spaced dash
]


def tex_typography(value: str) -> str:
    """The LaTeX text marks arXiv abstracts are typed with, as the characters they stand for.

    ````quoted''`` becomes “quoted”, ``---`` an em dash and ``--`` between words an en dash;
    math segments are left alone (``$f''(x)$`` keeps its primes) and so is a command-line
    ``--flag``.
    """
    parts = _MATH.split(value or "")
    for i in range(0, len(parts), 2):  # even parts are text, odd parts math
        for pattern, replacement in _TEX_MARKS:
            parts[i] = pattern.sub(replacement, parts[i])
    return "".join(parts)


# The LaTeX text styles abstracts are typed with, as the only tags ``tex_html`` writes.
_STYLE_TAGS = {
    "textbf": "strong",
    "bf": "strong",
    "textit": "em",
    "textsl": "em",
    "emph": "em",
    "it": "em",
    "em": "em",
    "sl": "em",
    "texttt": "code",
    "tt": "code",
    "underline": "u",
}
_TEX_TOKEN = re.compile(
    r"(?P<math>\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\])"
    r"|\\(?P<command>textbf|textit|textsl|emph|texttt|underline)\s*\{"
    r"|\{\\(?P<switch>bf|it|em|sl|tt)(?![A-Za-z])\s*"
    r"|(?P<open>\{)|(?P<close>\})",
    re.DOTALL,
)


def tex_html(value: str, *, text=None) -> str:
    """An abstract or title as HTML: ``\\textbf{…}``, ``\\emph{…}``, ``\\textit{…}``,
    ``\\texttt{…}``, ``\\underline{…}`` and ``{\\bf …}``-style switches as ``<strong>``,
    ``<em>``, ``<code>``, ``<u>``; everything else escaped (math kept for KaTeX, the text
    marks of ``tex_typography`` as characters). ``text`` turns a run of plain text into HTML
    (it must escape it; the default escapes and applies ``tex_typography``): the search page
    marks the searched words with it. A style that never closes is shown as typed.
    """
    from django.utils.html import escape

    if text is None:

        def text(run: str) -> str:
            return escape(tex_typography(run))

    out, _ = _tex_run(value or "", 0, text, escape, closing=False, level=0)
    return "".join(out)


_MAX_STYLE_NESTING = 8  # deeper styles are shown as typed (no recursion without end)


def _tex_run(
    value: str, pos: int, text, escape, *, closing: bool, level: int
) -> tuple[list[str], int]:
    """HTML for ``value[pos:]`` up to the ``}`` that closes the current style (when
    ``closing``); returns the pieces and the position after that brace (-1: never closed)."""
    out: list[str] = []
    depth = 0  # plain braces opened inside this run, kept as typed
    start = pos
    for match in _TEX_TOKEN.finditer(value, pos):
        if match.start() < start:
            continue  # inside a style already handled
        if match.start() > start:
            out.append(text(value[start : match.start()]))
        kind = match.lastgroup
        start = match.end()
        if kind == "math":
            out.append(escape(match.group()))
        elif kind in ("command", "switch") and level < _MAX_STYLE_NESTING:
            tag = _STYLE_TAGS[match.group(kind)]
            inner, end = _tex_run(value, match.end(), text, escape, closing=True, level=level + 1)
            if end < 0:  # never closed: the macro as typed, then what followed it
                out.append(escape(match.group()))
                out.extend(inner)
                return out, -1 if closing else len(value)
            out.append(f"<{tag}>{''.join(inner)}</{tag}>")
            start = end
        elif kind in ("command", "switch", "open"):
            depth += 1
            out.append(escape(match.group()))
        elif depth:
            depth -= 1
            out.append("}")
        elif closing:
            return out, match.end()
        else:
            out.append("}")
    if start < len(value):
        out.append(text(value[start:]))
    return out, -1 if closing else len(value)


# A word: a run of letters or digits in any script (no underscore, no punctuation). The one
# definition the search query parser, its overlap counts and its highlighting share.
WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of ``text`` in lower case, in order (``WORD``)."""
    return WORD.findall((text or "").lower())
