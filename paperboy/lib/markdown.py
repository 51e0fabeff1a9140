"""Markdown for comments and organization descriptions: CommonMark with $…$ math kept for
KaTeX, @-mentions, and HTML sanitized by nh3. Pure: no ORM, tested without a database.

Raw HTML in the source is never passed through (markdown-it's ``html`` option is off, so
``<script>`` arrives as text); nh3 then cleans what the renderer produced, as a second wall:
only the tags below, links limited to http(s)/mailto and marked ``nofollow ugc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# dollarmath wraps math in <span class="math inline"> / <div class="math block">.
ALLOWED_CLASSES = {
    "a": {"mention", "author"},
    "span": {"math", "inline"},
    "div": {"math", "block"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Usernames as Django allows them, minus "@" (so that an email address is never a mention).
_MENTION = re.compile(r"[\w.+-]{1,150}")
_WORDLIKE = re.compile(r"[\w.+@-]")


@dataclass
class Rendered:
    html: str
    mentions: list[str] = field(default_factory=list)


def _math(content: str, options: dict) -> str:
    # Keep the delimiters: the page's KaTeX auto-render typesets them, as in abstracts.
    if options.get("display_mode"):
        return f"$${escape(content)}$$"
    return f"${escape(content)}$"


def _render_inline_double(self, tokens, idx, options, env) -> str:
    content = _math(tokens[idx].content.strip(), {"display_mode": True})
    return f'<span class="math inline">{content}</span>'


def _mention_rule(state, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@" or (pos > 0 and _WORDLIKE.match(state.src[pos - 1])):
        return False
    match = _MENTION.match(state.src, pos + 1)
    if not match:
        return False
    name = match.group(0).rstrip(".")  # "thanks @alice." ends a sentence
    if not name:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = name
        state.env.setdefault("mentions", [])
        if name not in state.env["mentions"]:
            state.env["mentions"].append(name)
    state.pos = pos + 1 + len(name)
    return True


def _render_mention(self, tokens, idx, options, env) -> str:
    name = tokens[idx].content
    url = env.get("mention_url", lambda _name: "")(name)
    if not url:
        return escape(f"@{name}")
    if name.lower() in env.get("author_names", ()):
        return (
            f'<a class="mention author" href="{escape(url)}" '
            f'title="A verified author of this paper">@{escape(name)}</a>'
        )
    return f'<a class="mention" href="{escape(url)}">@{escape(name)}</a>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        double_inline=True,
        renderer=_math,
    )
    # $$…$$ inside a paragraph: a <span>, since a <div> would break the paragraph apart.
    md.add_render_rule("math_inline_double", _render_inline_double)
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    return md


_MD = _parser()


def mentions(text: str) -> list[str]:
    """The @names in ``text`` (outside code and math), in order, without repeats."""
    env: dict = {}
    _MD.parse(text or "", env)
    return env.get("mentions", [])


def render(
    text: str,
    *,
    mention_url: Callable[[str], str] | None = None,
    author_names: frozenset[str] = frozenset(),
) -> Rendered:
    """Markdown to safe HTML. ``mention_url(name)`` links a mention ("" leaves it as text);
    linked mentions of ``author_names`` (lowercase usernames: the paper's verified authors)
    are marked as such."""
    env: dict = {"mention_url": mention_url or (lambda _name: ""), "author_names": author_names}
    tokens = _MD.parse(text or "", env)
    html = _MD.renderer.render(tokens, _MD.options, env)
    return Rendered(html=sanitize(html), mentions=env.get("mentions", []))


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        clean_content_tags={"script", "style"},
    )
