"""The plain data an import passes along, no ORM: the record every source parses into
(``PaperRecord``), an organization as a source names it (``SourceOrganization``), a batch made
ready for writing (``Prepared``), what an import did (``ImportResult``) and the error that
refuses a record (``RecordError``).

Kept free of Django: the process that reads a large JSONL file (``prepare.py``) imports this
module and sends its batches back pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperboy.search.documents import AheadDocuments

# Reasons kept for the report; the count goes on past this.
MAX_FAILURES_KEPT = 1000


@dataclass
class PaperRecord:
    arxiv_id: str  # without version
    title: str
    abstract: str
    authors: list[str]
    published_at: datetime
    version: int = 1
    updated_at: datetime | None = None
    categories: list[str] = field(default_factory=list)
    comment: str = ""
    project_page: str = ""
    github_repo: str = ""
    github_stars: int | None = None


@dataclass(frozen=True)
class SourceOrganization:
    """An organization as a source names it: ``name`` is a handle or any text ("google",
    "Some Lab"; the catalog makes the slug), ``avatar`` a URL not checked yet."""

    name: str
    display_name: str = ""
    avatar: str = ""


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    paper_ids: list[int] = field(default_factory=list, repr=False)  # created or changed

    def __str__(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.failed

    def fail(self, arxiv_id: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append((arxiv_id, reason))

    def add(self, other: ImportResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        room = MAX_FAILURES_KEPT - len(self.failures)
        self.failures += other.failures[: max(room, 0)]


class RecordError(ValueError):
    """A record that cannot be imported; the message says why."""


@dataclass
class Prepared:
    size: int  # records in the batch as read
    records: list[PaperRecord]  # normalised, one per arXiv id
    result: ImportResult  # failures and in-batch duplicates so far
    # Search documents computed ahead (PostgreSQL, read ahead: ``pipeline.documents_ahead``).
    documents: AheadDocuments | None = None
