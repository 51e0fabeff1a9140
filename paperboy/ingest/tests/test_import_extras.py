"""``import_extras``: the one door for what a source knows about a paper already in the
catalog (links, counts, summary and keywords, organization, star history)."""

import re
from datetime import UTC, datetime

import pytest

from paperboy.ingest.importer import RecordError, import_extras
from paperboy.ingest.records import SourceOrganization
from paperboy.papers.models import Organization, Paper, StarSnapshot
from paperboy.search import lexical
from paperboy.search.models import WordIndexChange
from paperboy.testing import make_paper

AT = datetime(2025, 11, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "extras, reason",
    [
        ({"project_page": "javascript:alert(1)"}, "project_page 'javascript:alert(1)' is not"),
        ({"github_repo": "data:text/html,<script>x</script>"}, "github_repo 'data:text/html"),
        ({"github_stars": -1}, "github_stars -1 is not a count"),
        ({"github_stars": True}, "github_stars True is not a count"),
        ({"imported_upvotes": -3}, "imported_upvotes -3 is not a count"),
        ({"imported_upvotes": 2**31}, "imported_upvotes 2147483648 is not a count"),
        ({"ai_summary": "broken \ud800"}, "ai_summary is not valid Unicode"),
        ({"ai_keywords": "rag"}, "ai_keywords must be a list"),
        ({"ai_keywords": ["rag", 7]}, "ai_keywords is not text"),
    ],
)
def test_a_value_the_catalog_refuses_raises_and_writes_nothing(extras, reason, db):
    paper = make_paper(project_page="https://example.org/p", github_stars=5)
    good = {"ai_summary": "A summary.", "organization": SourceOrganization("new-lab")}
    with pytest.raises(RecordError, match=re.escape(reason)):
        import_extras([paper.pk], at=AT, **(good | extras))
    row = Paper.objects.values("project_page", "github_stars", "ai_summary").get(pk=paper.pk)
    assert row == {"project_page": "https://example.org/p", "github_stars": 5, "ai_summary": ""}
    assert not Organization.objects.filter(slug="new-lab").exists()
    assert not StarSnapshot.objects.exists()


def test_text_is_cleaned_and_links_take_their_normal_form(db):
    paper = make_paper()
    changed = import_extras(
        [paper.pk],
        project_page="  HTTPS://example.org/project ",
        ai_summary="<b>Retrieval</b> &amp; reranking\x07, in  one\nsentence.\x00",
        ai_keywords=[" <i>RAG</i> ", "", "\x07", "re&shy;ranking"],
    )
    assert changed == [paper.pk]
    paper.refresh_from_db()
    assert paper.project_page == "https://example.org/project"
    assert paper.ai_summary == "Retrieval & reranking, in one sentence."
    assert paper.ai_keywords == ["RAG", "re\xadranking"]


def test_a_sources_keywords_are_searchable_words_and_logged_for_the_word_index(db):
    paper = make_paper(title="Folding robots", abstract="Paper cranes.")
    WordIndexChange.objects.all().delete()
    import_extras([paper.pk], imported_upvotes=4)  # no keyphrases: nothing to re-read
    assert not WordIndexChange.objects.exists()
    import_extras([paper.pk], ai_keywords=["origami"])
    assert [pk for pk, _ in lexical.candidates(lexical.parse("origami"))] == [paper.pk]
    assert list(WordIndexChange.objects.values_list("paper_id", flat=True)) == [paper.pk]


def test_what_the_source_does_not_give_keeps_the_stored_value(db):
    paper = make_paper(project_page="https://example.org/p", github_repo="https://github.com/a/b")
    import_extras([paper.pk], ai_summary="First.", ai_keywords=["one"], imported_upvotes=3)
    assert import_extras([paper.pk], project_page="", ai_summary="", ai_keywords=[]) == []
    paper.refresh_from_db()
    assert (paper.project_page, paper.github_repo) == (
        "https://example.org/p",
        "https://github.com/a/b",
    )
    assert (paper.ai_summary, paper.ai_keywords, paper.imported_upvotes) == ("First.", ["one"], 3)


def test_only_if_missing_fills_a_blank_and_keeps_a_value(db):
    lab = Organization.objects.create(slug="kept-lab", name="Kept Lab")
    has = make_paper(github_stars=40, organization=lab)
    lacks = make_paper()
    changed = import_extras(
        [has.pk, lacks.pk],
        github_stars=7,
        organization="Other Lab",
        only_if_missing={"github_stars", "organization"},
        at=AT,
    )
    assert changed == [lacks.pk]
    has.refresh_from_db()
    lacks.refresh_from_db()
    assert (has.github_stars, has.organization.slug) == (40, "kept-lab")
    assert (lacks.github_stars, lacks.organization.slug) == (7, "other-lab")
    # Each paper's own count starts its history.
    assert set(StarSnapshot.objects.values_list("paper_id", "stars")) == {
        (has.pk, 40),
        (lacks.pk, 7),
    }


def test_the_star_history_grows_only_when_the_count_changes(db):
    paper = make_paper()
    import_extras([paper.pk], github_stars=10, at=AT)
    assert import_extras([paper.pk], github_stars=10, at=AT) == []
    import_extras([paper.pk], github_stars=12, at=AT.replace(day=6))
    assert list(StarSnapshot.objects.values_list("stars", flat=True)) == [10, 12]


def test_any_organization_name_gives_a_valid_slug_and_the_paper_page_answers(client, db):
    paper = make_paper()
    import_extras(
        [paper.pk],
        organization=SourceOrganization(
            "api", display_name="<b>API</b> Lab", avatar="javascript:x"
        ),
    )
    paper.refresh_from_db()
    org = paper.organization
    assert (org.slug, org.name, org.avatar_url) == ("api-org", "API Lab", "")
    assert client.get(f"/papers/{paper.arxiv_id}").status_code == 200
    assert client.get(f"/{org.slug}/papers").status_code == 200


def test_an_unknown_field_name_is_a_programming_error(db):
    paper = make_paper()
    with pytest.raises(TypeError):
        import_extras([paper.pk], title="Not an extra")
    with pytest.raises(ValueError, match="not an extra: title"):
        import_extras([paper.pk], github_stars=1, only_if_missing={"title"})
