"""The API of the library app (issue 16): a member's reading list and collections with their
personal token, and Hugging Face's collection endpoints, so that an unmodified
``huggingface_hub.HfApi(endpoint=<paperboy>, token=<token>)`` can ``create_collection``,
``get_collection``, ``list_collections``, ``update_collection_metadata``,
``add_collection_item(…, item_type="paper")``, ``update_collection_item``,
``delete_collection_item`` and ``delete_collection``.

Collections are addressed like Hugging Face's, ``<owner>/<slug>-<24 hex>``
(``Collection.hub_slug``); an item by its ``_id`` (the ``CollectionItem``'s id, a string).
Every write goes through ``library.services``, which holds the rules; a private collection
is a 404 to anyone but its owner, with or without a token. Routes are added to the one
``api`` object; imported by ``api/routes.py`` before the JSON 404 catch-all, which must come
last.

- ``GET/POST /api/collections``, ``GET/PATCH/DELETE /api/collections/{owner}/{slug}``,
  ``POST /api/collections/{owner}/{slug}/items``,
  ``PATCH/DELETE /api/collections/{owner}/{slug}/items/{item_id}``: Hugging Face's.
- ``GET /api/collections/{owner}/{slug}/export.{bib|ris|json}``: citations of its papers.
- ``GET /api/library``, ``PUT/DELETE /api/library/{arxiv_id}`` (save; body ``{"read", "note"}``
  optional), ``GET /api/library/export.{bib|ris|json}``: the reading list; ``POST
  /api/library/import`` (``{"text", "collection"}``): references into it or a collection.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.html import escape, linebreaks
from ninja import Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from pydantic import Field, field_validator

from paperboy.accounts.tokens import ApiToken
from paperboy.api import shapes
from paperboy.api.api import Input, _find_paper, _text, api, token_auth
from paperboy.api.schemas import responses
from paperboy.lib import limits
from paperboy.library import exporting, importing, services
from paperboy.library.models import Collection, CollectionItem, SavedPaper
from paperboy.papers.models import Organization

ERRORS = (400, 401, 403, 404, 409, 413)
READ_ERRORS = (400, 401, 404)
MAX_LIST = 100
LIST_ITEMS = 4  # Hugging Face lists a collection's first four items; get_collection has all


def _viewer(request: HttpRequest):
    """The token's member when the request has one (a bad one is a 401), else a visitor:
    public collections are read without a token, like Hugging Face's."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return AnonymousUser()
    scheme, _, token = header.partition(" ")
    found = (
        ApiToken.authenticate(token.strip(), scope=ApiToken.Scope.API)
        if scheme.lower() == "bearer" and token.strip()
        else None
    )
    if found is None:
        raise AuthenticationError()
    request.api_token = found
    return found.user


def _refused(exc: services.Refused) -> HttpError:
    return HttpError(exc.status, str(exc))


# --- Shapes ---------------------------------------------------------------------------------


class Owner(Schema):
    name: str
    fullname: str
    type: Literal["user", "org"]


class NoteOut(Schema):
    text: str
    html: str


class ItemOut(Schema):
    id_: str = Field(alias="_id", description="The item's id in the collection.")
    id: str = Field(description="The paper's arXiv id.")
    type: Literal["paper"] = "paper"
    position: int
    title: str
    publishedAt: str  # noqa: N815 (Hugging Face's field names)
    upvotes: int
    note: NoteOut | None = None


class ListedCollection(Schema):
    """A collection in ``GET /api/collections``: its first four papers, no ``position``
    (huggingface_hub gives each its place in the list)."""

    id: str = Field(description="24 hex digits.")
    slug: str = Field(examples=["alice/reading-group-0123456789abcdef01234567"])
    title: str
    description: str | None
    owner: Owner
    items: list[ItemOut]
    lastUpdated: str  # noqa: N815
    private: bool
    theme: str = "blue"
    upvotes: int = 0
    url: str = Field(description="The collection's page on this site.")


class CollectionOut(ListedCollection):
    """One collection with all its papers."""

    position: int = Field(description="Its place among its owner's collections (always 0).")


class CollectionData(Schema):
    """``PATCH /api/collections/…`` answers ``{"data": …}``, as Hugging Face's does."""

    data: CollectionOut


