"""A reading-list row's controls (read toggle and private note, ``library/partials.html#
controls``) and an editor's controls of a paper in a collection (``#item_controls``) without a
template rendering per row: the partial is rendered once per process per
state (read or not, note or none) with stand-ins, then filled in by ``str.replace``, as
``library/parts.py`` does for the Save toggle. Tested equal to the template's own rendering."""

from __future__ import annotations

import re
from functools import cache
from types import SimpleNamespace

from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from paperboy.lib import limits

# Stand-ins no real value contains (letters and digits only, so escaping keeps them).
_PK, _NOTE, _NOTE_HTML, _NEXT, _TOKEN = (
    "987654321",
    "zqNoteTextqz",
    "zqNoteHtmlqz",
    "zqNextUrlqz",
    "zqCsrfTokenqz",
)

_STAND_INS = re.compile("|".join((_PK, _NOTE_HTML, _NOTE, _NEXT, _TOKEN)))


@cache
def _controls(read: bool, noted: bool) -> str:
    html = get_template("library/partials.html#controls").render(
        {
            "paper": SimpleNamespace(pk=int(_PK)),
            "saved": SimpleNamespace(read=read, note=_NOTE if noted else ""),
            "note_chars": limits.SAVED_NOTE_CHARS,
            "csrf_token": _TOKEN,
            "request": SimpleNamespace(get_full_path=lambda: _NEXT),
        }
    )
    # The note is shown twice: as HTML (line breaks as <br>) and as the textarea's text.
    return html.replace(f">{_NOTE}</p>", f">{_NOTE_HTML}</p>", 1) if noted else html


def controls(saved, *, csrf_token: str, next_url: str) -> SafeString:
    """``library/partials.html#controls`` for one saved paper, as the template renders it."""
    values = {
        _PK: str(int(saved.paper_id)),
        _NEXT: escape(next_url),
        _TOKEN: csrf_token,
        _NOTE: escape(saved.note),
        _NOTE_HTML: linebreaksbr(saved.note, autoescape=True),
    }
    # One pass: what is put in (a note, an address) is never searched for stand-ins again.
    html = _STAND_INS.sub(
        lambda m: values[m.group()], _controls(bool(saved.read), bool(saved.note))
    )
    return mark_safe(html)


# A reading-list row (``library/partials.html#row``): its card, date saved and controls.
_CARD, _ISO, _DAY, _CONTROLS = "zqCardHtmlqz", "zqSavedIsoqz", "zqSavedDayqz", "zqControlsqz"
_ROW_STAND_INS = re.compile("|".join((_PK, _CARD, _ISO, _DAY, _CONTROLS)))


@cache
def _row(read: bool) -> str:
    return get_template("library/partials.html#row").render(
        {
            "paper_pk": _PK,
            "saved": SimpleNamespace(read=read),
            "card_html": mark_safe(_CARD),
            "saved_iso": _ISO,
            "saved_day": _DAY,
            "controls": mark_safe(_CONTROLS),
        }
    )


def row(saved, *, card_html: str, controls: str) -> SafeString:
    """``library/partials.html#row`` for one saved paper with its card's and controls' HTML,
    as the template renders it (the date saved as the ``date`` filter writes it)."""
    when = template_localtime(saved.saved_at)
    values = {
        _PK: str(int(saved.paper_id)),
        _CARD: card_html,
        _ISO: escape(date_format(when, "c")),
        _DAY: escape(date_format(when, "M j, Y")),
        _CONTROLS: controls,
    }
    return mark_safe(_ROW_STAND_INS.sub(lambda m: values[m.group()], _row(bool(saved.read))))


# An editor's controls of one paper in a collection (``library/partials.html#item_controls``).
_BASE, _PAGE, _POS, _TITLE = "zqBaseUrlqz", "zqPageNumberqz", "zqPositionqz", "zqTitleqz"
_ITEM_STAND_INS = re.compile("|".join((_PK, _BASE, _PAGE, _POS, _TITLE, _NOTE, _TOKEN)))


@cache
def _item_controls(up_disabled: bool, down_disabled: bool, noted: bool, public: bool) -> str:
    return get_template("library/partials.html#item_controls").render(
        {
            "item": SimpleNamespace(paper_id=int(_PK), note=_NOTE if noted else ""),
            "title": _TITLE,
            "base": _BASE,
            "page_number": _PAGE,
            "position": _POS,
            "up_disabled": up_disabled,
            "down_disabled": down_disabled,
            "public": public,
            "item_note_chars": limits.ITEM_NOTE_CHARS,
            "csrf_token": _TOKEN,
        }
    )


def item_controls(
    item,
    *,
    title: str,
    base: str,
    page_number: int,
    position: int,
    up_disabled: bool,
    down_disabled: bool,
    public: bool,
    csrf_token: str,
) -> SafeString:
    """``library/partials.html#item_controls`` for one item, as the template renders it;
    ``base`` is the collection's address followed by ``/items/``."""
    values = {
        _PK: str(int(item.paper_id)),
        _BASE: escape(base),
        _PAGE: str(int(page_number)),
        _POS: str(int(position)),
        _TITLE: escape(title),
        _NOTE: escape(item.note),
        _TOKEN: csrf_token,
    }
    template = _item_controls(bool(up_disabled), bool(down_disabled), bool(item.note), public)
    return mark_safe(_ITEM_STAND_INS.sub(lambda m: values[m.group()], template))
