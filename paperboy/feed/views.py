"""Every list of papers: daily, weekly, monthly, trending, an organization's, an author's and
the reader's Following page; upvotes. Cards come from ``feed.cards``, pages from ``lib.paging``.

Every list page runs a fixed number of queries whatever its length. A day, week or month
page: one for the count, one for the ids of the page's entries (an index-only walk, without
dragging abstracts through the sort), one for those entries (papers and organizations ride
along), one for the signed-in reader's upvotes, and two to find the nearest days with papers
around the period.

Visitors who are not signed in get whole pages from ``lib.pagecache`` (their upvote button is
a link to sign in, so a page holds nothing of theirs but a CSRF token). Members get the same
copy of the day, week, month and trending pages with their parts filled in (the account menu,
each card's ``{% cardpart %}``: ``members=True``); an organization's page is rendered for them
(its follow button is theirs).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from paperboy.accounts import orgs
from paperboy.accounts.models import AuthorClaim, Follow, User, following_papers
from paperboy.feed import cards, ranking, votes
from paperboy.feed.models import DailyEntry
from paperboy.lib import dates, paging
from paperboy.lib.dates import BadPeriod, Period
from paperboy.lib.pagecache import cache_for_visitors
from paperboy.papers.models import Author, Organization, Paper, stars_gained

LIST_TEMPLATE = "feed/list.html"


def home(request: HttpRequest) -> HttpResponse:
    return redirect("feed:daily")


def _nearest_days(start: date, end: date) -> tuple[date | None, date | None]:
    """The closest days before ``start`` and after ``end`` that have papers on the list."""
    days = DailyEntry.objects.visible().values_list("day", flat=True)
    before = days.filter(day__lt=start).order_by("-day").first()
    after = days.filter(day__gt=end).order_by("day").first()
    return before, after


def _period_links(period: Period, before: date | None, after: date | None) -> dict:
    """Previous/next links for the date chip and the Day/Week/Month switch targets."""
    today = timezone.localdate()
    if period.kind == dates.DAY:
        # Days step over the empty ones (weekends, holidays) to the next day with papers.
        prev = Period.containing(before, dates.DAY) if before else None
        nxt = Period.containing(after, dates.DAY) if after and after <= today else None
    else:
        prev = period.previous()
        nxt = period.next() if period.next().start <= today else None
    anchor = period.start if period.kind == dates.DAY else min(period.end, today)
    if period.kind != dates.DAY and not period.contains(anchor):
        anchor = period.start
    switch = {
        kind: _period_url(Period.containing(anchor, kind))
        for kind in (dates.DAY, dates.WEEK, dates.MONTH)
    }
    return {
        "prev_url": _period_url(prev) if prev else None,
        "prev_label": prev.label if prev else "",
        "next_url": _period_url(nxt) if nxt else None,
        "next_label": nxt.label if nxt else "",
        "switch": switch,
    }


def _period_url(period: Period) -> str:
    name = {dates.DAY: "feed:date", dates.WEEK: "feed:week", dates.MONTH: "feed:month"}
    return reverse(name[period.kind], args=[period.slug])


def _list_body(request: HttpRequest, template: str, build) -> str:
    """Render ``template`` (a list body partial) with ``build()``'s context."""
    return render_to_string(template, build(), request=request)


def _render_period(request: HttpRequest, period: Period, *, latest: bool = False) -> HttpResponse:
    before, after = _nearest_days(period.start, period.end)

    def build() -> dict:
        entries = DailyEntry.objects.between(period.start, period.end).for_list()
        page = paging.page_by_ids(request, entries)
        return {
            "period": period,
            "page": page,
            "cards": cards.for_entries(page.object_list, reader=request.user),
            "nearest_before": before,
            "nearest_after": after,
            "is_latest": latest,
            "today": timezone.localdate(),
        }

    context = {
        "period": period,
        "body": _list_body(request, "feed/list.html#list_body", build),
        "nearest_before": before,
        "nearest_after": after,
        "is_latest": latest,
        "today": timezone.localdate(),
        "list_url": request.path,
        **_period_links(period, before, after),
    }
    return render(request, LIST_TEMPLATE, context)


