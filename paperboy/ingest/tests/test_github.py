"""GitHub stars: ETag conditional requests, token, rate limits, star history and velocity."""

import json
import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest.github import GithubClient, GithubError, RateLimited, RepoAnswer, repo_name
from paperboy.ingest.github_stars import refresh_stars
from paperboy.ingest.models import GithubRepo
from paperboy.ingest.tests.conftest import Reply
from paperboy.papers.models import Paper, StarSnapshot, stars_gained
from paperboy.testing import make_entry, make_paper


def ok(stars: int, etag: str = '"v1"', remaining: int = 59) -> Reply:
    body = json.dumps({"full_name": "example-lab/mmrag", "stargazers_count": stars}).encode()
    return Reply(200, body, {"ETag": etag, "X-RateLimit-Remaining": str(remaining),
                             "X-RateLimit-Reset": str(int(time.time()) + 3600)})  # fmt: skip


def client(server, **kw) -> GithubClient:
    return GithubClient(api_url=server.url.replace("/api/query", ""), backoff_base=0, **kw)


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://github.com/Example-Lab/MMRag", "example-lab/mmrag"),
        ("https://github.com/example-lab/mmrag.git", "example-lab/mmrag"),
        ("https://github.com/example-lab/mmrag/tree/main/src", "example-lab/mmrag"),
        ("https://gitlab.com/example-lab/mmrag", None),
        ("https://github.com/example-lab", None),
    ],
)
def test_repo_name(url, name):
    assert repo_name(url) == name


def test_it_stores_stars_history_and_the_etag_then_asks_conditionally(arxiv_server, db):
    paper = make_paper(github_repo="https://github.com/example-lab/mmrag")
    arxiv_server.replies = [ok(10), Reply(304, b"", {"X-RateLimit-Remaining": "59"})]
    with client(arxiv_server, token="s3cret") as c:
        first = refresh_stars(c)
        second = refresh_stars(c)
    assert (first.updated, second.unchanged) == (1, 1)
    assert arxiv_server.requests[0]["path"] == "/repos/example-lab/mmrag"
    assert arxiv_server.requests[0]["Authorization"] == "Bearer s3cret"
    assert arxiv_server.requests[1]["If-None-Match"] == '"v1"'
    paper.refresh_from_db()
    assert paper.github_stars == 10
    assert GithubRepo.objects.get().etag == '"v1"'
    assert list(StarSnapshot.objects.values_list("stars", flat=True)) == [10]


def test_a_changed_count_adds_to_the_history_and_rescores_trending(arxiv_server, db):
    paper = make_paper(github_repo="https://github.com/example-lab/mmrag")
    entry = make_entry(paper, timezone.now().date())
    arxiv_server.replies = [ok(10), ok(60, etag='"v2"')]
    with client(arxiv_server) as c:
        refresh_stars(c)
        entry.refresh_from_db()
        before = entry.trending_score
        refresh_stars(c)
    assert list(StarSnapshot.objects.values_list("stars", flat=True)) == [10, 60]
    assert stars_gained([paper.pk]) == {paper.pk: 50}
    entry.refresh_from_db()
    assert entry.trending_score > before


