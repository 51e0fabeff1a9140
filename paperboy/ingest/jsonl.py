"""Read and write the paper JSONL format (one JSON object per line, plain or gzip). No ORM.

Each line is::

    {"id": "2606.30776", "title": "…", "abstract": "…", "authors": ["…"],
     "categories": ["cs.GT"], "comment": "12 pages" | null, "announced": "2026-07-01"}

plus optional ``version``, ``published_at`` and ``updated_at`` (ISO 8601), ``project_page``,
``github_repo``, ``github_stars`` and ``organization`` (an organization slug). ``announced`` is
the arXiv date; ``published_at``, when present, is the more precise timestamp of the same day.

Reading streams line by line in bounded memory. A bad line never stops the run: it is handed
to ``on_error`` with its line number and reading goes on (without ``on_error`` it is raised).
Two limits keep a hostile file from stopping the run or filling memory: a line longer than
``MAX_LINE_BYTES`` is skipped unread (read on in chunks to its end, never held whole, so a small
gzip of one huge line costs no more memory than a good one), and one nested deeper than
``MAX_DEPTH`` is refused before it is parsed (Python's JSON parser recurses: 100,000 ``[``
would raise a RecursionError).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import IO, Any

from paperboy.ingest.records import PaperRecord
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id

# arXiv listings carry MSC ("68T45, 62H30") and ACM ("I.5.3; I.2.10") classes beside the
# arXiv categories; only archive codes such as cs.CV, stat.ML, hep-th or physics.comp-ph stay.
_ARCHIVES_WITH_SUBJECTS = (
    "cs|math|stat|physics|q-bio|q-fin|econ|eess|astro-ph|cond-mat|nlin|"
    "adap-org|chao-dyn|cmp-lg|comp-gas|patt-sol|solv-int|alg-geom|funct-an|q-alg|dg-ga"
)
_STANDALONE_ARCHIVES = (
    "astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nucl-ex|nucl-th|quant-ph|nlin"
)
_CATEGORY = re.compile(
    rf"^(?:(?:{_ARCHIVES_WITH_SUBJECTS})\.(?:[A-Z]{{2}}|[a-z]+(?:-[a-z]+)*)|{_STANDALONE_ARCHIVES})$"
)


# The longest line read: the largest arXiv record (a ~3,000-author collaboration) is ~150 KB.
MAX_LINE_BYTES = 1 << 20
# The deepest nesting of arrays and objects on a line: a record needs 2.
MAX_DEPTH = 32
# Skipping a line that is too long reads it on in pieces of this size.
_SKIP_CHUNK = 1 << 16


def is_arxiv_category(code: str) -> bool:
    return bool(_CATEGORY.match(code))


def arxiv_categories(values: list[str]) -> list[str]:
    """Keep the arXiv category codes, in order, without duplicates."""
    return list(dict.fromkeys(c.strip() for c in values if is_arxiv_category(c.strip())))


@dataclass
class JsonlRecord(PaperRecord):
    """A PaperRecord plus what only this format carries: the organization's slug."""

    organization: str = ""


class JsonlError(ValueError):
    """A bad line: ``str()`` reads "line 12: 2501.00001: title is empty"."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@contextmanager
def _open_lines(source: str | os.PathLike | IO) -> Iterator[Iterable[bytes | str]]:
    """The lines of ``source``: bytes (decoded line by line by the reader) or, for an open
    text file, str."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        opener = gzip.open if gzipped else open
        with opener(source, "rb") as f:
            yield f
        return
    # An open file: binary (gzip or not) or text.
    if isinstance(source, io.TextIOBase):
        yield source
        return
    buffered = source if hasattr(source, "peek") else io.BufferedReader(source)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        buffered = gzip.GzipFile(fileobj=buffered)
    yield buffered


@dataclass(frozen=True)
class JsonlSource:
    """The records of a JSONL file, as ``read_records`` reads them when iterated. The importer
    reads a large one in a process of its own (``paperboy.ingest.prepare``)."""

    path: str
    on_error: Callable[[JsonlError], None] | None = None

    def __iter__(self) -> Iterator[JsonlRecord]:
        return read_records(self.path, on_error=self.on_error)

    def size(self) -> int:
        """Bytes on disk (0 when the file cannot be read: reading it will say why)."""
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0


def read_records(
    source: str | os.PathLike | IO,
    *,
    on_error: Callable[[JsonlError], None] | None = None,
    max_line_bytes: int | None = None,
) -> Iterator[JsonlRecord]:
    """Yield one record per valid line of ``source`` (a path or an open file, plain or gzip).

    Blank lines are skipped. A bad line is passed to ``on_error`` (``errors.append`` collects
    them) and skipped; with no ``on_error`` it is raised as a JsonlError naming the line. A
    line longer than ``max_line_bytes`` (default ``MAX_LINE_BYTES``; characters for a text
    file) is such a bad line, skipped without being held. A file that cannot be read on (a
    cut-off gzip) ends the records with one such error.
    """
    limit = MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
    with _open_lines(source) as f:
        lines, number = _bounded_lines(f, limit), 0
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except (EOFError, OSError, zlib.error) as e:
                # A cut-off or corrupt gzip: what came before stands; the rest is one failure.
                error = JsonlError(number + 1, f"the file cannot be read from here on ({e})")
                if on_error is None:
                    raise error from None
                on_error(error)
                return
            number += 1
            try:
                if line is None:
                    raise JsonlError(number, f"longer than {limit:,} bytes, the longest line read")
                if not line.strip():
                    continue
                if isinstance(line, bytes):
                    # Decoded line by line: a stray byte costs its own line, not the file.
                    try:
                        line = line.decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise JsonlError(
                            number, f"not valid UTF-8 (byte {line[e.start]:#04x} at {e.start})"
                        ) from None
                yield parse_line(line, number=number)
            except JsonlError as error:
                if on_error is None:
                    raise
                on_error(error)


