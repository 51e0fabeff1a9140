"""Citations of papers: BibTeX the way arXiv writes it, RIS and CSL-JSON, for one paper (the
paper page's "Cite" control) or a list (exports).

A paper becomes a ``Work`` (``work_of``), a plain record with its authors in order; the
writers take works and never touch the database. BibTeX is written by ``bibtexparser`` and
RIS by ``rispy``; CSL-JSON is plain JSON. The BibTeX entry is arXiv's own::

    @misc{silva2024publicdatasetzksyncrollup,
      title = {A Public Dataset For the ZKsync Rollup},
      author = {Maria In{\\^e}s Silva and Johnnatan Messias and Benjamin Livshits},
      year = {2024},
      eprint = {2407.18699},
      archivePrefix = {arXiv},
      primaryClass = {cs.CR},
      url = {https://arxiv.org/abs/2407.18699}
    }

with arXiv's key (the first author's last name, the year of the current version and the first
four words of the title that are not stop words) and every text LaTeX-safe (``latex``): the
characters TeX gives a meaning to are escaped, accents become TeX accents, ``$…$`` math is kept.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import bibtexparser
import rispy
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.middlewares.parsestack import default_unparse_stack
from pylatexenc.latexencode import UnicodeToLatexEncoder

FORMATS = {
    # name: (label, file extension, content type)
    "bibtex": ("BibTeX", "bib", "application/x-bibtex; charset=utf-8"),
    "ris": ("RIS", "ris", "application/x-research-info-systems; charset=utf-8"),
    "csl": ("CSL-JSON", "json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
}

# The words arXiv's keys leave out ("Attention Is All You Need" is vaswani2023attentionneed).
_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its
    itself just me most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very via was we were what when where which while who whom
    why will with would you your
"""
# "more" is not one: arXiv keeps it (liang2025lookinsidemoreinternal).
STOP_WORDS = frozenset(_STOP_WORDS.split()) - {"more"}
KEY_WORDS = 4


@dataclass(frozen=True)
class Work:
    """What a citation says about a paper."""

    arxiv_id: str
    version: int
    title: str
    authors: tuple[str, ...]
    published: date  # first version
    updated: date  # current version: arXiv's year
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    abstract: str = ""

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def doi(self) -> str:
        """arXiv's DataCite DOI, which every arXiv paper has."""
        return f"10.48550/arXiv.{self.arxiv_id}"


def work_of(paper) -> Work:
    """The ``Work`` of a ``papers.Paper``; its authors come from ``authorships`` (prefetch
    ``authorships__author`` and ``categories`` for lists)."""
    updated = paper.updated_at or paper.published_at
    return Work(
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        title=paper.title,
        authors=tuple(paper.author_names()),
        published=paper.published_at.date(),
        updated=updated.date(),
        primary_category=paper.primary_category,
        categories=tuple(paper.category_codes()),
        abstract=paper.abstract,
    )


# --- LaTeX ----------------------------------------------------------------------------------


# Scripts TeX has no macro for (CJK, emoji) stay as UTF-8, which biber and XeLaTeX read.
_TEXT = UnicodeToLatexEncoder(
    unknown_char_policy="keep",
    unknown_char_warning=False,
    replacement_latex_protection="braces-all",
)
# In math only what is not ASCII changes (π → \ensuremath{\pi}): the rest is already TeX.
_MATH = UnicodeToLatexEncoder(
    non_ascii_only=True,
    unknown_char_policy="keep",
    unknown_char_warning=False,
    replacement_latex_protection="braces-all",
)
_MATH_SPAN = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)+?(?<!\\)\$", re.DOTALL)


def _balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not escaped


# Text with nothing TeX reads specially and nothing outside ASCII: most names and many titles.
_PLAIN = re.compile(r"[A-Za-z0-9 .,;:'()/!?+=*@|`\-]*")