class SlugOut(Schema):
    error: str
    slug: str


def _html(text: str) -> str:
    return linebreaks(escape(text))


def _item(item: CollectionItem, position: int) -> dict[str, Any]:
    paper = item.paper
    return {
        "_id": str(item.pk),
        "id": paper.arxiv_id,
        "type": "paper",
        "position": position,
        "title": paper.title,
        "publishedAt": shapes.iso(paper.published_at),
        "upvotes": paper.upvotes_count,
        "note": {"text": item.note, "html": _html(item.note)} if item.note else None,
    }


def _owner(collection: Collection) -> dict[str, str]:
    if collection.organization_id:
        org = collection.organization
        return {"name": org.slug, "fullname": org.name, "type": "org"}
    member = collection.member
    return {
        "name": member.get_username(),
        "fullname": member.get_full_name() or member.get_username(),
        "type": "user",
    }


def _collection(request, collection: Collection, *, limit: int | None = None) -> dict[str, Any]:
    items = (
        collection.items.in_order()
        .filter(paper__hidden=False)
        .select_related("paper")
        .only(
            "pk",
            "note",
            "position",
            "paper__arxiv_id",
            "paper__title",
            "paper__published_at",
            "paper__upvotes_count",
        )  # fmt: skip
    )
    if limit is not None:
        items = items[:limit]
    return {
        "id": collection.hub_id,
        "slug": collection.hub_slug,
        "title": collection.title,
        "description": collection.description or None,
        "owner": _owner(collection),
        "items": [_item(item, n) for n, item in enumerate(items)],
        "lastUpdated": shapes.iso(collection.updated_at),
        "position": 0,
        "private": not collection.public,
        "theme": "blue",
        "upvotes": 0,
        "url": request.build_absolute_uri(collection.get_absolute_url()),
    }


def _find(request, owner: str, slug: str, *, viewer, edit: bool = False) -> Collection:
    hub_slug = _text(f"{owner}/{slug}", "slug", max_chars=300)
    try:
        return services.collection_by_hub_slug(hub_slug, viewer=viewer, edit=edit)
    except services.Refused as exc:
        raise _refused(exc) from None


# --- Hugging Face's collection endpoints -----------------------------------------------------


@api.get(
    "/collections",
    response=list[ListedCollection],
    by_alias=True,
    tags=["collections"],
    summary="Collections (Hugging Face-compatible): public ones, and your private ones",
    openapi_extra=responses(errors=READ_ERRORS),
)
def list_collections(
    request,
    owner: str | None = Query(None, max_length=150, description="A username or organization"),
    item: str | None = Query(None, max_length=300, description="papers/<arXiv id>"),
    sort: Literal["lastModified", "trending", "upvotes"] = "lastModified",
    limit: int = Query(MAX_LIST, ge=1, le=MAX_LIST),
):
    viewer = _viewer(request)
    found = Collection.objects.visible_to(viewer).select_related("member", "organization")
    owner = _text(owner, "owner", max_chars=150)
    if owner:
        found = found.filter(member__username=owner) | found.filter(organization__slug=owner)
    item = _text(item, "item", max_chars=300)
    if item:
        kind, _, arxiv_id = item.partition("/")
        if kind != "papers":
            return []  # this site's collections hold papers only
        found = found.filter(items__paper__arxiv_id=arxiv_id.strip())
    found = found.distinct().order_by("-updated_at", "-id")[:limit]
    listed = [_collection(request, c, limit=LIST_ITEMS) for c in found]
    for collection in listed:
        del collection["position"]
    return listed


@api.get(
    "/collections/{owner}/{slug}",
    response=CollectionOut,
    by_alias=True,
    tags=["collections"],
    summary="One collection with all its papers (Hugging Face-compatible)",
    openapi_extra=responses(errors=READ_ERRORS),
)
def get_collection(request, owner: str, slug: str):
    return _collection(request, _find(request, owner, slug, viewer=_viewer(request)))


class CollectionIn(Input):
    title: str = Field(..., min_length=1, max_length=limits.COLLECTION_TITLE_CHARS)
    namespace: str | None = Field(None, max_length=150, description="You or an organization.")
    description: str | None = Field(None, max_length=limits.COLLECTION_DESCRIPTION_CHARS)
    private: bool = False


