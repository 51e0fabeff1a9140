"""Alerts in the digest (issue 17): a member's saved searches and follows, a subscriber's
category and keyword alerts, each a section of new papers, each paper once across sections;
and the For you section from the engine, never mailed twice."""

# ruff: noqa: F811 (the fixtures frozen and nearby, imported from test_send_digests)

from datetime import UTC, datetime, timedelta

from paperboy.accounts.models import Follow
from paperboy.digests import tokens
from paperboy.digests.models import Delivery, Subscription
from paperboy.digests.tests.conftest import LIST_DAY, subscribe
from paperboy.digests.tests.test_send_digests import (  # noqa: F401 (fixtures)
    NOW,
    frozen,
    nearby,
    send_current,
    store_vectors,
    unit,
    upvoting_member,
)
from paperboy.foryou.models import SavedSearch, SeenPaper
from paperboy.papers.models import Author, Paper
from paperboy.testing import make_paper, make_user

ON_LIST_DAY = datetime.combine(LIST_DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)


def new_paper(**kw) -> Paper:
    """A paper that entered the catalog on the period's day (the digest's alert window)."""
    paper = make_paper(**kw)
    Paper.objects.filter(pk=paper.pk).update(created_at=ON_LIST_DAY)
    return paper


def sections(text: str) -> dict[str, str]:
    """Each upper-case heading of a plain-text digest and what follows it."""
    out, current = {}, None
    for line in text.splitlines():
        if line.isupper() or line.startswith(("NEW ", "TRENDING", "FOR YOU")):
            current = line.split(" (")[0]
            out[current] = ""
        elif current:
            out[current] += line + "\n"
    return out


def test_a_member_s_alerts_are_sections_and_each_paper_comes_once(smtp, papers, frozen):
    member = make_user("ada")
    SavedSearch.objects.create(member=member, query="graph router")
    both = new_paper(title="A graph router", authors=["Grace Hopper"])
    only_search = new_paper(title="Graph neural router networks", authors=["Someone"])
    new_paper(title="Unrelated", authors=["Nobody"])
    old = make_paper(title="An old graph router")  # entered the catalog today: not news
    Follow.objects.create(user=member, author=Author.objects.get(name="Grace Hopper"))
    sub = subscribe("ada@example.org", user=member)

    assert send_current().sent == 1

    text = smtp.to("ada@example.org")[0].text()
    found = sections(text)
    search_section = found["NEW ON “GRAPH ROUTER”"]
    assert both.title in search_section and only_search.title in search_section
    # The followed author's paper is in the search section already: not repeated, and a
    # section left empty is not shown.
    assert "NEW FROM GRACE HOPPER" not in found
    assert text.count(both.title) == 1
    assert old.title not in text and "Unrelated" not in text
    assert "your alert: https://" in text
    assert {both.pk, only_search.pk} <= set(Delivery.objects.get(subscription=sub).paper_ids)
    html = smtp.to("ada@example.org")[0].html()
    assert "New on “graph router”" in html and "see more" in html


def test_alert_papers_already_mailed_are_not_mailed_again(smtp, papers, frozen):
    member = make_user("ada")
    SavedSearch.objects.create(member=member, query="router")
    paper = new_paper(title="A router")
    sub = subscribe("ada@example.org", user=member)
    Delivery.objects.create(
        subscription=sub, period="daily:2025-01-17", status="sent", paper_ids=[paper.pk]
    )
    send_current()
    assert "A router" not in smtp.to("ada@example.org")[0].text()


def test_subscribers_without_an_account_get_category_and_keyword_alerts(smtp, papers, frozen):
    robots = new_paper(title="Legged robots on ice", categories=["cs.RO"])
    words = new_paper(title="Protein folding with diffusion", categories=["q-bio.BM"])
    subscribe("anon@example.org", alert_categories=["cs.RO"], alert_keywords=["protein folding"])
    subscribe("plain@example.org")
    send_current()
    found = sections(smtp.to("anon@example.org")[0].text())
    assert robots.title in found["NEW IN CS.RO"]
    # The trending paper of cs.RO is in the trending section, so not in the alert's.
    assert papers[2].title not in found["NEW IN CS.RO"]
    assert words.title in found["NEW ON “PROTEIN FOLDING”"]
    assert "NEW " not in smtp.to("plain@example.org")[0].text()


