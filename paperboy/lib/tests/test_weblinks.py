"""Links are http(s) only, whatever writes them, and the pages send a script-forbidding CSP.

A ``javascript:`` project page stored by the Hugging Face import once became a clickable link
on the card, the paper page and the API (a stored XSS). Every source is tried here with the
payloads; the database refuses what a future writer might forget to check.
"""

import json

import pytest
from django.db import IntegrityError, transaction

from paperboy.ingest.hf import parse_daily_papers
from paperboy.ingest.hf_import import import_daily_items
from paperboy.ingest.importer import import_records
from paperboy.ingest.jsonl import parse_line
from paperboy.ingest.tests.conftest import fixture_bytes
from paperboy.lib.weblinks import BadLink, clean_link
from paperboy.papers.models import Organization, Paper
from paperboy.testing import make_entry, make_paper

PAYLOADS = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://",
    "https://exa mple.com/",
    "https://example.com/\x00",
    "https://" + "a" * 600 + ".com",
]


@pytest.mark.parametrize("value", PAYLOADS)
def test_the_rule_refuses_every_payload(value):
    with pytest.raises(BadLink):
        clean_link(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://github.com/org/repo", "https://github.com/org/repo"),
        ("  HTTP://lab.example/page?x=1#y ", "http://lab.example/page?x=1#y"),
        ("https://[::1]:8000/x", "https://[::1]:8000/x"),
        ("https://例え.jp/", "https://例え.jp/"),
        ("", ""),
    ],
)
def test_the_rule_keeps_real_links_in_a_normal_form(value, stored):
    assert clean_link(value) == stored


def jsonl(**fields) -> str:
    data = {
        "id": "2501.00042",
        "title": "A paper",
        "abstract": "An abstract.",
        "authors": ["Ann"],
        "categories": ["cs.CL"],
        "announced": "2025-01-02",
        **fields,
    }
    return json.dumps(data)


@pytest.mark.parametrize("field", ["project_page", "github_repo"])
@pytest.mark.parametrize("value", PAYLOADS[:6])
def test_a_jsonl_import_refuses_the_record(field, value, db):
    result = import_records([parse_line(jsonl(**{field: value}))])
    assert result.failed == 1 and "http(s)" in result.failures[0][1]
    assert not Paper.objects.exists()


def hf_items(edit):
    data = json.loads(fixture_bytes("hf_daily_papers.json"))
    edit(data)
    return parse_daily_papers(json.dumps(data))


@pytest.mark.parametrize(
    ("key", "field"), [("projectPage", "project_page"), ("githubRepo", "github_repo")]
)
def test_the_hugging_face_import_refuses_it_for_a_paper_already_in_the_catalog(key, field, db):
    """The hole itself: an existing paper took the HF links after a length check only."""
    paper = make_paper(arxiv_id="2511.02358")

    def edit(data):
        data[0]["paper"][key] = "javascript:alert(document.cookie)"

    result = import_daily_items(*hf_items(edit))
    assert result.failed == 1
    assert result.failures[0][0] == "2511.02358" and "http(s)" in result.failures[0][1]
    paper.refresh_from_db()
    assert getattr(paper, field) == ""
    assert paper.imported_upvotes == 0  # nothing else of the item was written either
    assert not hasattr(paper, "daily")


def test_the_hugging_face_import_drops_a_bad_organization_avatar(db):
    def edit(data):
        for item in data:
            for org in (item["paper"].get("organization"), item.get("organization")):
                if org:
                    org["avatar"] = "javascript:alert(1)"

    import_daily_items(*hf_items(edit))
    assert Organization.objects.exists()
    assert not Organization.objects.exclude(avatar_url="").exists()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Paper, "project_page"),
        (Paper, "github_repo"),
        (Organization, "website"),
        (Organization, "avatar_url"),
    ],
)
def test_the_database_refuses_a_writer_that_skips_the_rule(model, field, db, example_lab):
    make_paper()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.update(**{field: "javascript:alert(1)"})


def test_the_database_refuses_it_for_a_member_website(db, alice):
    from django.contrib.auth import get_user_model

    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.filter(pk=alice.pk).update(website="javascript:alert(1)")


def test_the_admin_refuses_a_javascript_project_page(admin_client, db):
    paper = make_paper()
    page = admin_client.get(f"/admin/papers/paper/{paper.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(project_page="javascript:alert(1)")
    response = admin_client.post(f"/admin/papers/paper/{paper.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    paper.refresh_from_db()
    assert paper.project_page == ""


def test_pages_forbid_inline_script_and_framing(client, db):
    make_entry(make_paper(github_repo="https://github.com/a/b"))
    for url in ["/papers", "/papers/search?q=attention", "/api/daily_papers"]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", url
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_cached_page_carries_the_policy_too(client, db, settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    make_entry(make_paper())
    client.get("/papers")
    again = client.get("/papers")
    assert "script-src 'self'" in again.headers["Content-Security-Policy"]
