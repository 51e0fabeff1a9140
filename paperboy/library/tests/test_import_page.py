"""/library/import: upload or paste into the reading list or a collection, and the result page
(matched, fetched, unmatched with reasons). arXiv is a real local HTTP server."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paperboy.accounts.tokens import ApiToken
from paperboy.ingest.tests.conftest import Reply, arxiv_server, fixture_bytes  # noqa: F401
from paperboy.lib import limits
from paperboy.library import importing, services
from paperboy.library.models import Collection, CollectionItem, SavedPaper
from paperboy.papers.models import Paper
from paperboy.testing import make_paper

# A Zotero BibTeX export: arXiv ids in eprint, url, doi or nowhere (matched by title), one
# paper the catalog lacks, one entry broken by an unbalanced brace, one not on arXiv at all.
ZOTERO = rb"""
@misc{lovelace_first_2025,
	title = {First {Light}: {Sparse} attention},
	url = {http://arxiv.org/abs/2503.00001},
	doi = {10.48550/arXiv.2503.00001},
	publisher = {arXiv},
	author = {Lovelace, Ada and Turing, Alan},
	year = {2025},
	note = {arXiv:2503.00001 [cs]},
}

@misc{hopper_second_2025,
	title = {Second},
	author = {Hopper, Grace},
	year = {2025},
	eprint = {2503.00002},
	archivePrefix = {arXiv},
}

@article{broken_2025,
	title = {Broken {brace,
	year = {2025},
}

@misc{turing_third_2025,
	title = {A {Th{\'\i}rd} Paper, by its {Title} Alone},
	year = {2025},
}

@misc{missing_2025,
	title = {Not Here Yet},
	doi = {10.48550/arXiv.2508.18407},
}

@book{knuth_art_1968,
	title = {The Art of Computer Programming},
	year = {1968},
}
"""


@pytest.fixture
def catalog(db):
    return {
        "first": make_paper(arxiv_id="2503.00001", title="First Light: Sparse attention"),
        "second": make_paper(arxiv_id="2503.00002", title="Second"),
        "third": make_paper(arxiv_id="2503.00003", title="A Thírd Paper, by its Title Alone"),
    }


@pytest.fixture
def offline(settings):
    """No arXiv to ask: ids the catalog lacks are reported, never fetched."""
    settings.PAPERBOY_ARXIV_API_URL = ""


@pytest.fixture
def arxiv(arxiv_server, settings):  # noqa: F811 (the fixture imported above)
    settings.PAPERBOY_ARXIV_API_URL = arxiv_server.url
    return arxiv_server


def _upload(client, data: bytes, name: str = "My Library.bib", **fields):
    return client.post(
        "/library/import",
        {"file": SimpleUploadedFile(name, data), "into": "library", **fields},
    )


def _listed(response, status: str) -> list[str]:
    return [o.reference.label for o in getattr(response.context["report"], status)]


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/library/import")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_offers_the_reading_list_and_editable_collections(client, alice, bob):
    mine = services.create_collection(by=alice, title="Mine")
    services.create_collection(by=bob, title="Bob's private")
    client.force_login(alice)

    response = client.get("/library/import")

    assert response.status_code == 200
    assert "pasted text: 2.5 MB; upload anything larger as a file" in response.text
    choices = dict(response.context["form"].fields["into"].choices)
    assert choices == {"library": "Your reading list", str(mine.pk): "Collection: Mine",
                       "new": "A new collection…"}  # fmt: skip


def test_a_zotero_file_is_matched_by_id_and_title_and_the_rest_reported(
    client, alice, catalog, offline
):
    client.force_login(alice)

    response = _upload(client, ZOTERO)

    assert response.status_code == 200
    assert _listed(response, "matched") == [
        "lovelace_first_2025",
        "hopper_second_2025",
        "turing_third_2025",
    ]
    reasons = {o.reference.label: o.reason for o in response.context["report"].outcomes}
    assert reasons["lovelace_first_2025"] == "arXiv id 2503.00001 in url"
    assert reasons["hopper_second_2025"] == "arXiv id 2503.00002 in eprint"
    assert reasons["turing_third_2025"] == "same title"
    assert _listed(response, "unmatched") == [
        "@article{broken_2025,",
        "missing_2025",
        "knuth_art_1968",
    ]
    assert "not valid BibTeX" in reasons["@article{broken_2025,"]
    assert reasons["missing_2025"] == "arXiv paper 2508.18407 is not in this site's catalog."
    assert "no paper in the catalog has this title" in reasons["knuth_art_1968"]
    saved = set(SavedPaper.objects.filter(member=alice).values_list("paper__arxiv_id", flat=True))
    assert saved == {"2503.00001", "2503.00002", "2503.00003"}
    body = response.content.decode()
    assert "3 added to your reading list" in body
    assert "Not matched (3)" in body and "Matched (3)" in body


def test_importing_the_same_file_twice_adds_nothing(client, alice, catalog, offline):
    client.force_login(alice)
    _upload(client, ZOTERO)

    again = _upload(client, ZOTERO)

    assert again.context["report"].added == 0
    assert "0 added to your reading list, 3 already there" in again.content.decode()
    assert SavedPaper.objects.filter(member=alice).count() == 3


def test_ids_missing_from_the_catalog_are_fetched_from_arxiv(client, alice, catalog, arxiv):
    arxiv.replies = [Reply(200, fixture_bytes("arxiv_single.xml"))]
    client.force_login(alice)

    response = _upload(client, ZOTERO)

    assert _listed(response, "fetched") == ["missing_2025"]
    assert arxiv.requests[0]["path"].count("2508.18407") == 1
    paper = Paper.objects.get(arxiv_id="2508.18407")
    assert SavedPaper.objects.filter(member=alice, paper=paper).exists()


def test_arxiv_out_of_reach_is_reported_and_the_rest_imported(client, alice, catalog, arxiv):
    arxiv.replies = [Reply(503)]
    client.force_login(alice)

    response = _upload(client, ZOTERO)

    reasons = {o.reference.label: o.reason for o in response.context["report"].unmatched}
    assert "arXiv could not be reached" in reasons["missing_2025"]
    assert SavedPaper.objects.filter(member=alice).count() == 3


def test_pasted_ids_go_into_a_new_collection_in_their_order(client, alice, catalog, offline):
    client.force_login(alice)

    response = client.post(
        "/library/import",
        {
            "text": "arXiv:2503.00003\nhttps://arxiv.org/abs/2503.00001v2, 2503.00002 nonsense",
            "into": "new",
            "title": "From a paste",
        },
    )

    assert response.status_code == 200
    collection = Collection.objects.get(member=alice, title="From a paste")
    order = list(collection.items.in_order().values_list("paper__arxiv_id", flat=True))
    assert order == ["2503.00003", "2503.00001", "2503.00002"]
    assert _listed(response, "unmatched") == ["nonsense"]


def test_an_upload_past_the_cap_is_refused_and_nothing_is_written(client, alice, catalog):
    client.force_login(alice)
    big = b"@misc{x, eprint={2503.00001}}\n" + b"%" * (50 * 1024 * 1024)

    response = client.post(
        "/library/import",
        {"file": SimpleUploadedFile("big.bib", big), "into": "new", "title": "Big"},
    )

    assert response.status_code == 400
    assert f"an import takes at most {limits.IMPORT_MAX_BYTES // 1_048_576} MB" in (
        response.content.decode()
    )
    assert not SavedPaper.objects.exists()
    assert not Collection.objects.exists()


def test_too_many_entries_are_refused_and_the_new_collection_not_kept(client, alice, catalog):
    client.force_login(alice)
    many = "\n".join(f"2503.{n:05d}" for n in range(1, limits.IMPORT_MAX_ENTRIES + 2))

    response = client.post("/library/import", {"text": many, "into": "new", "title": "Too many"})

    assert response.status_code == 413
    assert f"{limits.IMPORT_MAX_ENTRIES + 1:,} ids" in response.content.decode()
    assert not Collection.objects.exists()
    assert not CollectionItem.objects.exists()


def test_nothing_to_import_is_a_form_error(client, alice):
    client.force_login(alice)

    response = client.post("/library/import", {"text": "   ", "into": "library"})

    assert response.status_code == 400
    assert "Choose a file or paste something to import." in response.content.decode()


def test_another_members_collection_cannot_be_the_target(client, alice, bob, catalog):
    theirs = services.create_collection(by=bob, title="Bob's")
    client.force_login(alice)

    response = client.post("/library/import", {"text": "2503.00001", "into": str(theirs.pk)})

    assert response.status_code == 400
    assert not CollectionItem.objects.exists()


def test_run_refuses_a_collection_the_member_cannot_edit(alice, bob, catalog):
    theirs = services.create_collection(by=bob, title="Bob's", public=True)

    with pytest.raises(services.Refused):
        importing.run(b"2503.00001", member=alice, collection=theirs)

    assert not CollectionItem.objects.exists()


def test_imports_are_limited_per_member_on_the_page_and_the_api_alike(
    client, alice, bob, catalog, offline, monkeypatch
):
    monkeypatch.setitem(limits.RATES, "import", {"user": "2/d"})
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=alice, name='t')[1]}"}
    client.force_login(alice)

    def api(text: str):
        return client.post(
            "/api/library/import", {"text": text}, content_type="application/json", **token
        )

    first = client.post("/library/import", {"text": "2503.00001", "into": "library"})
    second = api("2503.00002")  # the same bucket as the page's
    page = client.post("/library/import", {"text": "2503.00003", "into": "new", "title": "T"})
    json = api("2503.00003")

    assert first.status_code == 200 and second.status_code == 200
    assert page.status_code == 429
    assert "at most 2 imports per day from one account" in page.content.decode()
    assert 'class="error-page"' in page.content.decode()
    assert json.status_code == 429
    assert "at most 2 imports per day from one account" in json.json()["error"]
    saved = set(SavedPaper.objects.filter(member=alice).values_list("paper__arxiv_id", flat=True))
    assert saved == {"2503.00001", "2503.00002"}
    assert not Collection.objects.exists()
    client.force_login(bob)  # another member has a bucket of their own
    response = client.post("/library/import", {"text": "2503.00003", "into": "library"})
    assert response.status_code == 200
