"""Text clean-up for what sources send us: control characters, stray HTML, hard line breaks."""

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Only tags HTML sources really use: "$a<b$ and $c>d$" in an abstract is math, not markup.
_TAG = re.compile(
    r"</?(?:a|b|i|u|em|strong|sub|sup|p|br|span|div|tt|code|font|small|big|math|mi|mo|mn)"
    r"(?:\s[^<>]{0,200})?/?>",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_text(value: str, *, keep_newlines: bool = False) -> str:
    """Drop control characters and HTML tags, unescape entities, collapse whitespace.

    With ``keep_newlines``, blank lines separate paragraphs and single (hard-wrapped) line
    breaks become spaces, which is how arXiv abstracts are meant to read.
    """
    value = _CONTROL.sub("", value or "")
    value = html.unescape(_TAG.sub("", value))
    if not keep_newlines:
        return _SPACES.sub(" ", value.replace("\n", " ")).strip()
    paragraphs = re.split(r"\n\s*\n", value.replace("\r\n", "\n"))
    cleaned = [_SPACES.sub(" ", p.replace("\n", " ")).strip() for p in paragraphs]
    return "\n\n".join(p for p in cleaned if p)