def _bounded_lines(f: IO, limit: int) -> Iterator[bytes | str | None]:
    """The lines of ``f``, each at most ``limit`` long (plus its newline); a longer line is
    read on to its end in small pieces, dropped, and yielded as None."""
    while line := f.readline(limit + 1):
        if len(line) <= limit or line[-1:] in ("\n", b"\n"):
            yield line
            continue
        while (rest := f.readline(_SKIP_CHUNK)) and rest[-1:] not in ("\n", b"\n"):
            pass
        yield None


# A JSON string (with its escapes) and what is not a bracket, for measuring nesting.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _nested_deeper_than(line: str, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` on ``line`` (brackets inside
    strings do not count)."""
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", line)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def parse_line(line: str, *, number: int = 0) -> JsonlRecord:
    # Counting brackets is cheap; only a line with many of them is measured properly.
    if line.count("[") + line.count("{") > MAX_DEPTH and _nested_deeper_than(line, MAX_DEPTH):
        raise JsonlError(number, f"nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(line)
    except ValueError as e:
        raise JsonlError(number, f"not valid JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(data, dict):
        raise JsonlError(number, "expected a JSON object")
    try:
        return _record(data)
    except (KeyError, TypeError, ValueError) as e:
        message = f"missing field {e}" if isinstance(e, KeyError) else str(e)
        raise JsonlError(number, f"{data.get('id', '?')}: {message}") from None


def _record(data: dict[str, Any]) -> JsonlRecord:
    try:
        parsed = parse_arxiv_id(str(data["id"]))
    except InvalidArxivId as e:
        raise ValueError(str(e)) from None
    title = _text(data, "title", required=True)
    abstract = _text(data, "abstract")
    authors = data.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise ValueError("authors must be a list of names")
    categories = data.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ValueError("categories must be a list of codes")
    published_at = _datetime(data.get("published_at"), "published_at")
    if published_at is None:
        if not data.get("announced"):
            raise ValueError("needs 'announced' (the arXiv date) or 'published_at'")
        try:
            day = date.fromisoformat(str(data["announced"]))
        except ValueError:
            raise ValueError(f"announced {data['announced']!r} is not a YYYY-MM-DD date") from None
        published_at = datetime.combine(day, time(), tzinfo=UTC)
    version = data.get("version") or parsed.version or 1
    stars = data.get("github_stars")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"version {version!r} is not a positive integer")
    if stars is not None and (not isinstance(stars, int) or stars < 0):
        raise ValueError(f"github_stars {stars!r} is not a count")
    return JsonlRecord(
        arxiv_id=parsed.base,
        title=title,
        abstract=abstract,
        authors=authors,
        published_at=published_at,
        version=version,
        updated_at=_datetime(data.get("updated_at"), "updated_at"),
        categories=arxiv_categories(categories),
        comment=_text(data, "comment"),
        project_page=_text(data, "project_page"),
        github_repo=_text(data, "github_repo"),
        github_stars=stars,
        organization=_text(data, "organization"),
    )


def _text(data: dict, key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    if required and not value.strip():
        raise ValueError(f"{key} is empty")
    return value


def _datetime(value: Any, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{key} {value!r} is not an ISO 8601 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def record_to_json(item: Any) -> dict[str, Any]:
    """The JSONL object for a PaperRecord or a papers.Paper (what ``read_records`` reads back).

    Optional fields are written only when they hold something.
    """
    if isinstance(item, PaperRecord):
        authors, categories = list(item.authors), list(item.categories)
        organization = getattr(item, "organization", "")
    else:  # a Paper: prefetch "authorships__author", "categories" for many of them
        authors = item.author_names()
        codes = item.category_codes()
        primary = [item.primary_category] if item.primary_category in codes else []
        categories = primary + [c for c in codes if c not in primary]
        organization = item.organization.slug if item.organization_id else ""
    published = item.published_at.astimezone(UTC)
    data: dict[str, Any] = {
        "id": item.arxiv_id,
        "title": item.title,
        "abstract": item.abstract,
        "authors": authors,
        "categories": categories,
        "comment": item.comment or None,
        "announced": published.date().isoformat(),
    }
    if published.time() != time():
        data["published_at"] = published.isoformat()
    if item.version != 1:
        data["version"] = item.version
    if item.updated_at:
        data["updated_at"] = item.updated_at.astimezone(UTC).isoformat()
    for key in ("project_page", "github_repo"):
        if getattr(item, key):
            data[key] = getattr(item, key)
    if item.github_stars is not None:
        data["github_stars"] = item.github_stars
    if organization:
        data["organization"] = organization
    return data


def write_records(items: Any, dest: str | os.PathLike) -> int:
    """Write records or papers to ``dest`` (gzip when it ends in .gz). Returns the count."""
    path = os.fspath(dest)
    count = 0
    with open(path, "wb") as raw:
        # mtime=0 and no file name in the header: the same records give the same bytes.
        binary = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            if path.endswith(".gz")
            else raw
        )
        with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as f:
            for item in items:
                f.write(json.dumps(record_to_json(item), ensure_ascii=False) + "\n")
                count += 1
    return count