@api.post(
    "/collections",
    auth=token_auth,
    response={200: CollectionOut, 409: SlugOut},
    by_alias=True,
    tags=["collections"],
    summary="Create a collection (Hugging Face-compatible; 409 with its slug when the title "
    "is taken)",
    # 409 is SlugOut (huggingface_hub's exists_ok reads the slug from it), not the plain Error.
    openapi_extra=responses(errors=tuple(e for e in ERRORS if e != 409)),
)
def create_collection(request, body: CollectionIn):
    member = request.auth
    organization = None
    if body.namespace and body.namespace != member.get_username():
        organization = Organization.objects.filter(slug=body.namespace).first()
        # A non-member is refused before the title check, which would tell them whether a
        # private collection of that title exists.
        if organization is None or not organization.memberships.filter(user=member).exists():
            raise HttpError(403, f"You cannot create collections for “{body.namespace[:60]}”.")
    owned = (
        Collection.objects.owned_by_org(organization)
        if organization
        else Collection.objects.owned_by_member(member)
    )
    same = owned.filter(title__iexact=body.title.strip()).select_related("member", "organization")
    if same.exists():
        existing = same.first()
        return Status(
            409, {"error": "A collection with this title exists.", "slug": existing.hub_slug}
        )
    try:
        made = services.create_collection(
            by=member,
            title=body.title,
            description=body.description or "",
            public=not body.private,
            organization=organization,
        )
    except services.Refused as exc:
        raise _refused(exc) from None
    return _collection(request, made)