def latex(text: str) -> str:
    """``text`` as TeX that compiles and balances its braces, whatever it holds: ``$…$`` math
    kept (when its braces balance), everything else escaped (``&`` → ``{\\&}``, ``é`` →
    ``{\\'e}``, ``\\`` → ``{\\textbackslash}``)."""
    text = " ".join(text.split())
    if _PLAIN.fullmatch(text):
        return text
    out: list[str] = []
    position = 0
    for match in _MATH_SPAN.finditer(text):
        math = match.group()
        if not _balanced(math[1:-1]):
            continue  # escaped with the text around it
        out.append(_TEXT.unicode_to_latex(text[position : match.start()]))
        out.append(_MATH.unicode_to_latex(math))
        position = match.end()
    out.append(_TEXT.unicode_to_latex(text[position:]))
    return "".join(out)


@lru_cache(maxsize=50_000)
def _author(name: str) -> str:
    """One name for BibTeX's ``and``-list: a comma or a lone "and" in it would split it."""
    encoded = latex(name)
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + encoded + "}"
    return encoded


# --- Names and keys -------------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def name_parts(name: str) -> tuple[str, str]:
    """(family, given) by BibTeX's rules ("Gerard de Melo" → ("de Melo", "Gerard")); a single
    word is a family name."""
    words = name.split()
    if "{" not in name and "," not in name and all(w[:1].isupper() for w in words):
        # "Ada King Lovelace": no particle, no "Last, First" (most names), no parser needed.
        return (words[-1], " ".join(words[:-1])) if words else (name, "")
    try:
        parts = parse_single_name_into_parts(name.replace("{", "").replace("}", ""), strict=False)
    except Exception:  # noqa: BLE001  (a name it cannot split is kept whole)
        return name, ""
    family = " ".join(parts.von + parts.last)
    given = " ".join(parts.first + parts.jr)
    return (family or name), given


_MATH_IN_KEY = re.compile(r"\$[^$]*\$")
_NOT_KEY = re.compile(r"[^a-z0-9\s\-/]+")
_KEY_SPLIT = re.compile(r"[\s\-/]+")


def _ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words ("Déjà-Vu's" → ["deja", "vus"]), math left out."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = _NOT_KEY.sub("", _MATH_IN_KEY.sub(" ", plain).lower())
    return [w for w in _KEY_SPLIT.split(plain) if w]


def cite_key(work: Work) -> str:
    """arXiv's key: first author's last name, year, four title words that are not stop words."""
    last = ""
    if work.authors:
        family, _ = name_parts(work.authors[0])
        last = "".join(_ascii_words(family.split()[-1] if family.split() else family))
    words = [w for w in _ascii_words(work.title) if w not in STOP_WORDS][:KEY_WORDS]
    return f"{last or 'anonymous'}{work.updated.year}{''.join(words)}"


