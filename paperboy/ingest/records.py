"""The plain record every source parses into, before the importer writes it (no ORM here)."""

from dataclasses import dataclass, field
from datetime import datetime


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
