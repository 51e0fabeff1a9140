"""tex_html: LaTeX text styles in abstracts as bold/italic, everything else escaped."""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from paperboy.lib.text import tex_html


def test_text_styles_become_tags():
    assert tex_html(r"We \textbf{prove} it, \emph{twice}.") == (
        "We <strong>prove</strong> it, <em>twice</em>."
    )
    assert tex_html(r"\textit{a} \texttt{b} \underline{c} {\bf d} {\em e}") == (
        "<em>a</em> <code>b</code> <u>c</u> <strong>d</strong> <em>e</em>"
    )
    assert tex_html(r"\emph{nested \textbf{both}} end") == (
        "<em>nested <strong>both</strong></em> end"
    )


def test_math_and_plain_braces_stay_as_typed_and_quotes_become_characters():
    assert tex_html(r"\textbf{the $x^{2}$ bound} and $\textbf{v}$") == (
        r"<strong>the $x^{2}$ bound</strong> and $\textbf{v}$"
    )
    assert tex_html("``sets'' {a, b} --- a } b") == "\u201csets\u201d {a, b} \u2014 a } b"


def test_a_style_that_never_closes_is_shown_as_typed():
    assert tex_html(r"open \textbf{never closed") == r"open \textbf{never closed"
    deep = "\\textbf{" * 3000 + "x" + "}" * 3000
    assert tex_html(deep).count("<strong>") == 8  # no recursion without end


def test_markup_in_the_text_is_escaped_inside_and_outside_styles():
    out = tex_html(r'\textbf{<script>alert(1)</script>} <img src=x onerror="y"> & $a<b$')
    assert out == (
        "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> "
        "&lt;img src=x onerror=&quot;y&quot;&gt; &amp; $a&lt;b$"
    )


PIECES = [*'ab <>&"{}$\\', "\\textbf{", "\\emph{", "{\\bf "]


def _letters(text: str) -> str:
    return re.sub(r"[{}\\ ]|textbf|emph|bf", "", text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_only_its_own_tags_come_out_and_the_text_is_kept(value):
    out = tex_html(value)
    tags = re.findall(r"<[^>]*>", out)
    assert set(tags) <= {"<strong>", "</strong>", "<em>", "</em>"}
    assert out.count("<strong>") == out.count("</strong>")
    assert out.count("<em>") == out.count("</em>")
    assert _letters(html.unescape(re.sub(r"<[^>]*>", "", out))) == _letters(value)
