"""Import a member's references into their library: a BibTeX, RIS or Zotero CSL-JSON export, or
pasted arXiv ids, arxiv.org links and arXiv DOIs (``10.48550/arXiv.…``).

Three steps, each its own function:

1. ``read`` turns the bytes into ``Reference``s, one per entry in file order, each with the
   arXiv ids found in it (``eprint``, ``url``, ``doi``, ``note`` and the like) and its title,
   or with the reason it could not be read. BibTeX is read by ``bibtexparser``, RIS by
   ``rispy``, CSL-JSON by ``json``. A broken entry never stops the others; a file over the size
   or entry cap (``lib.limits.IMPORT_*``) is refused whole, before anything is written.
2. ``match`` finds each reference's paper: by arXiv id, then by normalised title; ids the
   catalog lacks are fetched from arXiv through ingest (``ingest.fetch``, written by
   ``ingest.importer``) when arXiv answers, and reported otherwise.
3. ``run`` adds the papers found, in file order, to the reading list or a collection through
   ``library.services``, the one door for every write; the same file imported twice adds
   nothing the second time.

The outcome of each entry (matched, fetched, unmatched, with the reason) is an ``Outcome``; the
import page and the API show them.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import bibtexparser
import rispy
from bibtexparser import model
from django.conf import settings
from pylatexenc.latex2text import LatexNodes2Text

from paperboy.ingest import fetch as arxiv_fetch
from paperboy.ingest.arxiv import ArxivError
from paperboy.ingest.importer import import_records
from paperboy.lib import limits
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.library import services
from paperboy.papers.models import Paper
from paperboy.search import engine, lexical

log = logging.getLogger(__name__)
# bibtexparser logs a warning for every broken entry of a member's file; each is reported to
# the member instead (``Reference.error``), so the site's log is spared them.
logging.getLogger("bibtexparser.splitter").setLevel(logging.ERROR)

BIBTEX, RIS, CSL, IDS = "BibTeX", "RIS", "CSL-JSON", "pasted ids"


class Refused(Exception):
    """The whole input is refused (too large, too many entries, not a format we read); the
    message says why and what to do, ``status`` the HTTP status (413 past a cap, else 400).
    Nothing was written."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Reference:
    """One entry of the input."""

    number: int  # its position among the entries, from 1
    label: str  # how the member finds it in their file: key, title or the pasted text
    title: str = ""
    ids: list[tuple[str, str]] = field(default_factory=list)  # (arXiv id, field it came from)
    error: str = ""  # why it could not be read


@dataclass
class Reading:
    """What ``read`` made of an input."""

    format: str
    references: list[Reference]
    notes: list[str] = field(default_factory=list)  # about the whole input (encoding…)


# --- Reading --------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, list[str]]:
    """The text of an upload and notes about it: UTF-8 (with or without BOM); bytes that are
    not UTF-8 become U+FFFD, and the note says so (ids still match, titles may not)."""
    notes = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        bad = text.count("\ufffd")
        notes.append(
            f"The file is not all UTF-8: {bad} byte{'s' if bad != 1 else ''} could not be read "
            "and show as �. Entries are still matched by arXiv id; save the file as UTF-8 "
            "to keep accented titles."
        )
    # NUL and other control characters no database stores (tabs and newlines stay).
    text = "".join(c if c.isprintable() or c in "\t\n\r" else " " for c in text)
    return text, notes


_BIBTEX_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_RIS_START = re.compile(r"^TY  - ", re.MULTILINE)


def detect(text: str) -> str:
    """Which format ``text`` is in, from its content."""
    head = text.lstrip()
    if head.startswith(("[", "{")):
        return CSL
    if _RIS_START.search(text):
        return RIS
    if _BIBTEX_START.search(text):
        return BIBTEX
    return IDS


