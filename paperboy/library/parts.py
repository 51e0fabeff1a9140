"""The library's member part of a paper card (the ``lib/cardstate.py`` hooks of
``LibraryConfig``): the "Save" toggle.

``card_state``: for a page of cards, in one query, which of them the reader saved.
``card_part("save")``: the toggle of ``library/partials.html#save``, rendered once per process
per state with stand-ins, then filled in one pass by ``lib.cardstate.Stencil`` (no template
rendering per card; a value that happens to hold another stand-in is never filled again).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from django.template.loader import get_template

from paperboy.lib.cardstate import PagePart, State, Stencil, escaped
from paperboy.library import services

# Stand-ins no real value contains (letters only, so URL quoting and escaping keep them).
_PK, _NEXT, _TOKEN = "987654321", "zqNextUrlqz", "zqCsrfTokenqz"


def card_state(user, paper_ids: list[int]) -> dict[int, State]:
    saved = services.saved_ids(user, paper_ids)
    return {pk: {"saved": pk in saved} for pk in paper_ids}


@cache
def _save_form(saved: bool) -> Stencil:
    rendered = get_template("library/partials.html#save").render(
        {
            "paper": SimpleNamespace(pk=int(_PK)),
            "saved": saved,
            "next_url": _NEXT,
            "csrf_token": _TOKEN,
            "request": SimpleNamespace(
                user=SimpleNamespace(is_authenticated=True), get_full_path=lambda: _NEXT
            ),
        }
    )
    return Stencil(rendered, {"pk": _PK, "next": _NEXT, "token": _TOKEN})


def save_form(*, paper_id: int, saved: bool, page: PagePart) -> str:
    """``library/partials.html#save`` as a signed-in member sees it, without rendering it."""
    return _save_form(bool(saved)).fill(
        pk=str(int(paper_id)), next=escaped(page.next_url), token=page.csrf_token
    )


@cache
def _paper_box(saved: bool) -> Stencil:
    rendered = get_template("library/paper_box.html").render(
        {
            "paper": SimpleNamespace(pk=int(_PK), get_absolute_url=_NEXT),
            "saved": saved,
            "csrf_token": _TOKEN,
            "request": SimpleNamespace(
                user=SimpleNamespace(is_authenticated=True), get_full_path=lambda: _NEXT
            ),
        }
    )
    return Stencil(rendered, {"pk": _PK, "next": _NEXT, "token": _TOKEN})


def card_part(name: str, paper_id: int, state: State, page: PagePart) -> str:
    """``save``: a card's toggle; ``paper_box``: the paper page's, with "Add to collection"."""
    saved = bool(state.get("saved", False))
    if name == "save":
        return save_form(paper_id=paper_id, saved=saved, page=page)
    if name == "paper_box":
        return _paper_box(saved).fill(
            pk=str(int(paper_id)), next=escaped(page.next_url), token=page.csrf_token
        )
    raise LookupError(f"library has no card part {name!r}")