def test_it_stops_when_the_rate_limit_is_spent_and_reports_the_rest(arxiv_server, db):
    for name in ("a/one", "b/two", "c/three"):
        make_paper(github_repo=f"https://github.com/{name}")
    reset = str(int(time.time()) + 3600)
    arxiv_server.replies = [
        ok(5, remaining=0),
        Reply(403, b"{}", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
    ]
    with client(arxiv_server) as c:
        result = refresh_stars(c)
    assert len(arxiv_server.requests) == 1  # no request once the budget is known to be spent
    assert (result.updated, result.failed) == (1, 2)
    assert "rate limit" in result.failures[0][1]


def test_a_403_with_an_empty_budget_raises_rate_limited(arxiv_server):
    reset = str(int(time.time()) + 3600)
    arxiv_server.replies = [
        Reply(403, b"{}", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    ]
    with client(arxiv_server) as c, pytest.raises(RateLimited):
        c.repo("a/one")


def test_a_missing_repository_is_remembered(arxiv_server, db):
    make_paper(github_repo="https://github.com/gone/away")
    arxiv_server.replies = [Reply(404, b"{}")]
    with client(arxiv_server) as c:
        result = refresh_stars(c)
    assert (result.unchanged, result.failed) == (1, 0)
    assert GithubRepo.objects.get().missing


def test_stars_gained_counts_only_the_last_seven_days(db):
    paper, young = make_paper(), make_paper()
    now = timezone.now()
    StarSnapshot.objects.create(paper=paper, stars=100, recorded_at=now - timedelta(days=10))
    StarSnapshot.objects.create(paper=paper, stars=130, recorded_at=now - timedelta(days=3))
    StarSnapshot.objects.create(paper=paper, stars=150, recorded_at=now - timedelta(hours=1))
    StarSnapshot.objects.create(paper=young, stars=500, recorded_at=now - timedelta(days=2))
    StarSnapshot.objects.create(paper=young, stars=520, recorded_at=now - timedelta(days=1))
    assert stars_gained([paper.pk, young.pk, 0]) == {paper.pk: 50, young.pk: 20}


def test_recompute_all_trending_uses_star_velocity(db, settings):
    still, rising = make_paper(), make_paper()
    day = date.today()
    entries = [make_entry(still, day), make_entry(rising, day)]
    DailyEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        submitted_at=timezone.now() - timedelta(hours=1)
    )
    StarSnapshot.objects.create(
        paper=rising, stars=0, recorded_at=timezone.now() - timedelta(days=2)
    )
    StarSnapshot.objects.create(paper=rising, stars=300)
    votes.recompute_all_trending()
    scores = dict(DailyEntry.objects.values_list("paper_id", "trending_score"))
    assert scores[rising.pk] > scores[still.pk]
    assert Paper.objects.get(pk=rising.pk).upvotes_count == 0


def test_it_retries_a_server_error_and_a_dropped_connection(arxiv_server, db):
    make_paper(github_repo="https://github.com/example-lab/mmrag")
    arxiv_server.replies = [Reply(502, b"bad gateway"), Reply(0), ok(12)]
    sleeps = []
    github = GithubClient(
        api_url=arxiv_server.url.replace("/api/query", ""),
        sleep=sleeps.append,
        jitter=lambda: 1.0,
    )
    with github:
        result = refresh_stars(github)
    assert (result.updated, result.failed) == (1, 0)
    assert len(arxiv_server.requests) == 3
    assert sleeps == [2.0, 4.0]  # exponential steps; the jitter (here 1.0) picks within each


def test_it_stops_asking_when_github_does_not_answer_several_repositories_in_a_row(
    arxiv_server, db
):
    for n in range(5):
        make_paper(github_repo=f"https://github.com/lab/repo{n}")
    arxiv_server.replies = [Reply(0)]  # every connection dropped: the network is down
    with client(arxiv_server, max_attempts=2) as c:
        result = refresh_stars(c)
    assert len(arxiv_server.requests) == 3 * 2  # three repositories, two attempts each
    assert (result.updated, result.failed) == (0, 5)
    reasons = [why for _, why in result.failures]
    assert reasons[0].startswith("GitHub did not answer for lab/repo0")
    assert reasons[3:] == ["not asked: GitHub did not answer for 3 repositories in a row"] * 2


def test_an_answer_resets_the_count_of_unanswered_repositories(arxiv_server, db):
    for n in range(6):
        make_paper(github_repo=f"https://github.com/lab/repo{n}")
    arxiv_server.replies = [Reply(0), Reply(0), ok(1), Reply(0), Reply(0), ok(2)]
    with client(arxiv_server, max_attempts=1) as c:
        result = refresh_stars(c)
    assert (result.updated, result.failed) == (2, 4)
    assert len(arxiv_server.requests) == 6


def test_the_token_comes_from_the_settings_and_is_sent_as_a_bearer(arxiv_server, settings):
    settings.PAPERBOY_GITHUB_TOKEN = "from-the-environment"
    settings.PAPERBOY_GITHUB_API_URL = arxiv_server.url.replace("/api/query", "")
    arxiv_server.replies = [ok(3)]
    with GithubClient() as c:
        assert c.repo("example-lab/mmrag").stars == 3
    assert arxiv_server.requests[0]["Authorization"] == "Bearer from-the-environment"
    assert arxiv_server.requests[0]["User-Agent"] == settings.PAPERBOY_USER_AGENT


def test_without_a_token_no_authorization_is_sent(arxiv_server, settings):
    settings.PAPERBOY_GITHUB_TOKEN = ""
    arxiv_server.replies = [ok(3)]
    with client(arxiv_server) as c:
        c.repo("example-lab/mmrag")
    assert "Authorization" not in arxiv_server.requests[0]


def test_a_429_waits_what_retry_after_says(arxiv_server):
    arxiv_server.replies = [Reply(429, b"{}", {"Retry-After": "3"}), ok(7)]
    sleeps = []
    with client(arxiv_server, sleep=sleeps.append) as c:
        assert c.repo("example-lab/mmrag").stars == 7
    assert sleeps == [3.0]


def test_a_secondary_rate_limit_403_waits_what_retry_after_says(arxiv_server):
    arxiv_server.replies = [
        Reply(403, b"{}", {"Retry-After": "2", "X-RateLimit-Remaining": "4000"}),
        ok(7),
    ]
    sleeps = []
    with client(arxiv_server, sleep=sleeps.append) as c:
        assert c.repo("example-lab/mmrag").stars == 7
    assert sleeps == [2.0]


def test_a_403_without_a_rate_limit_is_an_error_not_retried(arxiv_server):
    arxiv_server.replies = [Reply(403, b"{}", {"X-RateLimit-Remaining": "4000"})]
    with client(arxiv_server) as c, pytest.raises(GithubError, match="HTTP 403"):
        c.repo("example-lab/mmrag")
    assert len(arxiv_server.requests) == 1


def test_a_long_retry_after_raises_rate_limited_without_asking_again(arxiv_server):
    arxiv_server.replies = [Reply(429, b"{}", {"Retry-After": "3600"})]
    sleeps = []
    with client(arxiv_server, sleep=sleeps.append) as c, pytest.raises(RateLimited):
        c.repo("example-lab/mmrag")
    assert (sleeps, len(arxiv_server.requests)) == ([], 1)


def test_an_answer_over_the_size_cap_is_refused(arxiv_server, monkeypatch):
    monkeypatch.setattr("paperboy.ingest.github.MAX_BYTES", 100)
    body = json.dumps({"stargazers_count": 3, "description": "x" * 200}).encode()
    arxiv_server.replies = [Reply(200, body, length=False)]
    with client(arxiv_server) as c, pytest.raises(GithubError, match="too large"):
        c.repo("example-lab/mmrag")


class Answers:
    """A GitHub client that answers from a dict, for counts the real client refuses itself:
    the importer's own rule must hold whatever a client lets through."""

    def __init__(self, stars_by_repo: dict[str, int]) -> None:
        self.stars_by_repo = stars_by_repo

    def repo(self, name: str, *, etag: str = "") -> RepoAnswer:
        return RepoAnswer("ok", stars=self.stars_by_repo[name], etag='"v1"')


def test_a_count_the_catalog_refuses_fails_its_repository_and_the_others_go_on(db):
    bad = make_paper(github_repo="https://github.com/example-lab/bad", github_stars=3)
    good = make_paper(github_repo="https://github.com/example-lab/good")
    result = refresh_stars(Answers({"example-lab/bad": -5, "example-lab/good": 8}))
    assert (result.updated, result.failed) == (1, 1)
    assert result.failures == [("example-lab/bad", "github_stars -5 is not a count")]
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.github_stars, good.github_stars) == (3, 8)
    assert list(StarSnapshot.objects.values_list("paper_id", "stars")) == [(good.pk, 8)]
    assert GithubRepo.objects.get(name="example-lab/bad").stars is None