@cache_for_visitors(members=True)
def daily(request: HttpRequest) -> HttpResponse:
    """The most recent day that has papers (today, once someone has submitted one)."""
    day = DailyEntry.objects.latest_day(timezone.localdate())
    return _render_period(request, Period.containing(day, dates.DAY), latest=True)


def _parsed(kind: str, text: str) -> Period:
    try:
        return dates.PARSERS[kind](text)
    except BadPeriod as exc:
        raise Http404(str(exc)) from None


@cache_for_visitors(members=True)
def by_date(request: HttpRequest, day: str) -> HttpResponse:
    return _render_period(request, _parsed(dates.DAY, day))


@cache_for_visitors(members=True)
def by_week(request: HttpRequest, week: str) -> HttpResponse:
    return _render_period(request, _parsed(dates.WEEK, week))


@cache_for_visitors(members=True)
def by_month(request: HttpRequest, month: str) -> HttpResponse:
    return _render_period(request, _parsed(dates.MONTH, month))


@cache_for_visitors(members=True)
def trending(request: HttpRequest) -> HttpResponse:
    weights = votes.weights()
    body = _list_body(request, "feed/trending.html#list_body", lambda: _trending_body(request))
    today = timezone.localdate()
    switch = {
        dates.DAY: reverse("feed:daily"),
        dates.WEEK: _period_url(Period.containing(today, dates.WEEK)),
        dates.MONTH: _period_url(Period.containing(today, dates.MONTH)),
    }
    return render(
        request,
        "feed/trending.html",
        {"body": body, "decay_hours": weights.decay_hours, "switch": switch},
    )


def _trending_body(request: HttpRequest) -> dict:
    # Trending shows its top PAPERBOY_TRENDING_MAX papers: counting a capped slice reads that
    # many index entries, where counting every entry ever listed would read them all.
    entries = DailyEntry.objects.trending()[: settings.PAPERBOY_TRENDING_MAX]
    page = paging.page(request, entries)
    shown = cards.for_entries(page.object_list, reader=request.user)
    now = timezone.now()
    weights = votes.weights()
    gains = stars_gained([card.paper.pk for card in shown], now=now)
    for card in shown:
        card.why = ranking.explain(
            upvotes=card.entry.upvotes_count,
            comments=card.paper.comments_count,
            stars_per_week=float(gains.get(card.paper.pk, 0)),
            entered_at=card.entry.submitted_at,
            now=now,
            weights=weights,
        )
    return {"page": page, "cards": shown}