def _whole(value: Any) -> Any:
    """JSON's 3.0 is the integer 3 (as JSON Schema counts it); the strict models would refuse it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class CollectionPatchIn(Input):
    title: str | None = Field(None, min_length=1, max_length=limits.COLLECTION_TITLE_CHARS)
    description: str | None = Field(None, max_length=limits.COLLECTION_DESCRIPTION_CHARS)
    private: bool | None = None
    position: int | None = Field(None, description="Accepted and ignored.")
    theme: str | None = Field(None, max_length=40, description="Accepted and ignored.")

    _position = field_validator("position", mode="before")(_whole)


@api.patch(
    "/collections/{owner}/{slug}",
    auth=token_auth,
    response=CollectionData,
    by_alias=True,
    tags=["collections"],
    summary="Change a collection's title, description or privacy (Hugging Face-compatible)",
    openapi_extra=responses(errors=ERRORS),
)
def update_collection(request, owner: str, slug: str, body: CollectionPatchIn):
    found = _find(request, owner, slug, viewer=request.auth, edit=True)
    try:
        services.update_collection(
            found,
            by=request.auth,
            title=body.title,
            description=body.description,
            public=None if body.private is None else not body.private,
        )
    except services.Refused as exc:
        raise _refused(exc) from None
    return {"data": _collection(request, found)}


class Deleted(Schema):
    deleted: bool = True


@api.delete(
    "/collections/{owner}/{slug}",
    auth=token_auth,
    response=Deleted,
    tags=["collections"],
    summary="Delete a collection (Hugging Face-compatible)",
    openapi_extra=responses(errors=ERRORS),
)
def delete_collection(request, owner: str, slug: str):
    found = _find(request, owner, slug, viewer=request.auth, edit=True)
    services.delete_collection(found, by=request.auth)
    return {"deleted": True}


class ItemRefIn(Input):
    id: str = Field(..., min_length=1, max_length=200, examples=["2510.12345"])
    type: Literal["paper"] = Field(description="Only papers: this site has no models.")


class ItemIn(Input):
    item: ItemRefIn
    note: str | None = Field(None, max_length=limits.ITEM_NOTE_CHARS)


@api.post(
    "/collections/{owner}/{slug}/items",
    auth=token_auth,
    response=CollectionOut,
    by_alias=True,
    tags=["collections"],
    summary="Add a paper to a collection (Hugging Face-compatible; 409 when it is there)",
    openapi_extra=responses(errors=ERRORS),
)
def add_collection_item(request, owner: str, slug: str, body: ItemIn):
    found = _find(request, owner, slug, viewer=request.auth, edit=True)
    paper = _find_paper(body.item.id)
    if found.items.filter(paper=paper).exists():
        raise HttpError(409, f"{paper.arxiv_id} is already in this collection.")
    try:
        services.add_item(found, by=request.auth, paper=paper, note=body.note or "")
    except services.Refused as exc:
        raise _refused(exc) from None
    found.refresh_from_db(fields=["updated_at"])
    return _collection(request, found)


class ItemPatchIn(Input):
    note: str | None = Field(None, max_length=limits.ITEM_NOTE_CHARS)
    position: int | None = Field(None, ge=0, le=limits.MAX_COLLECTION_ITEMS)

    _position = field_validator("position", mode="before")(_whole)


def _item_of(found: Collection, item_id: str) -> CollectionItem:
    item = (
        found.items.filter(pk=int(item_id)).select_related("paper").first()
        if re.fullmatch(r"[0-9]{1,17}", item_id)
        else None
    )
    if item is None:
        raise HttpError(404, "There is no such item in this collection.")
    return item


@api.patch(
    "/collections/{owner}/{slug}/items/{item_id}",
    auth=token_auth,
    response=CollectionOut,
    by_alias=True,
    tags=["collections"],
    summary="Change a paper's note or position in a collection (Hugging Face-compatible)",
    openapi_extra=responses(errors=ERRORS),
)
def update_collection_item(request, owner: str, slug: str, item_id: str, body: ItemPatchIn):
    found = _find(request, owner, slug, viewer=request.auth, edit=True)
    item = _item_of(found, _text(item_id, "item_id", max_chars=40))
    try:
        if body.note is not None:
            services.set_item_note(found, by=request.auth, paper=item.paper_id, note=body.note)
        if body.position is not None:
            services.move_item(found, by=request.auth, paper=item.paper_id, to=body.position)
    except services.Refused as exc:
        raise _refused(exc) from None
    return _collection(request, found)


@api.delete(
    "/collections/{owner}/{slug}/items/{item_id}",
    auth=token_auth,
    response=Deleted,
    tags=["collections"],
    summary="Take a paper out of a collection (Hugging Face-compatible)",
    openapi_extra=responses(errors=ERRORS),
)
def delete_collection_item(request, owner: str, slug: str, item_id: str):
    found = _find(request, owner, slug, viewer=request.auth, edit=True)
    item = _item_of(found, _text(item_id, "item_id", max_chars=40))
    services.remove_item(found, by=request.auth, paper=item.paper_id)
    return {"deleted": True}


Ext = Literal["bib", "ris", "json"]


@api.get(
    "/collections/{owner}/{slug}/export.{ext}",
    response={200: None},
    tags=["collections"],
    summary="A collection's papers as BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)",
    openapi_extra=responses(errors=READ_ERRORS),
)
def export_collection(request, owner: str, slug: str, ext: Ext):
    found = _find(request, owner, slug, viewer=_viewer(request))
    return exporting.response(exporting.collection_ids(found), ext=ext, name=found.slug)


# --- The reading list -----------------------------------------------------------------------


READING_LIST_PARAMS = {"sort", "read", "q", "p", "limit"}
READING_LIST_HELP = ", ".join(sorted(READING_LIST_PARAMS))


class SavedOut(Schema):
    id: str = Field(description="The paper's arXiv id.")
    title: str
    savedAt: str  # noqa: N815
    read: bool
    note: str


def _saved(saved: SavedPaper) -> dict[str, Any]:
    return {
        "id": saved.paper.arxiv_id,
        "title": saved.paper.title,
        "savedAt": shapes.iso(saved.saved_at),
        "read": saved.read,
        "note": saved.note,
    }


@api.get(
    "/library",
    auth=token_auth,
    response=list[SavedOut],
    tags=["library"],
    summary="Your reading list (saved papers, with read state and your private notes)",
    openapi_extra=responses(errors=(400, 401)),
)
def reading_list(
    request,
    sort: Literal["saved", "published", "title"] = "saved",
    read: Literal["all", "read", "unread"] = "all",
    q: str | None = Query(None, max_length=200),
    p: int = Query(0, ge=0, le=100_000, description="Page number, from 0."),
    limit: int = Query(50, ge=1, le=MAX_LIST),
):
    unknown = sorted(set(request.GET) - READING_LIST_PARAMS)
    if unknown:  # a misspelt filter would otherwise list everything
        raise HttpError(400, f"Unknown parameter {unknown[0][:40]!r}; use {READING_LIST_HELP}.")
    rows = SavedPaper.objects.for_reading_list(
        request.auth, q=_text(q, "q", max_chars=200), sort=sort, read=read
    ).select_related("paper")
    return [_saved(s) for s in rows[p * limit : (p + 1) * limit]]


@api.get(
    "/library/export.{ext}",
    auth=token_auth,
    response={200: None},
    tags=["library"],
    summary="Your reading list as BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)",
    openapi_extra=responses(errors=(400, 401, 404)),
)
def export_reading_list(request, ext: Ext):
    ids = exporting.reading_list_ids(request.auth)
    return exporting.response(ids, ext=ext, name="reading-list")


class ImportIn(Input):
    text: str = Field(
        ...,
        min_length=1,
        max_length=60_000,
        pattern=r"^[^\u0000]*\S[^\u0000]*$",  # something to import, and no NUL
        description="A BibTeX, RIS or CSL-JSON export, or arXiv ids, links or DOIs (the "
        "request body is at most 64 KB: larger files go through /library/import).",
    )
    collection: str | None = Field(
        None,
        max_length=300,
        description="A collection's id (owner/slug-hex); default: the reading list.",
    )


class ImportedOut(Schema):
    number: int
    label: str
    status: Literal["matched", "fetched", "unmatched"]
    reason: str
    id: str | None = Field(description="The paper's arXiv id, when found.")


class ImportOut(Schema):
    format: str
    summary: str
    added: int
    notes: list[str]
    entries: list[ImportedOut]


@api.post(
    "/library/import",
    auth=token_auth,
    response=ImportOut,
    tags=["library"],
    summary="Import references into your reading list or a collection: matched, fetched "
    "and unmatched entries with reasons",
    openapi_extra=responses(errors=(*ERRORS, 429)),
)
def import_references(request, body: ImportIn):
    request.user = request.auth  # the import limit counts per member, as on the web page
    refusal = limits.check(request, "import")
    if refusal:
        raise HttpError(429, refusal)
    collection = None
    if body.collection:
        owner, _, slug = body.collection.strip("/").partition("/")
        collection = _find(request, owner, slug, viewer=request.auth, edit=True)
    try:
        report = importing.run(body.text, member=request.auth, collection=collection)
    except (importing.Refused, services.Refused) as exc:
        raise HttpError(exc.status, str(exc)) from None
    return {
        "format": report.format,
        "summary": report.summary,
        "added": report.added,
        "notes": report.notes,
        "entries": [
            {
                "number": o.reference.number,
                "label": o.reference.label,
                "status": o.status,
                "reason": o.reason,
                "id": o.arxiv_id or None,
            }
            for o in report.outcomes
        ],
    }


class SaveIn(Input):
    read: bool | None = None
    note: str | None = Field(None, max_length=limits.SAVED_NOTE_CHARS)


@api.put(
    "/library/{anypath:arxiv_id}",
    auth=token_auth,
    response=SavedOut,
    tags=["library"],
    summary="Save a paper to your reading list (idempotent); optionally mark it read or "
    "set your note",
    openapi_extra=responses(errors=ERRORS),
)
def save_paper(request, arxiv_id: str, body: SaveIn | None = None):
    paper = _find_paper(arxiv_id)
    try:
        saved = services.save(member=request.auth, paper=paper)
        if body is not None and body.read is not None:
            saved = services.mark_read(member=request.auth, paper=paper, read=body.read)
        if body is not None and body.note is not None:
            saved = services.set_note(member=request.auth, paper=paper, note=body.note)
    except services.Refused as exc:
        raise _refused(exc) from None
    saved.paper = paper
    return _saved(saved)


@api.delete(
    "/library/{anypath:arxiv_id}",
    auth=token_auth,
    response=Deleted,
    tags=["library"],
    summary="Take a paper off your reading list",
    openapi_extra=responses(errors=ERRORS),
)
def unsave_paper(request, arxiv_id: str):
    paper = _find_paper(arxiv_id)
    return {"deleted": services.unsave(member=request.auth, paper=paper)}
