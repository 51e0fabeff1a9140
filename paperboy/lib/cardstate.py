"""What a paper card shows of one signed-in reader: the extension point every app uses.

A card (``feed/partials.html#card``, root ``<article class="card" data-paper="<pk>">``) is the
same for everyone except its *member parts*: the upvote button's pressed state, a "Save"
toggle, … Each app that puts such a part on the card gives two hooks on its ``AppConfig``:

- ``card_state(user, paper_ids) -> {paper_id: {key: value}}``: the reader's state for a whole
  page of cards, in ONE query (values JSON-able; keys prefixed by nothing, so
  pick distinct ones: feed has ``upvoted``, ``upvotes``, ``arxiv_id``);
- ``card_part(name, paper_id, state, page) -> str``: the HTML of its part ``name`` for one card,
  from ``state`` (every app's state for that paper, merged) and ``page`` (:class:`PagePart`:
  the reader's CSRF token and the page's address). No query, no template rendering: it runs
  once per card on every member's page. A :class:`Stencil` (the part's template rendered once
  per process with stand-ins, filled by joining) keeps the markup in the template at a few
  microseconds a card; ``feed/parts.py`` is the example.

In the card template a part is ``{% load cardparts %}{% cardpart "<app label>:<name>" card %}
…what a visitor sees…{% endcardpart %}``. For a visitor it renders its body inside a marker
(``<!--card <app>:<name> <pk>-->…<!--/card-->``), which the page cache replaces with the
member's HTML when it serves the same cached page to a member (``lib/pagecache.py``); for a
member rendered page it is ``card_part``'s answer at once. Both ways give the same HTML.

:func:`for_reader` gathers every app's state (through the app registry, so this layer names no
app above it, like ``lib.cli.repair``); :func:`part` asks the app that owns a part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from django.apps import apps
from django.utils.html import escape

State = dict[str, Any]


@dataclass(frozen=True)
class PagePart:
    """What a member part may need of the page it is on."""

    csrf_token: str
    next_url: str  # the page's path and query: where a form without JavaScript comes back to


class Stencil:
    """HTML rendered once with stand-ins (``fields``: name -> a stand-in no real value holds),
    filled in by joining: ``fill(name=value, …)``, values already escaped."""

    def __init__(self, rendered: str, fields: dict[str, str]) -> None:
        names = {standin: name for name, standin in fields.items()}
        self.pieces: list[str] = []
        self.slots: list[str] = []
        at = 0
        for found in re.finditer("|".join(map(re.escape, names)), rendered):
            self.pieces.append(rendered[at : found.start()])
            self.slots.append(names[found.group()])
            at = found.end()
        self.tail = rendered[at:]

    def fill(self, **values: str) -> str:
        out: list[str] = []
        for piece, slot in zip(self.pieces, self.slots, strict=True):
            out.append(piece)
            out.append(values[slot])
        out.append(self.tail)
        return "".join(out)


@lru_cache(maxsize=64)
def escaped(text: str) -> str:
    """``escape(text)``, remembered: a page's address goes into every card's form."""
    return escape(text)


def for_reader(
    user, paper_ids: Iterable[int], labels: Iterable[str] | None = None
) -> dict[int, State]:
    """Every app's ``card_state`` for ``user`` (nothing, and no query, for a visitor), merged
    per paper; every asked id has an entry. ``labels``: only these apps' states (those whose
    parts are on the page), in place of every app's."""
    ids = list(dict.fromkeys(paper_ids))
    states: dict[int, State] = {pk: {} for pk in ids}
    if not ids or user is None or not user.is_authenticated:
        return states
    wanted = None if labels is None else set(labels)
    for config in apps.get_app_configs():
        if wanted is not None and config.label not in wanted:
            continue
        hook = getattr(config, "card_state", None)
        if callable(hook):
            for pk, state in hook(user, ids).items():
                if pk in states:
                    states[pk].update(state)
    return states


def part(name: str, paper_id: int, state: State, page: PagePart) -> str:
    """The member's HTML of part ``"<app label>:<name>"`` on the card of ``paper_id``."""
    return renderer(name)(paper_id, state, page)


def renderer(name: str) -> Callable[[int, State, PagePart], str]:
    """``part`` for one part name, its app looked up once (a page has one part per card)."""
    label, _, short = name.partition(":")
    hook = getattr(apps.get_app_config(label), "card_part", None)
    if not callable(hook):
        raise LookupError(f"app {label!r} has no card_part hook for the card part {name!r}")
    return partial(hook, short)


def queries() -> int:
    """How many queries :func:`for_reader` runs for a member: one per app with a
    ``card_state`` hook (the hooks' contract; query budgets in tests count on it)."""
    return sum(callable(getattr(c, "card_state", None)) for c in apps.get_app_configs())