@cache_for_visitors
def org(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's papers, most upvoted first: tagged on the paper or on its entry.

    ``?date=YYYY-MM-DD``, ``?week=YYYY-Www`` or ``?month=YYYY-MM`` narrow it to the papers that
    entered the daily list in that period, as on the day/week/month pages.
    """
    organization = Organization.objects.with_member_count().filter(slug=slug).first()
    if organization is None:
        raise Http404(f"There is no organization called “{slug[:64]}” here.")
    period = _org_period(request)
    papers = Paper.objects.visible().for_cards()
    papers = papers.filter(Q(organization=organization) | Q(daily__organization=organization))
    if period is not None:
        papers = papers.filter(daily__day__gte=period.start, daily__day__lte=period.end)
    papers = papers.distinct().order_by("-upvotes_count", "-published_at", "pk")
    page = paging.page(request, papers)
    return render(
        request,
        "feed/org.html",
        {
            "organization": organization,
            "page": page,
            "cards": cards.for_papers(
                page.object_list, reader=request.user, organization=organization
            ),
            "period": period,
            **_org_switch(period),
            **orgs.org_header(organization, reader=request.user),
        },
    )


_ORG_PARAMS = {dates.DAY: "date", dates.WEEK: "week", dates.MONTH: "month"}


def _org_period(request: HttpRequest) -> Period | None:
    for kind, param in _ORG_PARAMS.items():
        if param in request.GET:
            return _parsed(kind, request.GET[param])
    return None


def _org_query(period: Period | None) -> str:
    return f"{_ORG_PARAMS[period.kind]}={period.slug}&" if period else ""


def _org_switch(period: Period | None) -> dict:
    """Links for the All/Day/Week/Month switch, previous/next period, and the pager's query."""
    today = timezone.localdate()
    anchor = min(period.end, today) if period else today
    links = {
        kind: "?" + _org_query(Period.containing(anchor, kind)).rstrip("&") for kind in _ORG_PARAMS
    }
    return {
        "org_switch": links,
        "org_prev": "?" + _org_query(period.previous()).rstrip("&") if period else "",
        "org_next": (
            "?" + _org_query(period.next()).rstrip("&")
            if period and period.next().start <= today
            else ""
        ),
        "pager_query": _org_query(period),
    }


# --- Following and authors ------------------------------------------------------------------


@login_required
def following(request: HttpRequest) -> HttpResponse:
    """Recent papers from the organizations and authors the reader follows."""
    follows = Follow.objects.filter(user=request.user).select_related("organization", "author")
    page = paging.page(request, following_papers(request.user).for_cards())
    return render(
        request,
        "feed/following.html",
        {
            "page": page,
            "cards": cards.for_papers(page.object_list, reader=request.user),
            "follows": list(follows),
        },
    )


def author(request: HttpRequest, pk: int) -> HttpResponse:
    """An author's papers (as named on arXiv), the accounts that claimed them, a follow button."""
    person = Author.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("There is no such author.")
    papers = Paper.objects.visible().for_cards().filter(authorships__author=person).distinct()
    page = paging.page(request, papers.order_by("-published_at", "-pk"))
    claimed_by = list(
        User.objects.filter(
            claims__author=person, claims__status=AuthorClaim.Status.APPROVED, is_active=True
        ).distinct()
    )
    is_following = (
        request.user.is_authenticated
        and Follow.objects.filter(user=request.user, author=person).exists()
    )
    return render(
        request,
        "feed/author.html",
        {
            "author": person,
            "page": page,
            "cards": cards.for_papers(page.object_list, reader=request.user),
            "claimed_by": claimed_by,
            "following": is_following,
        },
    )


# --- Upvotes ---------------------------------------------------------------------------------


def _visible_paper(arxiv_id: str) -> Paper:
    papers = Paper.objects.visible().only("pk", "arxiv_id", "upvotes_count")
    paper = papers.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
    return paper


def _back(request: HttpRequest, paper: Paper) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return paper.get_absolute_url()


def _vote(request: HttpRequest, arxiv_id: str, *, add: bool) -> HttpResponse:
    paper = _visible_paper(arxiv_id)
    if not request.user.is_authenticated:
        if request.htmx:
            here = request.htmx.current_url_abs_path or paper.get_absolute_url()
            login = f"{reverse('account_login')}?{urlencode({'next': here})}"
            return _upvote_fragment(request, paper, count=paper.upvotes_count, login_url=login)
        return redirect_to_login(_back(request, paper))
    if add:
        count = votes.upvote(user_id=request.user.pk, paper_id=paper.pk)
    else:
        count = votes.remove_upvote(user_id=request.user.pk, paper_id=paper.pk)
    if request.htmx:
        return _upvote_fragment(request, paper, count=count, upvoted=add)
    return redirect(_back(request, paper))


def _upvote_fragment(
    request: HttpRequest, paper: Paper, *, count: int, upvoted: bool = False, login_url: str = ""
) -> HttpResponse:
    return render(
        request,
        "feed/partials.html#upvote",
        {
            "paper": paper,
            "count": count,
            "upvoted": upvoted,
            "login_url": login_url,
            "horizontal": request.POST.get("horizontal") == "1",
            "next_url": request.htmx.current_url_abs_path or paper.get_absolute_url(),
        },
    )


@require_POST
def upvote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    return _vote(request, arxiv_id, add=True)


@require_POST
def unvote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    return _vote(request, arxiv_id, add=False)
