"""Paging for the list pages: ``?p=N`` checked once (a 404 that says why for a bad or
out-of-range number), pages of ``PAPERBOY_PAGE_SIZE``."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest


def page(request: HttpRequest, items) -> Page:
    """The page of ``items`` (a QuerySet or a list) that ``?p=`` asks for."""
    return checked_page(request, Paginator(items, settings.PAPERBOY_PAGE_SIZE))


def page_by_ids(request: HttpRequest, queryset: QuerySet) -> Page:
    """The same page fetched in two steps: the ordered primary keys (an index-only walk, without
    dragging wide rows through the sort), then those rows, in that order."""
    found = page(request, queryset.values_list("pk", flat=True))
    ids = list(found.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)} if ids else {}
    found.object_list = [rows[pk] for pk in ids if pk in rows]
    return found


def checked_page(request: HttpRequest, paginator: Paginator) -> Page:
    """``paginator``'s page number ``?p=`` (1 when absent); a 404 for anything else."""
    number = request.GET.get("p", "1")
    if not re.fullmatch(r"[0-9]{1,9}", number) or int(number) < 1:
        raise Http404("The page number must be a positive whole number, such as ?p=2.")
    if int(number) > max(paginator.num_pages, 1):
        raise Http404(f"This list has only {paginator.num_pages} page(s).")
    return paginator.page(int(number))
