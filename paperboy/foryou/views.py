"""The For you pages: the recommendations with their reasons, "not interested" (htmx), "show
fewer like this", reset, the home-page switch, onboarding and alerts.

Every view is for the signed-in member and reads only their own rows; recommendations and
dismissals go through ``engine`` (the one door), alerts through ``alerts``.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.feed import cards
from paperboy.foryou import alerts, engine, onboarding, picks, signals, tasks
from paperboy.foryou.forms import CategoriesForm, SavedSearchForm
from paperboy.foryou.models import SavedSearch, TopicMute
from paperboy.lib import memberpage
from paperboy.lib.memberpage import cache_for_member
from paperboy.library.services import member_scope
from paperboy.papers.models import Author, Organization, Paper

PAGE_SIZE = 30
# The cookie that says a member chose the daily list as their home page. A cookie, not a row:
# it is a per-browser view preference, and the home page reads it without a query.
HOME_COOKIE = "pb_home"
HOME_DAILY = "daily"
HOME_COOKIE_AGE = 5 * 365 * 86400
# "Show fewer like this" on a card, and the list of them under the cards.
MODELS = {"author": Author, "organization": Organization}  # what a muted author/lab key names
_NUMBER = re.compile(r"[0-9]{1,18}")
MUTE_TOPICS = {"category": "in {name}", "author": "by {name}", "organization": "from {name}"}


@dataclass
class ForYouCard(cards.Card):
    """A card of the For you page: the feed's card with its reasons and actions."""

    reasons: list = field(default_factory=list)
    mutes: list = field(default_factory=list)

    @property
    def similar(self) -> list[dict]:
        """The papers of the member's it is like, each with the keyphrases both share (the
        tail of the engine's "Like “title” — both on …")."""
        out = []
        for r in self.reasons:
            if r.kind == "similar" and r.paper is not None:
                head = f"Like “{r.paper.title}”"
                both = r.text.removeprefix(head) if r.text.startswith(head) else ""
                out.append({"paper": r.paper, "url": r.url, "both": both})
        return out

    extra_template: str = "foryou/partials.html#card_extra"


def home(request: HttpRequest) -> HttpResponse:
    """``/``: For you for signed-in members who have signals (unless they chose the daily
    list), the daily list for everyone else. Mounted before feed's own ``/``."""
    user = request.user
    if (
        user.is_authenticated
        and request.COOKIES.get(HOME_COOKIE) != HOME_DAILY
        and engine.has_signals(user)
    ):
        return redirect("foryou:page")
    return redirect("feed:daily")


@login_required
@require_POST
def set_home(request: HttpRequest) -> HttpResponse:
    """Choose the home page: For you (``home=foryou``) or the daily list (``home=daily``)."""
    choice = request.POST.get("home", "")
    if choice not in (HOME_DAILY, "foryou"):
        return HttpResponse("Choose home=daily or home=foryou.", status=400)
    response = redirect("foryou:page" if choice == "foryou" else "feed:daily")
    if choice == HOME_DAILY:
        response.set_cookie(HOME_COOKIE, HOME_DAILY, max_age=HOME_COOKIE_AGE, samesite="Lax")
        messages.success(request, "Your home page is the daily list. For you stays in the menu.")
    else:
        response.delete_cookie(HOME_COOKIE)
        messages.success(request, "Your home page is For you.")
    return response


def _page_scopes(request: HttpRequest) -> list[str]:
    """What the page is kept under (``lib.memberpage``): the member's For you stamp, which
    every signal and every new list of picks bumps; their library's, which every library
    write bumps (an import saves without a signal); and the home-page choice, a cookie the
    page shows (two browsers of one member may differ)."""
    home = HOME_DAILY if request.COOKIES.get(HOME_COOKIE) == HOME_DAILY else "foryou"
    member = request.user.pk
    return [signals.page_scope(member), member_scope(member), f"foryou:home:{home}"]


