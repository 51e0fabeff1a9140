"""What the library does when the catalog changes (``papers.signals``): the reading list keeps a
copy of each saved paper's arXiv date and title to sort and filter on, refreshed here."""

from __future__ import annotations

from paperboy.library import services


def papers_imported(sender, paper_ids: list[int], bulk: bool = False, **kwargs) -> None:
    """Papers were created or changed by an import: refresh the saved copies of their keys
    (one query when none of them is saved, the common case)."""
    services.refresh_sort_keys(paper_ids)
