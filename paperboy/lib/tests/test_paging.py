"""lib.paging: ``?p=N`` for every list page."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from paperboy.lib import paging


def _page(query: str, items, settings):
    settings.PAPERBOY_PAGE_SIZE = 2
    return paging.page(RequestFactory().get(f"/papers{query}"), items)


def test_it_gives_the_page_asked_for(settings):
    assert list(_page("", range(5), settings).object_list) == [0, 1]
    assert list(_page("?p=3", range(5), settings).object_list) == [4]


def test_an_empty_list_has_a_first_page(settings):
    assert list(_page("?p=1", [], settings).object_list) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?p=0", "must be a positive whole number"),
        ("?p=-1", "must be a positive whole number"),
        ("?p=two", "must be a positive whole number"),
        ("?p=4", "only 3 page(s)"),
    ],
)
def test_a_bad_page_number_is_a_404_that_says_why(settings, query, message):
    with pytest.raises(Http404, match=message.replace("(", r"\(").replace(")", r"\)")):
        _page(query, range(5), settings)