@login_required
@require_GET
@cache_for_member(scopes=_page_scopes)
def page(request: HttpRequest) -> HttpResponse:
    """The member's recommendations, unseen first, each with its reasons, read from their
    stored picks (``picks.py``: scored off the request path) and kept rendered per member
    until a signal or a new list; the papers shown go to the seen ledger. Without signals, the
    engine's trending fallback, said so once for the page."""
    user = request.user
    recommended = picks.serve(user.pk, limit=PAGE_SIZE)  # the API's and the feed's door too
    if recommended is None:
        # None stored yet (a first visit): the task picks them in a second or two, and the
        # page asks again by itself meanwhile. Not kept: the next view must ask again.
        response = render(request, "foryou/page.html", {"preparing": True})
        response.paperboy_no_member_cache = True
        return response
    by_paper = {r.paper.pk: r for r in recommended}
    # The fallback's reason ("Trending: no signals to learn from yet") is said once, above
    # the cards, not on each of them.
    cold = any(reason.kind == "trending" for r in recommended for reason in r.reasons)
    cold = cold or not recommended and not engine.has_signals(user)
    shown = cards.for_papers(
        [r.paper for r in recommended],
        reader=user,
        card_type=ForYouCard,
        extra=lambda p: {"reasons": [x for x in by_paper[p.pk].reasons if x.kind != "trending"]},
    )
    _add_mutes(shown)
    engine.mark_seen(user, [r.paper for r in recommended], via="page")
    context = {
        "cards": shown,
        "cold": cold,
        "categories": onboarding.chosen_categories(user),
        "mutes": _mutes(user),
        "home_is_daily": request.COOKIES.get(HOME_COOKIE) == HOME_DAILY,
    }
    return render(request, "foryou/page.html", context)


