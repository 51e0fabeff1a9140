import json
from datetime import date, timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from paperboy.feed.models import DailyEntry
from paperboy.ingest.demo import DAYS, DEMO_DIR, demo_upvotes, load_demo
from paperboy.papers.models import Organization, Paper
from paperboy.testing import make_paper

TODAY = date(2026, 3, 4)  # a Wednesday


def _state():
    entries = sorted(
        DailyEntry.objects.values_list(
            "paper__arxiv_id",
            "day",
            "submitted_at",
            "organization_id",
            "upvotes_count",
            "trending_score",
        )
    )
    papers = sorted(
        Paper.objects.values_list(
            "arxiv_id", "title", "organization_id", "imported_upvotes", "upvotes_count"
        )
    )
    return entries, papers, sorted(Organization.objects.values_list("slug", "name"))


@pytest.mark.django_db
def test_it_fills_an_empty_database_and_a_second_load_the_same_day_changes_nothing():
    summary = load_demo(today=TODAY)

    assert summary.papers.new == Paper.objects.count() > 2500
    assert summary.bad_lines == []
    assert Organization.objects.filter(slug="tau", name="Tel Aviv University").exists()
    assert Organization.objects.count() >= 12
    for offset in range(DAYS):
        day = TODAY - timedelta(days=offset)
        count = DailyEntry.objects.filter(day=day).count()
        # 6-15 papers on weekends, 25-60 on weekdays, plus up to 5 of the 32 seed papers.
        low, high = (6, 20) if day.weekday() >= 5 else (25, 65)
        assert low <= count <= high, (day, count)
    assert not DailyEntry.objects.filter(day__gt=TODAY).exists()
    assert not DailyEntry.objects.filter(day__lte=TODAY - timedelta(days=DAYS)).exists()
    for entry in DailyEntry.objects.select_related("paper"):
        assert timezone.localdate(entry.submitted_at) == entry.day
        assert entry.upvotes_count == entry.paper.upvotes_count == entry.paper.imported_upvotes

    # The seed papers keep their seed counts and organizations.
    mixing = Paper.objects.get(arxiv_id="2510.06182")
    assert (mixing.imported_upvotes, mixing.organization.slug) == (2, "tau")
    assert Paper.objects.get(arxiv_id="2509.03867").upvotes_count == 11
    # All 32 cards of the seed page are on the last week's lists, including the 18 whose ids
    # were verified by hand (scripts/build_demo.py), with the seed page's counts.
    seeds = json.loads((DEMO_DIR / "organizations.json").read_text())["seed_papers"]
    assert len(seeds) == 32
    listed = DailyEntry.objects.filter(
        paper__arxiv_id__in=[s["id"] for s in seeds], day__gt=TODAY - timedelta(days=7)
    )
    assert listed.count() == 32
    forget_bit = Paper.objects.get(arxiv_id="2511.01202")
    assert forget_bit.title.startswith("Forget BIT, It is All about TOKEN")
    assert (forget_bit.imported_upvotes, forget_bit.num_authors) == (1, 1)
    assert forget_bit.published_at.date() == date(2025, 11, 2)
    # Heavy-tailed counts: most small, a few large; about 30% of papers carry an organization.
    counts = list(DailyEntry.objects.values_list("upvotes_count", flat=True))
    assert sum(c <= 10 for c in counts) > 0.8 * len(counts)
    assert any(c >= 50 for c in counts)
    assert max(counts) <= 300
    tagged = Paper.objects.filter(organization__isnull=False).count()
    assert 0.2 < tagged / Paper.objects.count() < 0.4
    assert DailyEntry.objects.exclude(trending_score=0).count() == DailyEntry.objects.count()

    before = _state()
    again = load_demo(today=TODAY)
    assert (again.papers.new, again.papers.updated) == (0, 0)
    assert (again.entries_created, again.entries_moved, again.papers_changed) == (0, 0, 0)
    assert _state() == before

    # Loaded again on a later day, the list moves to end on that day.
    later = TODAY + timedelta(days=10)
    moved = load_demo(today=later)
    assert moved.papers.new == 0
    assert moved.entries_moved > 0
    assert DailyEntry.objects.filter(day=later).exists()
    assert not DailyEntry.objects.filter(day__lte=later - timedelta(days=DAYS)).exists()


def test_demo_upvotes_are_deterministic_and_heavy_tailed():
    votes = [demo_upvotes(f"2606.{n:05d}") for n in range(5000)]
    assert votes == [demo_upvotes(f"2606.{n:05d}") for n in range(5000)]
    assert sum(v <= 10 for v in votes) > 0.85 * len(votes)
    assert 20 < sum(v >= 50 for v in votes) < 400
    assert max(votes) == 300


