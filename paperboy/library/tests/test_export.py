"""Exports as .bib, .ris and CSL-JSON: the reading list, collections (private ones to their
owner only), day/week/month lists and searches; and the 500-paper round trip."""

import json
from datetime import UTC, date, datetime, timedelta

import bibtexparser
import pytest
import rispy

from paperboy.ingest.importer import import_records
from paperboy.ingest.records import PaperRecord
from paperboy.library import importing, services
from paperboy.papers.models import Paper
from paperboy.testing import make_entry, make_paper


def _ids_in(response, ext: str) -> list[str]:
    text = response.content.decode()
    if ext == "bib":
        return [e["eprint"] for e in bibtexparser.parse_string(text).entries]
    if ext == "ris":
        return [r["notes"][0].split()[0].removeprefix("arXiv:") for r in rispy.loads(text)]
    return [item["number"].removeprefix("arXiv:") for item in json.loads(text)]


EXTS = ["bib", "ris", "json"]


@pytest.mark.parametrize("ext", EXTS)
def test_the_reading_list_exports_in_its_order(client, alice, ext):
    old = make_paper(arxiv_id="2504.00001", title="Old & <b>bold</b>")
    new = make_paper(arxiv_id="2504.00002", title="New")
    services.save(member=alice, paper=old)
    services.save(member=alice, paper=new)
    client.force_login(alice)

    response = client.get(f"/library/export.{ext}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="reading-list.{ext}"'
    assert _ids_in(response, ext) == ["2504.00002", "2504.00001"]  # newest saved first
    assert "<b>" not in response.content.decode() or ext != "bib"


def test_the_reading_list_export_needs_a_member(client, db):
    response = client.get("/library/export.bib")
    assert response.status_code == 302


def test_an_unknown_extension_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get("/library/export.pdf").status_code == 404


@pytest.fixture
def collections(alice):
    papers = [make_paper(arxiv_id=f"2504.0010{n}", title=f"Paper {n}") for n in range(3)]
    public = services.create_collection(by=alice, title="Public", public=True)
    private = services.create_collection(by=alice, title="Private")
    for collection in (public, private):
        services.add_items(collection, by=alice, paper_ids=[p.pk for p in reversed(papers)])
    return public, private


@pytest.mark.parametrize("ext", EXTS)
def test_a_public_collection_exports_for_anyone_in_its_order(client, collections, ext):
    response = client.get(f"/u/alice/collections/public/export.{ext}")

    assert response.status_code == 200
    assert _ids_in(response, ext) == ["2504.00102", "2504.00101", "2504.00100"]


def test_a_private_collection_exports_for_its_owner_only(client, alice, bob, collections):
    assert client.get("/u/alice/collections/private/export.bib").status_code == 404
    client.force_login(bob)
    assert client.get("/u/alice/collections/private/export.bib").status_code == 404
    client.force_login(alice)
    assert client.get("/u/alice/collections/private/export.bib").status_code == 200


def test_an_organizations_collection_exports(client, alice, example_lab):
    paper = make_paper(arxiv_id="2504.00200")
    lab = services.create_collection(
        by=alice, title="Lab picks", public=True, organization=example_lab
    )
    services.add_item(lab, by=alice, paper=paper)

    response = client.get("/example-lab/collections/lab-picks/export.ris")

    assert _ids_in(response, "ris") == ["2504.00200"]


def test_day_week_and_month_lists_export_in_the_pages_order(client, db):
    day = date(2025, 3, 4)
    quiet = make_paper(arxiv_id="2503.10001", imported_upvotes=1)
    loud = make_paper(arxiv_id="2503.10002", imported_upvotes=9)
    make_entry(quiet, day)
    make_entry(loud, day)
    make_entry(make_paper(arxiv_id="2503.10003"), day + timedelta(days=40))

    for url in ("/papers/date/2025-03-04", "/papers/week/2025-W10", "/papers/month/2025-03"):
        response = client.get(f"{url}/export.bib")
        assert response.status_code == 200, url
        assert _ids_in(response, "bib") == ["2503.10002", "2503.10001"], url
    assert client.get("/papers/date/2025-02-30/export.bib").status_code == 404


def test_a_search_exports_its_results(client, db):
    make_paper(arxiv_id="2504.00300", title="Quantum walrus navigation")
    make_paper(arxiv_id="2504.00301", title="Something else entirely")

    response = client.get("/papers/search/export.json?q=walrus")

    assert response.status_code == 200
    assert _ids_in(response, "json") == ["2504.00300"]


def test_a_paper_cites_itself_as_a_file(client, db):
    make_paper(arxiv_id="2504.00400", title="Citable")

    response = client.get("/papers/2504.00400v2/cite.bib")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert "eprint = {2504.00400}" in response.content.decode()
    assert client.get("/papers/2504.99999/cite.bib").status_code == 404


@pytest.mark.parametrize("ext", EXTS)
def test_a_500_paper_collection_round_trips(client, alice, ext, settings):
    settings.PAPERBOY_ARXIV_API_URL = ""  # nothing to fetch: every paper is in the catalog
    records = [
        PaperRecord(
            arxiv_id=f"2505.{n:05d}",
            title=f"Round trip {n}: {'Déjà' if n % 2 else 'A & B'} {{x}}_$\\alpha_{n}$",
            abstract="Abstract.",
            authors=[f"Author {n}", "Zoë Ö'Brien", "Jr., Sam"],
            published_at=datetime(2025, 5, 1, tzinfo=UTC),
            categories=["cs.CL"],
        )
        for n in range(1, 501)
    ]
    import_records(records)
    ids = list(Paper.objects.filter(arxiv_id__startswith="2505.").values_list("pk", flat=True))
    ids.sort(key=lambda pk: (pk * 7919) % 501)  # an order that is not the ids' own
    source = services.create_collection(by=alice, title="Source", public=False)
    services.add_items(source, by=alice, paper_ids=ids)
    client.force_login(alice)

    exported = client.get(f"/u/alice/collections/source/export.{ext}")
    target = services.create_collection(by=alice, title=f"Copy {ext}")
    report = importing.run(exported.content, member=alice, collection=target)

    assert len(report.matched) == 500 and not report.unmatched and report.added == 500
    copied = list(target.items.in_order().values_list("paper_id", flat=True))
    assert copied == ids


def test_list_pages_link_to_their_exports(client, alice, collections):
    day = date(2025, 3, 4)
    make_entry(make_paper(arxiv_id="2503.10009", title="Walrus routing"), day)
    services.save(member=alice, paper=Paper.objects.get(arxiv_id="2503.10009"))

    assert "/papers/date/2025-03-04/export.bib" in client.get("/papers/date/2025-03-04").text
    assert "/papers/week/2025-W10/export.ris" in client.get("/papers/week/2025-W10").text
    assert (
        "/u/alice/collections/public/export.json" in client.get("/u/alice/collections/public").text
    )
    client.force_login(alice)
    reading = client.get("/library?sort=title").text
    assert "/library/export.ris?sort=title" in reading and 'href="/library/import"' in reading
    assert "/library/import?into=" in client.get("/u/alice/collections/private").text