def read(data: bytes | str) -> Reading:
    """The references in an upload or a paste. Raises ``Refused`` for an empty input or one
    past the size or entry cap; any other problem is a reference's ``error`` (an input that
    cannot be split into entries at all, such as JSON that does not parse, is one entry)."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > limits.IMPORT_MAX_BYTES:
        raise Refused(
            f"The file is {_megabytes(size)}; an import takes at most "
            f"{_megabytes(limits.IMPORT_MAX_BYTES)}. Export a smaller part of your library "
            "(one collection at a time) and import each.",
            413,
        )
    if isinstance(data, str):
        text, notes = decode(data.encode("utf-8", errors="replace"))
    else:
        text, notes = decode(data)
    if not text.strip():
        raise Refused("There is nothing to import: the file or the text is empty.")
    kind = detect(text)
    reader = {BIBTEX: _read_bibtex, RIS: _read_ris, CSL: _read_csl, IDS: _read_ids}[kind]
    references = reader(text)
    if not references:
        references = [_whole(f"No entries were found in this {kind} input.")]
    return Reading(format=kind, references=references, notes=notes)


def _whole(error: str) -> Reference:
    """The one entry of an input that cannot be split into entries, with why."""
    return Reference(number=1, label="the whole input", error=error)


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".0 MB", " MB")


def _check_count(count: int, what: str) -> None:
    if count > limits.IMPORT_MAX_ENTRIES:
        raise Refused(
            f"This input has {count:,} {what}; an import takes at most "
            f"{limits.IMPORT_MAX_ENTRIES:,}. Split it into smaller files and import each.",
            413,
        )


# BibTeX ----------------------------------------------------------------------------------------

_NOT_ENTRIES = {"comment", "string", "preamble"}


def _read_bibtex(text: str) -> list[Reference]:
    starts = [m for m in _BIBTEX_START.finditer(text) if m.group(1).lower() not in _NOT_ENTRIES]
    _check_count(len(starts), "entries")
    library = bibtexparser.parse_string(text)
    references: list[Reference] = []
    for block in library.blocks:
        number = len(references) + 1
        line = (block.start_line or 0) + 1
        if isinstance(block, model.Entry):
            references.append(_bibtex_reference(block, number))
        elif isinstance(block, model.ParsingFailedBlock):
            entry = block.ignore_error_block
            if isinstance(entry, model.Entry):  # a repeated key or field: the entry is whole
                references.append(_bibtex_reference(entry, number))
                continue
            raw = (block.raw or "").strip()
            if raw.lower().startswith(("@comment", "@string", "@preamble")):
                continue
            label = _first_line(raw) or f"line {line}"
            references.append(
                Reference(
                    number=number,
                    label=label,
                    error=f"Line {line}: this entry is not valid BibTeX ({_bibtex_error(block)}).",
                )
            )
    return references


def _bibtex_error(block: model.ParsingFailedBlock) -> str:
    message = str(getattr(block.error, "abort_reason", "") or block.error or "").strip()
    message = message.splitlines()[-1].strip() if message else ""
    return message[:200] or "it could not be parsed"


def _first_line(text: str) -> str:
    return text.splitlines()[0][:120] if text else ""


def _bibtex_reference(entry: model.Entry, number: int) -> Reference:
    values = {f.key.lower(): f.value for f in entry.fields if isinstance(f.value, str)}
    title = plain_title(values.get("title", ""))
    reference = Reference(number=number, label=entry.key or title[:120], title=title)
    prefix = (values.get("archiveprefix") or values.get("eprinttype") or "arxiv").lower()
    if prefix == "arxiv":
        _add_id(reference, values.get("eprint", ""), "eprint", whole=True)
    for name in ("arxivid", "arxiv", "url", "doi", "note", "journal", "journaltitle",
                 "howpublished", "number", "annote", "annotation", "eprint"):  # fmt: skip
        _add_ids_in(reference, values.get(name, ""), name)
    return reference


# RIS -------------------------------------------------------------------------------------------

_RIS_END = re.compile(r"^ER  -", re.MULTILINE)


def _read_ris(text: str) -> list[Reference]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _RIS_START.finditer(text)]
    _check_count(len(starts), "records")
    references = []
    line, counted = 1, 0  # line numbers counted on from the last record, not from the top
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        number = index + 1
        line += text.count("\n", counted, start)
        counted = start
        if not _RIS_END.search(chunk):
            references.append(
                Reference(
                    number=number,
                    label=f"line {line}",
                    error=f"Line {line}: this record has no end (an “ER  -” line) before the "
                    "next one starts.",
                )
            )
            continue
        try:
            records = rispy.loads(chunk, skip_unknown_tags=True)
        except Exception as exc:  # noqa: BLE001  (rispy raises several kinds on bad records)
            references.append(
                Reference(
                    number=number,
                    label=f"line {line}",
                    error=f"Line {line}: this record is not valid RIS ({str(exc)[:200]}).",
                )
            )
            continue
        record = records[0] if records else {}
        references.append(_ris_reference(record, number, line))
    return references


def _ris_reference(record: dict, number: int, line: int) -> Reference:
    title = str(record.get("title") or record.get("primary_title") or "").strip()
    reference = Reference(number=number, label=title[:120] or f"line {line}", title=title)
    for name in ("doi", "urls", "notes", "note", "journal_name", "secondary_title",
                 "alternate_title1", "alternate_title3", "number", "id", "file_attachments1",
                 "file_attachments2", "research_notes"):  # fmt: skip
        value = record.get(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                _add_ids_in(reference, item, name)
    return reference


# CSL-JSON --------------------------------------------------------------------------------------


def _read_csl(text: str) -> list[Reference]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [
            _whole(
                f"This looks like CSL-JSON but is not valid JSON (line {exc.lineno}, column "
                f"{exc.colno}: {exc.msg}). Export it again from your reference manager."
            )
        ]
    except RecursionError:
        return [_whole("This JSON is nested too deeply to be a CSL-JSON export.")]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]  # CSL-JSON wrapped in an object, as some tools write it
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [_whole("CSL-JSON is a list of items; this JSON is not.")]
    _check_count(len(data), "items")
    return [_csl_reference(item, number) for number, item in enumerate(data, start=1)]


def _csl_reference(item: object, number: int) -> Reference:
    if not isinstance(item, dict):
        return Reference(
            number=number,
            label=f"item {number}",
            error=f"Item {number} is not a CSL-JSON object (it is a {type(item).__name__}).",
        )
    title = item.get("title")
    title = title.strip() if isinstance(title, str) else ""
    key = item.get("id") if isinstance(item.get("id"), str) else ""
    label = (title or key or f"item {number}")[:120]
    reference = Reference(number=number, label=label, title=title)
    for name in ("DOI", "URL", "number", "note", "archive_location", "container-title",
                 "publisher-place", "source", "id"):  # fmt: skip
        value = item.get(name)
        if isinstance(value, str | int | float):
            _add_ids_in(reference, str(value), name)
    return reference


# Pasted ids ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\s,;]+")


def _read_ids(text: str) -> list[Reference]:
    tokens = _TOKEN.findall(text)
    _check_count(len(tokens), "ids")
    references = []
    for number, token in enumerate(tokens, start=1):
        reference = Reference(number=number, label=token[:120])
        _add_id(reference, token, "pasted", whole=True)
        if not reference.ids:
            _add_ids_in(reference, token, "pasted")
        if not reference.ids:
            reference.error = (
                f"“{token[:60]}” is not an arXiv id, arxiv.org link or arXiv DOI "
                "(10.48550/arXiv.…)."
            )
        references.append(reference)
    return references


# Ids and titles --------------------------------------------------------------------------------

_ID_IN_TEXT = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/(?P<url>[A-Za-z0-9.\-/]+?)(?:v[0-9]+)?(?:\.pdf)?(?=$|[^A-Za-z0-9.\-/])"
    r"|10\.48550/arxiv\.(?P<doi>[A-Za-z0-9.\-/]+?)(?:v[0-9]+)?(?=$|[^A-Za-z0-9.\-/]|\.(?:$|\s))"
    r"|arxiv\s*:\s*(?P<tag>[A-Za-z0-9.\-/]+?)(?:v[0-9]+)?(?=$|[^A-Za-z0-9.\-/]|\.(?:$|\s))",
    re.IGNORECASE,
)


def _add_id(reference: Reference, value: str, where: str, *, whole: bool = False) -> None:
    value = (value or "").strip().rstrip(".")
    if not value or len(value) > 200:
        return
    try:
        base = parse_arxiv_id(value).base
    except InvalidArxivId:
        return
    if all(existing != base for existing, _ in reference.ids):
        reference.ids.append((base, where))


def _add_ids_in(reference: Reference, text: str, where: str) -> None:
    """The arXiv ids in a free-text field: arxiv.org links, arXiv DOIs, ``arXiv:…`` tags."""
    if not text or "arxiv" not in text.lower():
        return
    for match in _ID_IN_TEXT.finditer(text[:10_000]):
        _add_id(reference, match.group("url") or match.group("doi") or match.group("tag"), where)


_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_LATEX_TEXT = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def plain_title(value: str, *, math_as_text: bool = False) -> str:
    """A BibTeX title as text: TeX accents decoded ({\\'e} → é), protecting braces dropped,
    math kept as written (or as text: ``$\\alpha$`` → α, with ``math_as_text``)."""
    value = " ".join((value or "").split())
    if "\\" in value or "{" in value or (math_as_text and "$" in value):
        try:
            value = (_LATEX_TEXT if math_as_text else _LATEX).latex_to_text(value)
        except Exception:  # noqa: BLE001  (pylatexenc on broken TeX: keep what was written)
            value = value.replace("{", "").replace("}", "")
    return " ".join(value.split())


def title_key(title: str) -> str:
    """A title reduced to compare: letters and digits of each word, accents and case gone,
    math and TeX markup ignored, so "Caf{\\'e}: A $\\alpha$-Study" and "Café: a α-study"
    compare equal."""
    text = plain_title(title, math_as_text=True).replace("$", " ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", text))


# --- Matching ---------------------------------------------------------------------------------

MATCHED, FETCHED, UNMATCHED = "matched", "fetched", "unmatched"


@dataclass
class Outcome:
    """What became of one reference."""

    reference: Reference
    status: str  # MATCHED, FETCHED or UNMATCHED
    reason: str  # how it matched, or why it did not
    paper_id: int | None = None
    arxiv_id: str = ""
    duplicate_of: int | None = None  # the number of the earlier entry with the same paper


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def match(references: list[Reference], *, fetch: bool = True) -> list[Outcome]:
    """Each reference's paper, in input order. ``fetch``: ask arXiv for ids the catalog lacks
    (up to ``limits.IMPORT_MAX_FETCH`` per import)."""
    outcomes: dict[int, Outcome] = {}
    wanted = list(dict.fromkeys(i for r in references if not r.error for i, _ in r.ids))
    found: dict[str, tuple[int, bool]] = {}
    for chunk in _chunks(wanted, 500):
        for arxiv_id, pk, hidden in Paper.objects.filter(arxiv_id__in=chunk).values_list(
            "arxiv_id", "pk", "hidden"
        ):
            found[arxiv_id] = (pk, hidden)
    missing = [i for i in wanted if i not in found]
    fetched, fetch_errors = _fetch(missing) if (fetch and missing) else ({}, {})
    for reference in references:
        if reference.error:
            outcomes[reference.number] = Outcome(reference, UNMATCHED, reference.error)
            continue
        for arxiv_id, where in reference.ids:
            if arxiv_id in found:
                pk, hidden = found[arxiv_id]
                if hidden:
                    continue
                outcomes[reference.number] = Outcome(
                    reference, MATCHED, f"arXiv id {arxiv_id} in {where}", pk, arxiv_id
                )
                break
            if arxiv_id in fetched:
                outcomes[reference.number] = Outcome(
                    reference,
                    FETCHED,
                    f"arXiv id {arxiv_id} in {where}, fetched from arXiv",
                    fetched[arxiv_id],
                    arxiv_id,
                )
                break
    _match_titles([r for r in references if r.number not in outcomes and not r.error], outcomes)
    result = []
    first_of: dict[int, int] = {}
    for reference in references:
        outcome = outcomes.get(reference.number)
        if outcome is None:
            why = _why_unmatched(reference, found, fetch_errors)
            outcome = Outcome(reference, UNMATCHED, why)
        if outcome.paper_id is not None:
            earlier = first_of.setdefault(outcome.paper_id, reference.number)
            if earlier != reference.number:
                outcome.duplicate_of = earlier
                outcome.reason += f"; the same paper as entry {earlier}, added once"
        result.append(outcome)
    return result


def _why_unmatched(reference: Reference, found: dict, fetch_errors: dict) -> str:
    if reference.ids:
        arxiv_id = reference.ids[0][0]
        if arxiv_id in found:
            return f"arXiv paper {arxiv_id} is hidden on this site."
        if arxiv_id in fetch_errors:
            return fetch_errors[arxiv_id]
        return f"arXiv paper {arxiv_id} is not in this site's catalog."
    if reference.title:
        return "No arXiv id in the entry, and no paper in the catalog has this title."
    return "The entry has neither an arXiv id nor a title."


def _match_titles(references: list[Reference], outcomes: dict[int, Outcome]) -> None:
    """Entries without a usable id, by title: first the catalog's exact titles (one query per
    500), then the word index's best hits for the first ``IMPORT_MAX_TITLE_LOOKUPS``."""
    keyed = [(r, title_key(r.title)) for r in references if r.title]
    keyed = [(r, key) for r, key in keyed if len(key) >= 8]
    if not keyed:
        return
    exact: dict[str, int] = {}
    for chunk in _chunks(keyed, 500):
        titles = {r.title for r, _ in chunk} | {plain_title(r.title) for r, _ in chunk}
        for pk, title in (
            Paper.objects.visible().filter(title__in=titles).values_list("pk", "title")
        ):
            exact.setdefault(title_key(title), pk)
    lookups = 0
    for reference, key in keyed:
        pk = exact.get(key)
        if pk is None and lookups < limits.IMPORT_MAX_TITLE_LOOKUPS:
            lookups += 1
            hits = engine.word_candidates(lexical.parse(plain_title(reference.title)), 5) or []
            titles = dict(
                Paper.objects.visible()
                .filter(pk__in=[p for p, _ in hits])
                .values_list("pk", "title")
            )
            pk = next((p for p, _ in hits if title_key(titles.get(p, "")) == key), None)
        if pk is not None:
            arxiv_id = Paper.objects.filter(pk=pk).values_list("arxiv_id", flat=True).first()
            outcomes[reference.number] = Outcome(reference, MATCHED, "same title", pk, arxiv_id)


def _fetch(ids: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Fetch the first ``IMPORT_MAX_FETCH`` of ``ids`` from arXiv into the catalog: (paper pk
    by id, reason by id for those not fetched)."""
    errors: dict[str, str] = {}
    asked, later = ids[: limits.IMPORT_MAX_FETCH], ids[limits.IMPORT_MAX_FETCH :]
    for arxiv_id in later:
        errors[arxiv_id] = (
            f"arXiv paper {arxiv_id} is not in this site's catalog; an import fetches at most "
            f"{limits.IMPORT_MAX_FETCH} papers from arXiv: import the file again to fetch more."
        )
    if not settings.PAPERBOY_ARXIV_API_URL:
        for arxiv_id in asked:
            errors[arxiv_id] = f"arXiv paper {arxiv_id} is not in this site's catalog."
        return {}, errors
    try:
        with arxiv_fetch.default_client() as client:
            feed = client.fetch_feed(asked)
    except ArxivError as exc:
        log.warning("Import: fetching %d ids from arXiv failed: %s", len(asked), exc)
        for arxiv_id in asked:
            errors[arxiv_id] = (
                f"arXiv paper {arxiv_id} is not in this site's catalog, and arXiv could not be "
                "reached to fetch it; import the file again later."
            )
        return {}, errors
    records = [r for r in feed.records if r.arxiv_id in set(asked)]
    result = import_records(records) if records else None
    failed = {arxiv_id for arxiv_id, _ in (result.failures if result else [])}
    fetched = dict(
        Paper.objects.visible()
        .filter(arxiv_id__in=[r.arxiv_id for r in records])
        .values_list("arxiv_id", "pk")
    )
    for arxiv_id in asked:
        if arxiv_id not in fetched:
            errors[arxiv_id] = (
                f"arXiv paper {arxiv_id} could not be stored."
                if arxiv_id in failed
                else f"arXiv has no paper {arxiv_id}."
            )
    return fetched, errors


# --- Running an import ---------------------------------------------------------------------------


@dataclass
class Report:
    """An import's result, for the result page, the API and the CLI."""

    format: str
    outcomes: list[Outcome]
    notes: list[str]
    added: int  # papers newly put on the list or in the collection
    target: str  # "your reading list" or the collection's title

    def with_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def matched(self) -> list[Outcome]:
        return self.with_status(MATCHED)

    @property
    def fetched(self) -> list[Outcome]:
        return self.with_status(FETCHED)

    @property
    def unmatched(self) -> list[Outcome]:
        return self.with_status(UNMATCHED)

    @property
    def paper_ids(self) -> list[int]:
        """The papers found, each once, in input order."""
        return list(dict.fromkeys(o.paper_id for o in self.outcomes if o.paper_id is not None))

    @property
    def summary(self) -> str:
        already = len(self.paper_ids) - self.added
        return (
            f"{len(self.outcomes):,} entries: {len(self.matched):,} matched, "
            f"{len(self.fetched):,} fetched from arXiv, {len(self.unmatched):,} not matched; "
            f"{self.added:,} added to {self.target}"
            + (f", {already:,} already there" if already else "")
            + "."
        )


def run(data: bytes | str, *, member, collection=None, fetch: bool = True) -> Report:
    """Import ``data`` into ``member``'s reading list, or into ``collection`` (which they must
    be able to edit). Raises ``Refused`` (nothing written to the library) for input refused
    whole, and ``services.Refused`` when the list or collection is full or not theirs."""
    if collection is not None and not services.can_edit(collection, member):
        raise services.Refused("There is no such collection.", 404)
    reading = read(data)
    outcomes = match(reading.references, fetch=fetch)
    ids = list(dict.fromkeys(o.paper_id for o in outcomes if o.paper_id is not None))
    if collection is not None:
        added = services.add_items(collection, by=member, paper_ids=ids)
        target = f"the collection “{collection.title}”"
    else:
        added = services.save_many(member=member, paper_ids=ids)
        target = "your reading list"
    return Report(
        format=reading.format, outcomes=outcomes, notes=reading.notes, added=added, target=target
    )