def _unique_keys(works: list[Work]) -> list[str]:
    """Keys for a list: a key met again gets a, b, c… (as in 2024a), so every entry stays."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for work in works:
        key = cite_key(work)
        count = seen.get(key, 0)
        seen[key] = count + 1
        keys.append(key if count == 0 else f"{key}{_suffix(count)}")
    # A suffixed key could equal another work's own key: suffix until it is new.
    taken: set[str] = set()
    result = []
    for key in keys:
        candidate, n = key, 0
        while candidate in taken:
            n += 1
            candidate = f"{key}{_suffix(n)}"
        taken.add(candidate)
        result.append(candidate)
    return result


def _suffix(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# --- Writers --------------------------------------------------------------------------------


def _bibtex_entry(work: Work, key: str) -> model.Entry:
    fields = [
        ("title", latex(work.title)),
        ("author", " and ".join(_author(a) for a in work.authors)),
        ("year", str(work.updated.year)),
        ("eprint", work.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", work.primary_category),
        ("url", work.url),
    ]
    return model.Entry("misc", key, [model.Field(name, value) for name, value in fields if value])


_BIBTEX_FORMAT = bibtexparser.BibtexFormat()
_BIBTEX_FORMAT.indent = "  "
_BIBTEX_FORMAT.block_separator = "\n"


def bibtex(works: Iterable[Work]) -> str:
    """BibTeX entries for ``works``, in order, each ending with a blank line."""
    works = list(works)
    library = bibtexparser.Library()
    for work, key in zip(works, _unique_keys(works), strict=True):
        library.add(_bibtex_entry(work, key))
    # Values are already TeX; the default unparse stack only adds the enclosing braces.
    # The entries are this call's own: the writer may change them in place instead of copying
    # each one first (deep copies were half the time of a 5,000-paper export).
    text = bibtexparser.write_string(
        library,
        bibtex_format=_BIBTEX_FORMAT,
        unparse_stack=default_unparse_stack(allow_inplace_modification=True),
    )
    return text.strip() + "\n" if text.strip() else ""


def _ris_record(work: Work, key: str, *, abstracts: bool) -> dict:
    record = {
        "type_of_reference": "UNPB",  # RIS has no preprint type; Zotero's "unpublished"
        "id": key,
        "title": work.title,
        "authors": [", ".join(p for p in name_parts(a) if p) for a in work.authors],
        "year": str(work.updated.year),
        "date": work.updated.strftime("%Y/%m/%d"),
        "publisher": "arXiv",
        "doi": work.doi,
        "urls": [work.url],
        "notes": [_arxiv_note(work)],
        "keywords": list(work.categories),
    }
    if abstracts and work.abstract:
        record["abstract"] = " ".join(work.abstract.split())
    return {k: v for k, v in record.items() if v}


def _arxiv_note(work: Work) -> str:
    """arXiv's "Cite as" form, which Zotero also writes into its notes."""
    category = f" [{work.primary_category}]" if work.primary_category else ""
    return f"arXiv:{work.arxiv_id}{category}"


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1.", "2." line it puts before each record, which no
    reference manager writes."""

    def set_header(self, count: int) -> str:
        return ""


def ris(works: Iterable[Work], *, abstracts: bool = False) -> str:
    """RIS records for ``works``, in order."""
    works = list(works)
    records = [
        _ris_record(w, k, abstracts=abstracts)
        for w, k in zip(works, _unique_keys(works), strict=True)
    ]
    return rispy.dumps(records, implementation=_RisWriter) if records else ""


def _csl_item(work: Work, key: str, *, abstracts: bool) -> dict:
    authors = []
    for name in work.authors:
        family, given = name_parts(name)
        authors.append({"family": family, "given": given} if given else {"literal": name})
    day = work.updated
    item = {
        "id": key,
        "type": "article",
        "title": work.title,
        "author": authors,
        "issued": {"date-parts": [[day.year, day.month, day.day]]},
        "publisher": "arXiv",
        "number": f"arXiv:{work.arxiv_id}",
        "DOI": work.doi,
        "URL": work.url,
        "note": _arxiv_note(work),
    }
    if work.categories:
        item["keyword"] = ", ".join(work.categories)
    if abstracts and work.abstract:
        item["abstract"] = " ".join(work.abstract.split())
    return item


def csl_items(works: Iterable[Work], *, abstracts: bool = False) -> list[dict]:
    works = list(works)
    return [
        _csl_item(w, k, abstracts=abstracts)
        for w, k in zip(works, _unique_keys(works), strict=True)
    ]


def csl_json(works: Iterable[Work], *, abstracts: bool = False) -> str:
    """CSL-JSON (an array of items, as Zotero exports it) for ``works``, in order: one item
    indented (the Cite box), or one item per line (json's C encoder, which ``indent`` turns
    off: a 5,000-paper export took twice as long)."""
    items = csl_items(works, abstracts=abstracts)
    if len(items) == 1:
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    return f"[\n{lines}\n]\n" if items else "[]\n"


def render(works: Iterable[Work], fmt: str, *, abstracts: bool = False) -> str:
    """``works`` in the format named ``fmt`` (a key of ``FORMATS``)."""
    if fmt == "bibtex":
        return bibtex(works)
    if fmt == "ris":
        return ris(works, abstracts=abstracts)
    if fmt == "csl":
        return csl_json(works, abstracts=abstracts)
    raise ValueError(f"Unknown citation format {fmt!r}; use one of {', '.join(FORMATS)}.")
