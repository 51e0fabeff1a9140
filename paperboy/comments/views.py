"""Comment views: post, reply, edit, delete and report, as htmx fragments or plain pages.

Every view answers with the whole discussion (``comments/section.html``): htmx swaps it into
the paper page; without JavaScript the browser is redirected back to the paper, or shown the
discussion with the error on a 4xx page when something was refused.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from paperboy.accounts.claims import approved_on
from paperboy.comments import discussion, reports
from paperboy.comments.discussion import Refused
from paperboy.comments.models import Comment
from paperboy.lib import limits
from paperboy.papers.models import Paper


def paper_context(request: HttpRequest, paper: Paper, **extra) -> dict:
    """What the paper page needs for its discussion (and its verified authors): 2 queries."""
    claimed = approved_on(paper)
    nodes = discussion.thread(paper, viewer=request.user, author_ids={c.user_id for c in claimed})
    return {
        "paper": paper,
        "claimed_authors": claimed,
        "comment_nodes": nodes,
        "comment_count": discussion.count_visible(nodes),
        "comment_max_chars": settings.PAPERBOY_COMMENT_MAX_CHARS,
        "comment_notice": "",
        "comment_error": "",
        "error_for": None,
        "draft": "",
        **extra,
    }


def _section(request: HttpRequest, paper: Paper, *, status: int = 200, **extra) -> HttpResponse:
    context = paper_context(request, paper, **extra)
    template = "comments/section.html" if request.htmx else "comments/page.html"
    return render(request, template, context, status=status)


def _visible_paper(arxiv_id: str) -> Paper:
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
    return paper


def _comment(pk: int) -> Comment:
    comment = Comment.objects.select_related("paper").filter(pk=pk, paper__hidden=False).first()
    if comment is None:
        raise Http404("That comment does not exist (any more).")
    return comment


def _done(request: HttpRequest, paper: Paper, anchor: str = "comments", **extra) -> HttpResponse:
    if request.htmx:
        return _section(request, paper, **extra)
    return redirect(f"{paper.get_absolute_url()}#{anchor}")


def _refused(request, paper, exc: Refused, *, error_for=None, draft="") -> HttpResponse:
    return _section(
        request,
        paper,
        status=exc.status,
        comment_error=exc.message,
        error_for=error_for,
        draft=draft,
    )


def _must_sign_in(request: HttpRequest, paper: Paper) -> HttpResponse:
    if request.htmx:
        return _refused(request, paper, Refused("Sign in to join the discussion.", status=403))
    return redirect_to_login(f"{paper.get_absolute_url()}#comments")


@require_POST
def post(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _visible_paper(arxiv_id)
    if not request.user.is_authenticated:
        return _must_sign_in(request, paper)
    body = request.POST.get("body", "")
    parent_id = request.POST.get("parent", "")
    parent = error_for = None
    try:
        if parent_id:
            pk = int(parent_id) if parent_id.isdigit() else 0
            parent = Comment.objects.filter(pk=pk, paper=paper).first()
            if parent is None:
                raise Refused("You are replying to a comment that does not exist.", status=404)
            if not parent.is_gone:  # later refusals show up under its reply box
                error_for = parent.pk
        message = limits.check(request, "comment")
        if message:
            raise Refused(message, status=429)
        comment = discussion.post(user=request.user, paper=paper, body=body, parent=parent)
    except Refused as exc:
        return _refused(request, paper, exc, error_for=error_for, draft=body)
    return _done(request, paper, anchor=f"comment-{comment.pk}")


@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    if not request.user.is_authenticated:
        return _must_sign_in(request, comment.paper)
    body = request.POST.get("body", "")
    try:
        discussion.edit(user=request.user, comment=comment, body=body)
    except Refused as exc:
        return _refused(request, comment.paper, exc)
    return _done(request, comment.paper, anchor=f"comment-{pk}")


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    if not request.user.is_authenticated:
        return _must_sign_in(request, comment.paper)
    try:
        discussion.delete(user=request.user, comment=comment)
    except Refused as exc:
        return _refused(request, comment.paper, exc)
    return _done(request, comment.paper)


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    if not request.user.is_authenticated:
        return _must_sign_in(request, comment.paper)
    try:
        message = limits.check(request, "report")
        if message:
            raise Refused(message, status=429)
        reports.report(
            comment=comment,
            reporter=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except Refused as exc:
        return _refused(request, comment.paper, exc)
    return _done(
        request,
        comment.paper,
        anchor=f"comment-{pk}",
        comment_notice="Thanks: the moderators will look at this comment.",
    )
