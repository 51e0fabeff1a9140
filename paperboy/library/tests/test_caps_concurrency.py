"""The library's caps (``lib.limits``) hold when requests race at a real server (pytest-django's
threaded ``live_server``), on SQLite and PostgreSQL: ``library.services`` counts inside the
writing transaction with the owner's (or the collection's) row locked, so ten requests at once
never get one paper, collection or item past a cap, and positions stay one per item."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from paperboy.accounts.tokens import ApiToken
from paperboy.lib import limits
from paperboy.library import services
from paperboy.library.models import Collection, CollectionItem, SavedPaper
from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db(transaction=True)

AT_ONCE = 10  # the live server's listen queue holds 10 connections
CAP = 4


@pytest.fixture(autouse=True)
def file_cache(settings, tmp_path):
    """The cache a fresh install uses (a directory shared by the web workers)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


def race(method: str, token: str, calls: list[tuple[str, dict | None]]) -> list[int]:
    """``AT_ONCE`` requests released together, one per thread; their status codes."""
    assert len(calls) == AT_ONCE
    start = threading.Barrier(AT_ONCE)

    def send(call: tuple[str, dict | None]) -> int:
        url, body = call
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            start.wait()
            response = client.request(method, url, json=body)
        assert response.headers["Content-Type"].startswith("application/json"), response.text
        return response.status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(send, calls))


@pytest.fixture
def token(alice) -> str:
    return ApiToken.issue(user=alice, name="racer")[1]


@pytest.fixture
def papers(db):
    return [make_paper(arxiv_id=f"2506.001{n:02d}") for n in range(AT_ONCE)]


def test_ten_saves_at_once_stop_at_the_reading_list_cap(
    live_server, monkeypatch, alice, token, papers
):
    monkeypatch.setattr(limits, "MAX_SAVED_PAPERS", CAP)
    calls = [(f"{live_server.url}/api/library/{p.arxiv_id}", None) for p in papers]

    codes = race("PUT", token, calls)

    assert sorted(codes) == [200] * CAP + [400] * (AT_ONCE - CAP)
    assert SavedPaper.objects.filter(member=alice).count() == CAP


def test_ten_collections_at_once_stop_at_the_owners_cap(live_server, monkeypatch, alice, token):
    monkeypatch.setattr(limits, "MAX_COLLECTIONS", CAP)
    url = f"{live_server.url}/api/collections"
    calls = [(url, {"title": f"Racing {n}"}) for n in range(AT_ONCE)]

    codes = race("POST", token, calls)

    assert sorted(codes) == [200] * CAP + [400] * (AT_ONCE - CAP)
    assert Collection.objects.filter(member=alice).count() == CAP


def test_ten_papers_added_at_once_stop_at_the_collections_cap(
    live_server, monkeypatch, alice, token, papers
):
    monkeypatch.setattr(limits, "MAX_COLLECTION_ITEMS", CAP)
    c = services.create_collection(by=alice, title="Race", public=True)
    url = f"{live_server.url}/api/collections/{c.hub_slug}/items"
    calls = [(url, {"item": {"type": "paper", "id": p.arxiv_id}}) for p in papers]

    codes = race("POST", token, calls)

    assert sorted(codes) == [200] * CAP + [400] * (AT_ONCE - CAP)
    positions = sorted(
        CollectionItem.objects.filter(collection=c).values_list("position", flat=True)
    )
    assert positions == list(range(CAP))
