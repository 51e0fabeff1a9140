"""A paper hidden by a moderator leaves every surface: pages, feeds, the API, search and
digests. Each surface is checked twice, before hiding (so the check can fail) and after."""

from datetime import datetime, time, timedelta

import numpy as np
import pytest
from django.utils import timezone

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.accounts.tokens import ApiToken
from paperboy.digests.compose import Composer
from paperboy.digests.models import Subscription
from paperboy.digests.periods import DAILY, DigestPeriod
from paperboy.foryou import engine
from paperboy.foryou.tasks import train_member
from paperboy.lib import dates
from paperboy.moderation import actions
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id
from paperboy.testing import make_entry, make_paper, make_user

TITLE = "Platypus Echolocation with Spiking Networks"
ARXIV_ID = "2510.80001"  # on every surface (links, ids), even where the title is highlighted


@pytest.fixture
def world(db, alice, bob, example_lab):
    today = timezone.localdate()
    paper = make_paper(
        arxiv_id="2510.80001",
        title=TITLE,
        abstract="Platypuses find shrimp by electroreception; we model it with spiking nets.",
        authors=["Orni Thorhynchus"],
        published_at=timezone.make_aware(datetime.combine(today - timedelta(days=1), time(9))),
    )
    entry = make_entry(paper, today, organization=example_lab)
    author = paper.authors.get()
    AuthorClaim.objects.create(user=bob, paper=paper, author=author, status="approved")
    Follow.objects.create(user=alice, organization=example_lab)
    Follow.objects.create(user=alice, author=author)
    _, feed_token = ApiToken.issue(user=alice, name="reader", scope=ApiToken.Scope.FEED)
    # For you (the private feed) ranks the papers that have a vector.
    vector = np.zeros(384, dtype=np.float32)
    vector[0] = 1.0
    vectors.store(configured_model_id(), {paper.pk: vector})
    engine.forget_windows()
    # The feed reads alice's stored picks, which the task worker makes after each signal.
    train_member.call(alice.pk)
    return {"paper": paper, "entry": entry, "author": author, "feed_token": feed_token}


def surfaces(world) -> dict[str, str]:
    day = world["entry"].day
    week = dates.Period.containing(day, dates.WEEK).slug
    month = dates.Period.containing(day, dates.MONTH).slug
    return {
        "daily page": "/papers",
        "day page": f"/papers/date/{day.isoformat()}",
        "week page": f"/papers/week/{week}",
        "month page": f"/papers/month/{month}",
        "trending page": "/papers/trending",
        "organization page": "/example-lab/papers",
        "author page": f"/authors/{world['author'].pk}",
        "profile of the verified author": "/u/bob",
        "following page": "/following",
        "search page": "/papers/search?q=platypus+echolocation",
        "daily feed": "/feeds/daily.rss",
        "day feed": f"/feeds/date/{day.isoformat()}.atom",
        "week feed": f"/feeds/week/{week}.rss",
        "month feed": f"/feeds/month/{month}.rss",
        "trending feed": "/feeds/trending.rss",
        "organization feed": "/feeds/org/example-lab.rss",
        "search feed": "/feeds/search.rss?q=platypus+echolocation",
        "private for-you feed": f"/feeds/for-you/{world['feed_token']}.rss",
        "API daily papers": "/api/daily_papers",
        "API daily papers of the day": f"/api/daily_papers?date={day.isoformat()}",
        "API catalog": "/api/papers",
        "API search": "/api/papers/search?q=platypus+echolocation",
    }


def digest_titles(alice, day) -> list[str]:
    """The titles in alice's digest of ``day``: trending, then "for you" (what she follows)."""
    subscription = Subscription.objects.create(
        email=alice.email, user=alice, confirmed_at=timezone.now()
    )
    digest = Composer(DigestPeriod(DAILY, day, day)).compose(subscription)
    subscription.delete()
    return [i.title for i in [*digest.trending, *digest.for_you]]


def test_a_hidden_paper_leaves_every_page_feed_api_and_search(client, alice, world):
    client.force_login(alice)
    urls = surfaces(world)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert ARXIV_ID in response.content.decode(), f"{name} should list the paper first"
    for url in ("/papers/2510.80001", "/papers/2510.80001.md", "/api/papers/2510.80001"):
        assert client.get(url).status_code == 200, url

    actions.set_hidden(
        actor=make_user("mod", is_staff=True), papers=[world["paper"]], hidden=True, reason="spam"
    )

    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert ARXIV_ID not in response.content.decode(), f"{name} still shows the hidden paper"
    for url in ("/papers/2510.80001", "/papers/2510.80001.md", "/api/papers/2510.80001"):
        assert client.get(url).status_code == 404, url


def test_a_hidden_paper_leaves_the_digests_too(alice, world):
    day = world["entry"].day
    assert TITLE in digest_titles(alice, day)

    actions.set_hidden(actor=None, papers=[world["paper"]], hidden=True, reason="spam")

    assert TITLE not in digest_titles(alice, day)


def test_a_hidden_paper_takes_no_comments_votes_or_claims(client, alice, world):
    actions.set_hidden(actor=None, papers=[world["paper"]], hidden=True, reason="spam")
    client.force_login(alice)

    assert client.post("/papers/2510.80001/comments", {"body": "hi"}).status_code == 404
    assert (
        client.post("/papers/2510.80001/claim", {"author": world["author"].pk}).status_code == 404
    )
    assert client.post("/papers/2510.80001/upvote").status_code == 404
    world["paper"].refresh_from_db()
    assert world["paper"].comments_count == 0 and world["paper"].upvotes_count == 0
