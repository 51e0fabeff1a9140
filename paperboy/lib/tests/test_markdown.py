"""Markdown rendering and sanitizing (pure), with the XSS corpus comments and organization
descriptions must survive."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from paperboy.lib.markdown import ALLOWED_TAGS, mentions, render

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<div onmouseover="alert(1)">hover</div>',
    '<svg onload=alert(1)><circle r="1"/></svg>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "`<script>alert(1)</script>`",
    "$<script>alert(1)</script>$",
    "$$\n</div><script>alert(1)</script>\n$$",
    "**unclosed *emphasis [link](http://x.org",
    "> > > > > deeply <b onclick=x>quoted",
    "[a]: javascript:alert(1)\n\n[a]",
    "<details open ontoggle=alert(1)>",
    "@<script>alert(1)</script>",
    "&#106;avascript:alert(1)",
    "[x](&#106;avascript:alert(1))",
    # data: URLs
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    # SVG and MathML tricks
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # autolinks, other elements, attribute smuggling
    "<javascript:alert(1)>",
    '<https://example.org/" onmouseover="alert(1)>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<a href='https://example.org' onclick='alert(1)' style='position:fixed'>x</a>",
    "<base href=javascript:/>",
    "[x](java\tscript:alert(1))",
    "[x](java%0ascript:alert(1))",
    "````\n<script>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_safe(html: str) -> None:
    """Only allowed tags; no event-handler attributes; links only to http(s)/mailto."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs and "src" not in attrs
        href = attrs.get("href")
        if href is not None:
            # As a browser reads it: tabs and newlines anywhere, and C0 controls and spaces
            # at the ends, are dropped before the scheme is looked at.
            scheme = urlsplit(re.sub(r"[\t\n\r]", "", href).strip("\x00- ")).scheme
            assert scheme.lower() in ("", "http", "https", "mailto"), href


@pytest.mark.parametrize("source", XSS)
def test_hostile_input_is_neutralised(source):
    html = render(source).html
    assert_safe(html)
    assert "<script" not in html.lower()


def test_markdown_renders_emphasis_lists_code_and_links():
    html = render("*hi* **there**\n\n- one\n- two\n\n`x<y`\n\n[site](https://example.org)").html
    assert "<em>hi</em> <strong>there</strong>" in html
    assert "<li>one</li>" in html
    assert "<code>x&lt;y</code>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener noreferrer">site</a>' in html


def test_math_keeps_its_dollars_for_katex_and_is_not_mangled_by_emphasis():
    html = render("Let $a_1 * b_2 < c$ and\n\n$$\n\\sum_i x_i\n$$").html
    assert '<span class="math inline">$a_1 * b_2 &lt; c$</span>' in html
    assert '<div class="math block">\n$$\\sum_i x_i$$\n</div>' in html
    assert "<em>" not in html


def test_prices_are_not_math():
    assert render("costs $5 and $10").html == "<p>costs $5 and $10</p>\n"


def test_mentions_are_found_outside_code_and_emails():
    assert mentions("hi @alice and @bob. mail me at carol@example.org `@dave`") == [
        "alice",
        "bob",
    ]


def test_known_mentions_become_links_and_unknown_stay_text():
    def url(name):
        return "/u/alice" if name == "alice" else ""

    html = render("@alice @nobody", mention_url=url).html
    assert '<a class="mention" href="/u/alice"' in html
    assert "@nobody" in html and 'href="/u/nobody"' not in html
