"""The catalog's one rule for organizations: any name a source gives becomes a valid slug that
is not a path of the site, and a paper tagged that way shows on every page."""

import json

import pytest

from paperboy.ingest.importer import import_records
from paperboy.ingest.jsonl import parse_line
from paperboy.papers.models import Organization, organization_slug
from paperboy.testing import make_entry


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("google", "google"),
        ("Some Lab", "some-lab"),
        ("Zürich NLP", "zurich-nlp"),
        ("api", "api-org"),
        ("Admin", "Admin-org"),
        ("!!!", "org"),
        ("x" * 100, "x" * 60),
    ],
)
def test_any_name_becomes_a_slug_that_is_not_a_path(name, slug):
    assert organization_slug(name) == slug


def test_ensure_creates_once_and_keeps_what_an_operator_edited(db):
    first = Organization.objects.ensure("Some Lab", avatar_url="https://a.example/1.png")
    first.name = "Some Lab (edited)"
    first.save()
    again = Organization.objects.ensure("some-lab", avatar_url="https://a.example/2.png")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.name, again.avatar_url) == ("Some Lab (edited)", "https://a.example/1.png")


def test_a_jsonl_organization_name_gets_a_valid_slug_and_every_page_answers(client, db):
    line = {
        "id": "2501.00077",
        "title": "Tagged by name",
        "abstract": "An abstract about sparse attention.",
        "authors": ["Ann"],
        "categories": ["cs.CL"],
        "announced": "2025-01-02",
        "organization": "Some Lab",
    }
    assert import_records([parse_line(json.dumps(line))]).new == 1
    org = Organization.objects.get()
    assert (org.slug, org.name) == ("some-lab", "Some Lab")
    from paperboy.papers.models import Paper

    paper = Paper.objects.get()
    assert paper.organization == org
    make_entry(paper)
    for url in [
        "/papers",
        f"/papers/{paper.arxiv_id}",
        f"/papers/{paper.arxiv_id}.md",
        "/some-lab/papers",
        "/papers/search?q=sparse+attention",
        "/api/daily_papers",
        f"/api/papers/{paper.arxiv_id}",
        "/feeds/daily.rss",
        "/feeds/org/some-lab.atom",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
