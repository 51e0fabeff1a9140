"""Library pages: the reading list (``/library``), the Save toggle, read state and notes, the
collections (``/collections``, ``/u/<username>/collections/<slug>``,
``/<org>/collections/<slug>``) and adding a paper to one from its page.

Views are thin: they read a form, fetch through ``library.services``'s permission look-ups,
call its writes, and answer a page, or an htmx fragment of ``library/partials.html``. A refusal
(``services.Refused``) is a 404 page for what the reader may not see, else a page with its
status and message. The reading list and a collection page run a fixed number of queries
whatever their length (tests assert it). A public collection's page is cached for visitors and
for members who may not edit it (``lib.pagecache``: their card parts filled in); the reading
list's cards and an editor's come from ``library.cardcache``, its rows' controls from
``library.rows``. Each member's reading list and collection pages are then kept as rendered
for them (``lib.memberpage``), under the stamps ``services`` bumps on every write that changes
them (``member_scope``: their saves, read marks, notes, upvotes, memberships;
``collection_scope``: a collection's papers, text and visibility).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperboy.feed import cards
from paperboy.lib import limits, paging
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.memberpage import cache_for_member
from paperboy.lib.pagecache import cache_for_visitors
from paperboy.library import cardcache, services
from paperboy.library.forms import (
    READ_STATES,
    SORTS,
    CollectionForm,
    NewCollectionForm,
    ReadingListForm,
)
from paperboy.library.models import Collection, CollectionItem, SavedPaper
from paperboy.library.rows import controls as row_controls
from paperboy.library.rows import item_controls
from paperboy.library.rows import row as row_html
from paperboy.library.services import Refused
from paperboy.papers.models import Organization, Paper


def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    if exc.status == 404:
        raise Http404(str(exc))
    if request.htmx:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain")
    return render(request, "library/refused.html", {"message": str(exc)}, status=exc.status)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _paper(pk: int) -> Paper:
    paper = Paper.objects.visible().only("pk", "arxiv_id", "title").filter(pk=pk).first()
    if paper is None:
        raise Http404("There is no such paper in the catalog.")
    return paper


def _here(request: HttpRequest, paper: Paper) -> str:
    """The page an htmx request came from (where a plain form post goes back to)."""
    return (request.htmx.current_url_abs_path if request.htmx else "") or paper.get_absolute_url()


# --- The reading list --------------------------------------------------------------------------


def _reading_list_scopes(request: HttpRequest) -> list[str]:
    return [services.member_scope(request.user.pk)]


@login_required
@require_GET
@cache_for_member(scopes=_reading_list_scopes)
def reading_list(request: HttpRequest) -> HttpResponse:
    """``/library``: the papers the member saved, filtered, sorted and paged."""
    form = ReadingListForm(request.GET)
    chosen = form.values()
    rows = SavedPaper.objects.for_reading_list(request.user, **chosen)
    page = _page_of(request, rows, SavedPaper.objects.for_cards())
    saved = page.object_list
    built = cards.for_papers([s.paper for s in saved], reader=request.user)
    token, here = get_token(request), request.get_full_path()
    controls = [row_controls(s, csrf_token=token, next_url=here) for s in saved]
    rows = [
        (s, card, ctrl, html and row_html(s, card_html=html, controls=ctrl))
        for s, card, ctrl, html in zip(
            saved, built, controls, cardcache.render(built, request), strict=True
        )
    ]
    kept = {k: v for k, v in chosen.items() if v and v != {"sort": "saved", "read": "all"}.get(k)}
    return render(
        request,
        "library/reading_list.html",
        {
            "rows": rows,
            "page": page,
            "chosen": chosen,
            "sorts": SORTS,
            "read_states": READ_STATES,
            "pager_query": urlencode(kept) + "&" if kept else "",
            "filtered": bool(chosen["q"]) or chosen["read"] != "all",
            "total": page.paginator.count,
            "note_chars": limits.SAVED_NOTE_CHARS,
        },
    )


def _page_of(request: HttpRequest, ordered, rows):
    """The page of ``ordered`` that ``?p=`` asks for, as ``rows`` (what the page shows) in that
    order: the ids walk the owner's own index, then the page's rows are fetched by primary
    key (``lib.paging.page_by_ids`` keeps the order on that second query, which makes SQLite
    walk the whole index again)."""
    page = paging.page(request, ordered.values_list("pk", flat=True))
    ids = list(page.object_list)
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()} if ids else {}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def _save_toggle(request: HttpRequest, pk: int, *, add: bool) -> HttpResponse:
    paper = _paper(pk)
    if not request.user.is_authenticated:
        if request.htmx:
            login = f"{reverse('account_login')}?{urlencode({'next': _here(request, paper)})}"
            return render(
                request,
                "library/partials.html#save",
                {"paper": paper, "saved": False, "login_url": login},
            )
        return redirect_to_login(_back(request, paper.get_absolute_url()))
    try:
        if add:
            services.save(member=request.user, paper=paper)
        else:
            services.unsave(member=request.user, paper=paper)
    except Refused as exc:
        return _refused(request, exc)
    if request.htmx:
        return render(
            request,
            "library/partials.html#save",
            {"paper": paper, "saved": add, "next_url": _here(request, paper)},
        )
    return redirect(_back(request, paper.get_absolute_url()))


@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_toggle(request, pk, add=True)


@require_POST
def unsave(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_toggle(request, pk, add=False)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _paper(pk)
    try:
        saved = services.mark_read(
            member=request.user, paper=paper, read=request.POST.get("read") == "1"
        )
    except Refused as exc:
        return _refused(request, exc)
    if request.htmx:
        return render(request, "library/partials.html#read", {"saved": saved, "paper": paper})
    return redirect(_back(request, reverse("library:reading_list")))


def _note_limits() -> dict:
    return {"note_chars": limits.SAVED_NOTE_CHARS}


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _paper(pk)
    typed = request.POST.get("note", "")
    try:
        saved = services.set_note(member=request.user, paper=paper, note=typed)
    except Refused as exc:
        if not request.htmx or exc.status != 400:
            return _refused(request, exc)
        # htmx swaps only 2xx answers: the box again, with why and what was typed, unsaved.
        saved = SavedPaper.objects.filter(member=request.user, paper=paper).first()
        context = {"saved": saved, "paper": paper, "error": str(exc), "typed": typed}
        return render(request, "library/partials.html#note", context | _note_limits())
    if request.htmx:
        context = {"saved": saved, "paper": paper, "just_saved": True}
        return render(request, "library/partials.html#note", context | _note_limits())
    return redirect(_back(request, reverse("library:reading_list")))


# --- Collections -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest) -> HttpResponse:
    """``/collections``: the member's collections and their organizations'; a new one."""
    organizations = list(request.user.organizations.order_by("name"))
    form = NewCollectionForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.create_collection(
                by=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                public=form.cleaned_data["public"],
                organization=form.organization(),
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(collection.get_absolute_url())
    mine = (
        Collection.objects.editable_by(request.user)
        .select_related("member", "organization")
        .with_item_count()
        .order_by("-updated_at", "-id")
    )
    return render(
        request,
        "library/collections.html",
        {"collections": mine, "form": form},
        status=400 if form.errors else 200,
    )


def _collection(request: HttpRequest, username, org, slug, *, edit: bool = False) -> Collection:
    return services.collection_at(
        owner=org or username, slug=slug, org=org is not None, viewer=request.user, edit=edit
    )


def _reader_context(
    request: HttpRequest, slug: str, username: str | None = None, org: str | None = None
) -> dict | None:
    """For the page cache: a reader who may edit the collection gets the page rendered for
    them (its controls); any other member the visitors' copy with their card parts."""
    try:
        found = _collection(request, username, org, slug)
    except Refused:
        return None
    return None if services.can_edit(found, request.user) else {}


