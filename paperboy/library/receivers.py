"""What the library does when something below it changes.

- The catalog (``papers.signals``): the reading list keeps a copy of each saved paper's arXiv
  date and title to sort and filter on, refreshed here.
- A member's upvote (``feed.Upvote``) or organization membership (``accounts.Membership``)
  saved or deleted: their library pages show the upvote on each card and, for an
  organization's collections, whether they may edit them, so the member's page stamp
  (``services.member_scope``, ``lib.memberpage``) is bumped.
"""

from __future__ import annotations

from paperboy.library import services


def papers_imported(sender, paper_ids: list[int], bulk: bool = False, **kwargs) -> None:
    """Papers were created or changed by an import: refresh the saved copies of their keys
    (one query when none of them is saved, the common case)."""
    services.refresh_sort_keys(paper_ids)


def member_row_changed(sender, instance, **kwargs) -> None:
    """An upvote or a membership of ``instance.user_id`` was saved or deleted."""
    services.bump_member_pages(instance.user_id)