def _add_mutes(shown: list[ForYouCard]) -> None:
    """Each card's "Show fewer like this" choices: the followed topics its reasons name (the
    category is the paper's primary one, as the engine matches it; an author by the id in
    their page's address; an organization by the slug in its page's)."""
    slugs = set()
    for card in shown:
        for reason in card.reasons:
            if reason.kind == "organization" and reason.url:
                slugs.add(reason.url.strip("/").split("/")[0])
    org_ids = dict(Organization.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    for card in shown:
        card.mutes = []
        for reason in card.reasons:
            name = reason.text.split(",")[0].removeprefix("By ").removeprefix("From ")
            if reason.kind == "category" and card.paper.primary_category:
                key, name = card.paper.primary_category, card.paper.primary_category
            elif reason.kind == "author" and reason.url:
                key = reason.url.rstrip("/").rsplit("/", 1)[-1]
            elif reason.kind == "organization" and reason.url:
                key = str(org_ids.get(reason.url.strip("/").split("/")[0], ""))
            else:
                continue
            if key:
                topic = MUTE_TOPICS[reason.kind].format(name=name)
                card.mutes.append({"kind": reason.kind, "key": key, "name": name, "topic": topic})


def _mutes(user) -> list[dict]:
    """The member's "show fewer" topics, each named as on the cards (an author or a lab by its
    name, not the number stored; a key that is no number, stored before, as it is)."""
    mutes = list(TopicMute.objects.filter(member=user).order_by("kind", "key"))
    ids = {m.pk: int(m.key) for m in mutes if m.kind != "category" and _NUMBER.fullmatch(m.key)}
    wanted = {kind: [ids[m.pk] for m in mutes if m.kind == kind and m.pk in ids] for kind in MODELS}
    names = {
        kind: dict(model.objects.filter(pk__in=wanted[kind]).values_list("pk", "name"))
        for kind, model in MODELS.items()
    }
    out = []
    for mute in mutes:
        name = names.get(mute.kind, {}).get(ids.get(mute.pk), mute.key)
        topic = MUTE_TOPICS.get(mute.kind, "{name}").format(name=name)
        out.append({"pk": mute.pk, "topic": topic})
    return out


def _recompute(member_id: int) -> None:
    """A change of the ranking that is no training signal (a mute, a reset): the picks are
    recomputed by the task worker once this commits (a second or two: never on the request,
    which would score the whole window), and the page is rendered anew meanwhile."""
    transaction.on_commit(lambda: tasks.refresh_picks.enqueue(member_id))
    memberpage.bump(signals.page_scope(member_id))


def _paper(arxiv_id: str) -> Paper:
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
    return paper


@login_required
@require_POST
def not_interested(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Dismiss a paper: with htmx the card is replaced by a one-line note with an undo."""
    paper = _paper(arxiv_id)
    # A second click on a slow connection: the card goes all the same.
    with suppress(engine.AlreadyDismissed):
        engine.dismiss(request.user, paper)
    if request.htmx:
        return render(request, "foryou/partials.html#dismissed", {"paper": paper})
    messages.success(request, f"You won't see “{paper.title[:80]}” again.")
    return redirect("foryou:page")


@login_required
@require_POST
def undo_not_interested(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _paper(arxiv_id)
    with suppress(engine.NotDismissed):  # undone already
        engine.undismiss(request.user, paper)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("foryou:page")


@login_required
@require_POST
def fewer(request: HttpRequest) -> HttpResponse:
    """ "Show fewer like this" for a topic (a category, a followed author or lab)."""
    kind, key = request.POST.get("kind", ""), request.POST.get("key", "")[:64]
    if kind not in TopicMute.Kind.values or not key.strip():
        return HttpResponse(
            "Say which topic: kind=category|author|organization and key.", status=400
        )
    if kind != TopicMute.Kind.CATEGORY and not _NUMBER.fullmatch(key.strip()):
        return HttpResponse("An author or a lab is named by its number.", status=400)
    TopicMute.objects.get_or_create(member=request.user, kind=kind, key=key.strip())
    _recompute(request.user.pk)
    messages.success(request, "You'll see fewer papers like that.")
    return redirect("foryou:page")


@login_required
@require_POST
def unmute(request: HttpRequest, pk: int) -> HttpResponse:
    if TopicMute.objects.filter(member=request.user, pk=pk).delete()[0]:
        _recompute(request.user.pk)
    return redirect("foryou:page")


@login_required
@require_POST
def reset(request: HttpRequest) -> HttpResponse:
    """Forget what For you learnt (dismissals, mutes, the seen list, the model); the library,
    upvotes and follows stay."""
    engine.reset(request.user)
    _recompute(request.user.pk)
    messages.success(
        request, "For you forgot what it learnt. Your library, upvotes and follows are kept."
    )
    return redirect("foryou:page")


# --- Onboarding ---------------------------------------------------------------------------


@login_required
def start(request: HttpRequest) -> HttpResponse:
    user = request.user
    choices = onboarding.category_choices()
    chosen = onboarding.chosen_categories(user)
    known = {code for code, _ in choices}
    initial = {
        "categories": [c for c in chosen if c in known],
        "more": " ".join(c for c in chosen if c not in known),
    }
    form = CategoriesForm(request.POST or None, choices=choices, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # Chosen categories are a signal: the training that follows recomputes the picks.
            onboarding.set_categories(user, form.cleaned_data["codes"])
            messages.success(request, "Saved your categories.")
            return redirect("foryou:page")
        status = 400
    follows = Follow.objects.filter(user=user).select_related("organization", "author")
    return render(
        request,
        "foryou/start.html",
        {
            "form": form,
            "follows": list(follows),
            "organizations": onboarding.suggested_organizations(user),
            "claims": AuthorClaim.objects.filter(user=user).select_related("author"),
            "import_url": onboarding.library_import_url(),
            "has_signals": engine.has_signals(user),
        },
        status=status,
    )


# --- Alerts ---------------------------------------------------------------------------------


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = SavedSearchForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            search = form.save()
            messages.success(request, f"Saved: new papers on “{search.query}” come in your digest.")
            return redirect("foryou:alerts")
        status = 400
    found = [(a, a.feed_url(user), a.feed_url(user, "atom")) for a in alerts.for_member(user)]
    return render(
        request,
        "foryou/alerts.html",
        {"form": form, "alerts": found, "digest_url": reverse("digests:settings")},
        status=status,
    )


@login_required
@require_POST
def delete_search(request: HttpRequest, pk: int) -> HttpResponse:
    deleted, _ = SavedSearch.objects.filter(member=request.user, pk=pk).delete()
    if not deleted:
        raise Http404("You have no such saved search.")
    messages.success(request, "Deleted the saved search; its feed address no longer works.")
    return redirect("foryou:alerts")