def test_subscribers_set_their_alerts_on_the_manage_page(client, db):
    sub = subscribe("anon@example.org")
    url = f"/digests/manage/{tokens.make(tokens.MANAGE, sub)}"
    assert "Keyword alerts" in client.get(url).content.decode()
    form = {
        "frequency": "weekly",
        "alert_categories": "cs.RO, q-bio.NC",
        "alert_keywords": "protein folding\n\n  Protein   Folding \nsparse attention",
    }
    assert client.post(url, form).status_code == 302
    sub.refresh_from_db()
    assert sub.alert_categories == ["cs.RO", "q-bio.NC"]
    assert sub.alert_keywords == ["protein folding", "sparse attention"]
    bad = client.post(url, {"frequency": "weekly", "alert_categories": "not a category!"})
    assert bad.status_code == 400
    many = "\n".join(f"word{i}" for i in range(11))
    assert client.post(url, {"frequency": "weekly", "alert_keywords": many}).status_code == 400
    sub.refresh_from_db()
    assert sub.alert_categories == ["cs.RO", "q-bio.NC"]
    assert Subscription.objects.count() == 1


def test_for_you_comes_from_the_engine_and_is_never_mailed_twice(
    smtp, papers, nearby, settings, frozen
):
    settings.PAPERBOY_DIGEST_FOR_YOU_N = 2
    settings.PAPERBOY_DIGEST_TOP_N = 3
    member, upvoted = upvoting_member()
    sub = subscribe("ada@example.org", user=member)
    send_current()
    mailed = set(
        SeenPaper.objects.filter(member=member, via="digest").values_list("paper_id", flat=True)
    )
    assert mailed == {nearby["Near 1"].pk, nearby["Near 2"].pk}
    # Another subscription of the same member (or a later period) never gets them again.
    Delivery.objects.filter(subscription=sub).delete()
    sub.delete()
    subscribe("ada.other@example.org", user=member)
    store_vectors({make_paper(title="Near 5"): unit(1, 1.2)})
    send_current()
    text = smtp.to("ada.other@example.org")[0].text().split("FOR YOU", 1)[1]
    assert "Near 1" not in text and "Near 2" not in text and "Near 3" in text


def test_a_dismissed_paper_is_never_in_a_digest(smtp, papers, nearby, settings, frozen):
    from paperboy.foryou import engine

    settings.PAPERBOY_DIGEST_FOR_YOU_N = 2
    settings.PAPERBOY_DIGEST_TOP_N = 3
    member, _ = upvoting_member()
    engine.dismiss(member, nearby["Near 1"])
    subscribe("ada@example.org", user=member)
    send_current()
    text = smtp.to("ada@example.org")[0].text().split("FOR YOU", 1)[1]
    assert "Near 1" not in text and "Near 2" in text


def test_members_without_signals_get_no_for_you_section(smtp, papers, frozen):
    subscribe("ada@example.org", user=make_user("ada"))
    send_current()
    assert "FOR YOU" not in smtp.messages[0].text()


assert NOW.date() == LIST_DAY + timedelta(days=1)


def test_a_recommendation_without_a_reason_is_still_mailed(
    smtp, papers, settings, frozen, monkeypatch
):
    """Only the trending fallback (each item saying "trending") is left out, not a paper the
    engine could not explain (none of the member's papers close enough to name)."""
    from paperboy.foryou import engine

    settings.PAPERBOY_DIGEST_TOP_N = 1
    member = make_user("ada")
    quiet = make_paper(title="Recommended without a reason")
    fallback = make_paper(title="Trending fallback")

    def recommend_many(users, *, limit, since=None, window_days=None, exclude=None):
        return {
            member.pk: [
                engine.Recommendation(quiet, 1.0, []),
                engine.Recommendation(fallback, 0.5, [engine.Reason("trending", "Trending")]),
            ]
        }

    settings.PAPERBOY_DIGEST_FOR_YOU_N = 2
    monkeypatch.setattr(engine, "recommend_many", recommend_many)
    subscribe("ada@example.org", user=member)
    send_current()
    for_you = smtp.messages[0].text().split("FOR YOU", 1)[1]
    assert "Recommended without a reason" in for_you and "Trending fallback" not in for_you