def test_the_shipped_vectors_cover_every_demo_paper_with_its_current_text():
    from paperboy.ingest.jsonl import read_records
    from paperboy.search.embeddings import paper_text, text_hash

    shipped = np.load(DEMO_DIR / "vectors.npz")
    table = dict(zip(map(str, shipped["ids"]), map(str, shipped["hashes"]), strict=True))
    records = list(read_records(DEMO_DIR / "papers.jsonl.gz"))

    assert str(shipped["model_id"]) == "all-MiniLM-L6-v2/onnx-int8@256"
    assert shipped["vectors"].shape == (len(records), 384)
    assert {r.arxiv_id: text_hash(paper_text(r.title, r.abstract)) for r in records} == table
    norms = np.linalg.norm(shipped["vectors"].astype(np.float32), axis=1)
    assert np.allclose(norms, 1, atol=1e-2)


@pytest.mark.django_db
def test_the_command_loads_an_empty_database():
    out = StringIO()
    call_command("seed_demo", "-v0", stdout=out)
    assert "3031 new" in out.getvalue()
    assert Paper.objects.count() == 3031
    assert DailyEntry.objects.filter(day=timezone.localdate()).exists()


@pytest.mark.django_db
def test_the_command_leaves_a_database_with_papers_alone():
    make_paper()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Database not empty; demo not loaded" in out.getvalue()
    assert Paper.objects.count() == 1
    assert not DailyEntry.objects.exists()


@pytest.mark.django_db
def test_recompute_trending_prints_the_count():
    from paperboy.testing import make_entry

    make_entry(make_paper())
    out = StringIO()
    call_command("recompute_trending", stdout=out)
    assert out.getvalue().strip() == "Rescored 1 daily entries."


@pytest.mark.django_db
def test_the_arxiv_dates_move_with_the_list_so_a_newcomer_can_submit_a_demo_paper(client):
    from django.conf import settings

    from paperboy.ingest.demo import DEMO_DIR as demo_dir
    from paperboy.testing import PASSWORD, make_user

    load_demo()
    today = timezone.localdate()
    now = timezone.now()
    seeds = {
        s["id"] for s in json.loads((demo_dir / "organizations.json").read_text())["seed_papers"]
    }
    # Today's cards show this week's arXiv dates (they showed July's, whatever the day).
    todays = Paper.objects.filter(daily__day=today).exclude(arxiv_id__in=seeds)
    assert todays.exists()
    for paper in todays:
        assert today - timedelta(days=7) <= timezone.localdate(paper.published_at) <= today
        assert paper.published_at <= now
    # Papers off the list are young enough to be submitted.
    max_age = timedelta(days=settings.PAPERBOY_SUBMIT_MAX_AGE_DAYS)
    submittable = Paper.objects.filter(daily__isnull=True, published_at__gte=now - max_age)
    assert submittable.count() > 100
    # And a member submits one through the form, offline (it is in the catalog).
    make_user("newcomer")
    client.login(username="newcomer", password=PASSWORD)
    paper = submittable.order_by("-published_at").first()
    response = client.post("/papers/submit", {"arxiv_id": paper.arxiv_id})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.day, entry.submitted_by.username) == (today, "newcomer")


@pytest.mark.django_db
def test_the_seed_papers_keep_their_real_arxiv_dates_and_reloading_keeps_the_shift():
    summary = load_demo(today=TODAY)
    assert summary.days_shifted == (TODAY - date(2026, 7, 1)).days
    assert Paper.objects.get(arxiv_id="2106.01065").published_at.date() == date(2021, 6, 2)
    newest = Paper.objects.exclude(arxiv_id="2106.01065").order_by("-published_at").first()
    assert newest.published_at.date() == TODAY
    again = load_demo(today=TODAY)
    assert (again.papers.updated, again.days_shifted) == (0, summary.days_shifted)


@pytest.mark.django_db
def test_demo_organizations_and_upvotes_are_labelled_as_demo_data(admin_client):
    from paperboy.lib.democorpus import DEMO_ORG_NOTE

    load_demo(today=TODAY)
    org = Organization.objects.get(slug="tau")
    assert org.description == DEMO_ORG_NOTE
    page = admin_client.get(
        f"/admin/papers/paper/{Paper.objects.get(arxiv_id='2510.06182').pk}/change/"
    )
    assert "demo data" in page.content.decode()
    entries = admin_client.get("/admin/feed/dailyentry/").content.decode()
    assert "Nobody: demo data (day, upvotes and organization are generated)" in entries
    papers = admin_client.get("/admin/papers/paper/?o=-4").content.decode()
    assert "of them demo data)" in papers
