"""Paper cards: what one card of a list page shows, built for a whole page at once.

A card is a paper; its daily entry (on the day, week, month and trending lists); the
organization it shows (the one tagged on the entry, else the paper's own, or the page's when a
page is an organization's); whether the reader upvoted it; and on trending and search a
"why it's here" line; and the reader's own state on it (``state``: every app's
``card_state`` hook, ``lib/cardstate.py``: feed's upvote, …). ``for_entries`` and ``for_papers``
are the one place cards are built, for every list page (feed, following, author, organization,
search): whatever the list's length, they run one query per app with member state (feed's
upvotes; none for visitors) and at most one per relation
the card shows that the list's QuerySet did not already select (none after
``DailyEntry.objects.for_list()``, ``trending()`` or ``Paper.objects.for_cards()``).

A page that shows more on a card extends ``Card`` (search's highlighted title and abstract).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import prefetch_related_objects

from paperboy.feed.models import DailyEntry
from paperboy.lib import cardstate
from paperboy.papers.models import Organization, Paper

# What ``feed/partials.html#card`` reads beyond the rows' own columns.
ENTRY_RELATIONS = ("paper", "organization", "paper__organization", "submitted_by")
PAPER_RELATIONS = ("organization",)


@dataclass
class Card:
    """What ``feed/partials.html#card`` shows."""

    paper: Paper
    entry: DailyEntry | None = None
    organization: Organization | None = None
    upvoted: bool = False
    why: str = ""
    state: cardstate.State = field(default_factory=dict)  # the reader's, from every app


def for_entries(entries: Iterable[DailyEntry], *, reader) -> list[Card]:
    """Cards for daily entries, in their order: the entry's organization, else the paper's."""
    entries = list(entries)
    prefetch_related_objects(entries, *ENTRY_RELATIONS)
    states = cardstate.for_reader(reader, [e.paper_id for e in entries])
    return [
        Card(
            paper=e.paper,
            entry=e,
            organization=e.shown_organization,
            upvoted=states[e.paper_id].get("upvoted", False),
            state=states[e.paper_id],
        )
        for e in entries
    ]


def for_papers[C: Card](
    papers: Iterable[Paper],
    *,
    reader,
    organization: Organization | None = None,
    card_type: type[C] = Card,
    extra: Callable[[Paper], dict[str, Any]] | None = None,
) -> list[C]:
    """Cards for papers, in their order, without their entries.

    ``organization`` is shown on every card instead of the paper's (an organization's page);
    ``card_type`` is a ``Card`` subclass and ``extra(paper)`` its further fields.
    """
    papers = list(papers)
    prefetch_related_objects(papers, *PAPER_RELATIONS)
    states = cardstate.for_reader(reader, [p.pk for p in papers])
    return [
        card_type(
            paper=p,
            organization=organization or p.organization,
            upvoted=states[p.pk].get("upvoted", False),
            state=states[p.pk],
            **(extra(p) if extra else {}),
        )
        for p in papers
    ]