def _collection_scopes(
    request: HttpRequest, slug: str, username: str | None = None, org: str | None = None
) -> list[str]:
    """A member's copy of a collection page (as they see it: with an editor's controls, or the
    visitors' copy with their card parts) is keyed by the collection's stamp (its papers, title,
    visibility) and the member's own (their saves, upvotes, organizations)."""
    return [
        services.collection_scope(owner=org or username or "", slug=slug, org=org is not None),
        services.member_scope(request.user.pk),
    ]


@require_GET
@cache_for_member(scopes=_collection_scopes)
@cache_for_visitors(members=_reader_context, query=services.cached_query)
def collection(
    request: HttpRequest, slug: str, username: str | None = None, org: str | None = None
) -> HttpResponse:
    """A collection's page: its papers in order, for anyone who may see it."""
    try:
        found = _collection(request, username, org, slug)
    except Refused as exc:
        return _refused(request, exc)
    return render(request, "library/collection.html", _collection_context(request, found))


def _collection_context(request: HttpRequest, found: Collection) -> dict:
    items = CollectionItem.objects.filter(collection=found).in_order()
    page = _page_of(request, items, CollectionItem.objects.for_cards())
    rows = page.object_list
    built = cards.for_papers([i.paper for i in rows], reader=request.user)
    editable = services.can_edit(found, request.user)
    first = page.start_index() - 1 if rows else 0
    controls: list = [None] * len(rows)
    if editable:
        token, base = get_token(request), found.get_absolute_url() + "/items/"
        last = len(rows) - 1
        controls = [
            item_controls(
                item,
                title=item.paper.title,
                base=base,
                page_number=page.number,
                position=first + n + 1,
                up_disabled=page.number == 1 and n == 0,
                down_disabled=not page.has_next() and n == last,
                public=found.public,
                csrf_token=token,
            )
            for n, item in enumerate(rows)
        ]
    return {
        "collection": found,
        "rows": list(zip(rows, built, cardcache.render(built, request), controls, strict=True)),
        "page": page,
        "first_index": first,
        "editable": editable,
        "item_note_chars": limits.ITEM_NOTE_CHARS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(
    request: HttpRequest, slug: str, username: str | None = None, org: str | None = None
) -> HttpResponse:
    try:
        found = _collection(request, username, org, slug, edit=True)
    except Refused as exc:
        return _refused(request, exc)
    initial = {"title": found.title, "description": found.description, "public": found.public}
    form = CollectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_collection(found, by=request.user, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Collection saved.")
            return redirect(found.get_absolute_url())
    return render(
        request,
        "library/collection_edit.html",
        {"collection": found, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def collection_delete(
    request: HttpRequest, slug: str, username: str | None = None, org: str | None = None
) -> HttpResponse:
    try:
        found = _collection(request, username, org, slug, edit=True)
        services.delete_collection(found, by=request.user)
    except Refused as exc:
        return _refused(request, exc)
    messages.success(request, f"Deleted the collection “{found.title}”.")
    return redirect("library:collections")


@login_required
@require_POST
def collection_add(
    request: HttpRequest, slug: str, username: str | None = None, org: str | None = None
) -> HttpResponse:
    """Add a paper by its arXiv id or link (the collection page's form)."""
    try:
        found = _collection(request, username, org, slug, edit=True)
    except Refused as exc:
        return _refused(request, exc)
    try:
        arxiv_id = parse_arxiv_id(request.POST.get("paper", "")).base
        paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
        if paper is None:
            raise Refused(f"There is no paper {arxiv_id} in the catalog yet.")
        services.add_item(found, by=request.user, paper=paper)
    except (InvalidArxivId, Refused) as exc:
        messages.error(request, str(exc))
    return redirect(found.get_absolute_url())


@login_required
@require_POST
def collection_item(
    request: HttpRequest,
    slug: str,
    pk: int,
    action: str,
    username: str | None = None,
    org: str | None = None,
) -> HttpResponse:
    """Move (``offset`` -1/+1, or ``to`` a 1-based place), remove, or annotate one paper."""
    try:
        found = _collection(request, username, org, slug, edit=True)
        if action == "move":
            offset, to = request.POST.get("offset", ""), request.POST.get("to", "")
            if re.fullmatch(r"[0-9]{1,6}", to.strip()):
                services.move_item(found, by=request.user, paper=pk, to=int(to) - 1)
            elif offset in ("-1", "1", "+1"):
                services.move_item(found, by=request.user, paper=pk, offset=int(offset))
            else:
                raise Refused("Move a paper up, down, or to a place given as a number.")
        elif action == "remove":
            services.remove_item(found, by=request.user, paper=pk)
        elif action == "note":
            services.set_item_note(found, by=request.user, paper=pk, note=request.POST.get("note"))
        else:
            raise Http404("No such action.")
    except Refused as exc:
        if exc.status == 400 and not request.htmx:
            messages.error(request, str(exc))
            return redirect(_back(request, found.get_absolute_url()))
        return _refused(request, exc)
    if request.htmx:
        return render(request, "library/partials.html#items", _collection_context(request, found))
    return redirect(_back(request, found.get_absolute_url()))


@require_GET
@cache_for_visitors(query=lambda query: query == "")
def org_collections(request: HttpRequest, org: str) -> HttpResponse:
    """``/<org>/collections``: an organization's public collections; for htmx (the slot on the
    organization's page) the list alone, never cached, so a collection made private or deleted
    leaves it at once. The page is cached for visitors at its bare address only, which
    ``services`` drops on such a change."""
    organization = Organization.objects.filter(slug=org).first()
    if organization is None:
        raise Http404("There is no such organization.")
    listed = list(
        Collection.objects.owned_by_org(organization)
        .filter(public=True)
        .select_related("member", "organization")
        .with_item_count()
        .order_by("-updated_at", "-id")[:50]
    )
    context = {"organization": organization, "collections": listed, "is_me": False}
    if request.htmx:
        return render(request, "library/owner_collections.html", context)
    return render(request, "library/org_collections.html", context)


@require_GET
def hub_collection(request: HttpRequest, owner: str, hub_slug: str) -> HttpResponse:
    """``/collections/<owner>/<slug>-<id>``, Hugging Face's address of a collection: its page."""
    try:
        found = services.collection_by_hub_slug(f"{owner}/{hub_slug}", viewer=request.user)
    except Refused as exc:
        return _refused(request, exc)
    return redirect(found.get_absolute_url(), permanent=False)


# --- A paper's page: which of my collections hold it --------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def paper_collections(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper page's "Add to collection" box: GET lists the member's collections with a
    tick for those holding the paper; POST ``collection``, ``action`` add/remove."""
    paper = _paper(pk)
    if request.method == "POST":
        try:
            found = services.collection_by_id(
                int(request.POST.get("collection", "0") or 0), viewer=request.user, edit=True
            )
            if request.POST.get("action") == "remove":
                services.remove_item(found, by=request.user, paper=paper)
            else:
                services.add_item(found, by=request.user, paper=paper)
        except ValueError:
            raise Http404("No such collection.") from None
        except Refused as exc:
            return _refused(request, exc)
        if not request.htmx:
            return redirect(_back(request, paper.get_absolute_url()))
    return render(
        request,
        "library/partials.html#paper_collections",
        {"paper": paper, "choices": services.collections_for_paper(request.user, paper)},
    )
