"""The JSON API at ``/api/``: Hugging Face-compatible reads, token-authenticated writes, export.

Reads use the paths, parameters and field names of huggingface.co (see ``shapes.py``), so
``huggingface_hub.HfApi(endpoint=…)`` works against a Paperboy server. Writes take a personal
token (``Authorization: Bearer pb_…``, created at ``/settings/tokens``) and go through the same
workflow modules as the web forms. Every error is JSON ``{"error": "…"}`` with a 4xx status.
The OpenAPI document is ``/api/openapi.json``; interactive docs are at ``/api/docs``.

``/api/daily_papers`` and ``/api/papers/<id>`` answer requests without a token or session from
the visitors' page cache (``lib.pagecache``), like the list and paper pages: one answer per
``PAPERBOY_LIST_CACHE_SECONDS`` serves every such reader. With a token they are always live.
"""

from __future__ import annotations

import logging
import re
from functools import wraps
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.urls import URLPattern, register_converter
from django.utils import timezone
from django.utils.html import strip_tags
from ninja import NinjaAPI, Query, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from paperboy.accounts.tokens import ApiToken
from paperboy.api import cursors, schemas, shapes
from paperboy.api import export as exporting
from paperboy.api.schemas import ref, responses
from paperboy.comments import discussion
from paperboy.comments.models import Comment
from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest import submission
from paperboy.lib import dates, limits
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.pagecache import cache_for_visitors
from paperboy.lib.query import MAX_QUERY_CHARS
from paperboy.lib.text import BadInput, clean_input
from paperboy.papers.models import Paper, PaperAuthor
from paperboy.search import engine


class AnyPath:
    """Like Django's ``path`` converter, but also across newlines, so that no odd id falls
    through to the site's HTML 404 page."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyPath, "anypath")

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    pass


def check_body_size(request: HttpRequest) -> None:
    """Writes never need more than a few kilobytes: refuse bigger bodies before reading them."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise BodyTooLarge()


class TokenAuth(HttpBearer):
    """A personal API token; the request's ``auth`` is its user. Every endpoint that takes a
    body needs a token, so the body size is checked here, before anything reads it."""

    def __call__(self, request: HttpRequest):
        check_body_size(request)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        found = ApiToken.authenticate(token.strip(), scope=ApiToken.Scope.API)
        if found is None:
            return None
        request.api_token = found
        return found.user


class PaperboyAPI(NinjaAPI):
    """django-ninja answers a known path with a wrong method by a plain-text 405: here it is
    JSON like every other error (the ``Allow`` header kept)."""

    def get_openapi_schema(self, **kwargs):
        """Add the Hugging Face shapes the read endpoints answer with (``schemas.py``)."""
        document = super().get_openapi_schema(**kwargs)
        document.setdefault("components", {}).setdefault("schemas", {}).update(schemas.components())
        daily = document["paths"].get("/api/daily_papers", {}).get("get", {})
        kinds = {"date": "DAY", "week": "WEEK", "month": "MONTH"}
        for parameter in daily.get("parameters", []):
            if parameter["name"] in kinds:
                form = PERIOD_FORMS[kinds[parameter["name"]]].pattern
                parameter["schema"]["pattern"] = f"^(?:{form})?$"  # empty: not given
        _no_nul(document)
        return document

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_not_allowed(pattern.callback)
        return patterns


def _no_nul(document: dict) -> None:
    """Say in the document what ``lib.text`` refuses: no text sent to the API (parameters and
    bodies) may hold a NUL character."""
    inputs = [
        schema
        for name, schema in document.get("components", {}).get("schemas", {}).items()
        if name.endswith("In")
    ]
    strings = [p["schema"] for path in document["paths"].values() for op in path.values()
               for p in op.get("parameters", [])]  # fmt: skip
    strings += [prop for schema in inputs for prop in schema.get("properties", {}).values()]
    for schema in strings:
        types = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
        if "string" in types and "pattern" not in schema and "enum" not in schema:
            schema["pattern"] = "^[^\\u0000]*$"


def _json_not_allowed(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            message = f"{request.method} is not allowed here; use {allowed}."
            response = error(request, message, 405)
            response["Allow"] = allowed
        return response

    return wrapper


api = PaperboyAPI(
    title="Paperboy API",
    version="1",
    description=(
        "Hugging Face-compatible daily papers API, plus writes with personal tokens. "
        "Errors are JSON objects with an `error` message."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
token_auth = TokenAuth()


# --- Errors ----------------------------------------------------------------------------------


def error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"error": message}, status=status)


def _describe(errors: list[dict]) -> str:
    parts = []
    for e in errors[:3]:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request."


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return error(request, _describe(exc.errors), 400)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    response = error(request, "A valid API token is required: Authorization: Bearer <token>.", 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return error(request, "The request body is not UTF-8.", 400)
    if isinstance(exc.__cause__, ValueError):  # json.JSONDecodeError
        return error(request, "The request body is not valid JSON.", 400)
    return error(request, str(exc), exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, str(exc) or "Not found.", 404)


@api.exception_handler(BodyTooLarge)
def _too_large(request, exc):
    return error(request, f"The request body is over {MAX_BODY_BYTES} bytes.", 413)


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    """A fault of ours still answers in JSON, never with the site's HTML 500 page; it is logged
    like any other server error (``django.request``)."""
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return error(request, "Something went wrong on our side; it has been logged.", 500)


def _text(value: str | None, name: str, *, max_chars: int = MAX_QUERY_CHARS) -> str:
    """A query-string value that is safe to put in SQL on either database."""
    try:
        value = clean_input(value or "", name=name)
    except BadInput as exc:
        raise HttpError(400, str(exc)) from None
    if len(value) > max_chars:
        raise HttpError(400, f"{name} is longer than {max_chars} characters.")
    return value


# --- Reads (Hugging Face-compatible) ----------------------------------------------------------

Sort = Literal["publishedAt", "trending"]


def _papers_with_authors(qs):
    return qs.prefetch_related(
        Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author"))
    )


def daily_entries(
    *,
    date: str = "",
    week: str = "",
    month: str = "",
    submitter: str = "",
    sort: str = "publishedAt",
):
    """The entries ``/api/daily_papers`` lists: the same QuerySets as the list pages.

    A date, week or month gives that period (most upvoted first, like the page; by trending
    score with ``sort=trending``); two or three of them give the days they share (a date
    and the month it is in: that date; a week and a month: the week's days in the month).
    Without one: ``sort=trending`` is the trending page, a ``submitter`` gets all their
    entries newest first, and otherwise it is the latest day that
    has papers, like ``/papers``. Raises ``BadPeriod``.
    """
    given = [(kind, text) for kind, text in ((dates.DAY, date), (dates.WEEK, week),
                                              (dates.MONTH, month)) if text]  # fmt: skip
    entries = DailyEntry.objects.all()
    if submitter:
        entries = entries.filter(
            Q(submitted_by__username=submitter)
            | Q(submitted_by__isnull=True, external_submitter=submitter)
        )
    if given:
        periods = [dates.PARSERS[kind](text) for kind, text in given]
        start, end = max(p.start for p in periods), min(p.end for p in periods)
        entries = entries.between(start, end) if start <= end else entries.none()
    elif sort != "trending" and not submitter:
        entries = entries.filter(day=DailyEntry.objects.latest_day(timezone.localdate()))
    if sort == "trending":
        entries = entries.trending()
    elif submitter and not given:
        entries = entries.for_list().order_by("-day", "-submitted_at", "pk")
    else:
        entries = entries.for_list()
    return entries.select_related("submitted_by")


def _page(entries, *, start: int, stop: int) -> list[DailyEntry]:
    """A slice of ``entries`` in two steps, like the list pages: the ordered ids (an index walk
    that does not drag abstracts through SQLite's sorter), then those rows."""
    ids = list(entries.values_list("pk", flat=True)[start:stop])
    rows = entries.order_by().in_bulk(ids) if ids else {}
    return [rows[pk] for pk in ids if pk in rows]


def _prefetch_authors(entries: list[DailyEntry]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [e.paper for e in entries],
        Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author")),
    )


READ_ERRORS = (400, 404)

# How a date, week and month are written; one that is written so but is not in the calendar
# (2025-02-30) is a 404. Put in the OpenAPI document by PaperboyAPI; lib.dates checks them (with
# messages that say how to write them, which a pattern enforced by the schema would not).
PERIOD_FORMS = {
    "DAY": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "WEEK": re.compile(r"[0-9]{4}-W[0-9]{2}"),
    "MONTH": re.compile(r"[0-9]{4}-[0-9]{2}"),
}


WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 429, 503)


@api.get(
    "/daily_papers",
    tags=["papers"],
    summary="Daily papers (Hugging Face-compatible)",
    openapi_extra=responses({200: {"type": "array", "items": ref("DailyItem")}}, READ_ERRORS),
)
@decorate_view(cache_for_visitors)
def daily_papers(
    request,
    p: int = Query(0, ge=0, le=100_000, description="Page number, from 0."),
    limit: int = Query(50, ge=1, le=100),
    date: str | None = Query(None, description="YYYY-MM-DD", max_length=40),
    week: str | None = Query(None, description="YYYY-Www, e.g. 2025-W09", max_length=40),
    month: str | None = Query(None, description="YYYY-MM", max_length=40),
    submitter: str | None = Query(None, description="A username", max_length=150),
    sort: Sort = "publishedAt",
) -> list[dict[str, Any]]:
    try:
        entries = daily_entries(
            date=_text(date, "date"),
            week=_text(week, "week"),
            month=_text(month, "month"),
            submitter=_text(submitter, "submitter"),
            sort=sort,
        )
    except dates.BadPeriod as exc:
        given = [(kind, text) for kind, text in (("DAY", date), ("WEEK", week),
                                                 ("MONTH", month)) if text]  # fmt: skip
        # Written as documented but not in the calendar (2025-02-30, 2025-W53): no such period.
        well_formed = all(PERIOD_FORMS[kind].fullmatch(text) for kind, text in given)
        raise HttpError(404 if well_formed else 400, str(exc)) from None
    page = _page(entries, start=p * limit, stop=(p + 1) * limit)
    authors = shapes.authors_by_paper([e.paper_id for e in page])
    return [shapes.daily_item(e, authors[e.paper_id]) for e in page]


def _find_paper(arxiv_id: str) -> Paper:
    arxiv_id = _text(arxiv_id, "id", max_chars=10_000)
    try:
        if len(arxiv_id) > 200:  # no arXiv id is this long
            raise InvalidArxivId(arxiv_id)
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise Http404(f"Paper {arxiv_id[:64]} not found.") from None
    paper = (
        _papers_with_authors(Paper.objects.visible())
        .select_related("organization", "daily", "daily__organization", "daily__submitted_by")
        .prefetch_related("categories")
        .filter(arxiv_id=parsed.base)
        .first()
    )
    if paper is None:
        raise Http404(f"Paper {parsed.base} not found.")
    return paper


class UpvoteOut(Schema):
    id: str
    upvotes: int
    upvoted: bool


def _vote(request, arxiv_id: str, *, add: bool) -> UpvoteOut:
    paper = _find_paper(arxiv_id)
    user = request.auth
    if add:
        count = votes.upvote(user_id=user.pk, paper_id=paper.pk)
    else:
        count = votes.remove_upvote(user_id=user.pk, paper_id=paper.pk)
    return UpvoteOut(id=paper.arxiv_id, upvotes=count, upvoted=add)


@api.post(
    "/papers/{anypath:arxiv_id}/upvote",
    auth=token_auth,
    response=UpvoteOut,
    tags=["write"],
    summary="Upvote a paper",
    openapi_extra=responses(errors=WRITE_ERRORS),
)
def upvote(request, arxiv_id: str):
    return _vote(request, arxiv_id, add=True)


@api.delete(
    "/papers/{anypath:arxiv_id}/upvote",
    auth=token_auth,
    response=UpvoteOut,
    tags=["write"],
    summary="Take back an upvote",
    openapi_extra=responses(errors=WRITE_ERRORS),
)
def unvote(request, arxiv_id: str):
    return _vote(request, arxiv_id, add=False)


class Input(Schema):
    """A request body: JSON types taken as they are (``{"parent": true}`` is not comment 1)
    and every string through ``lib.text.clean_input``, like every other text input."""

    model_config = ConfigDict(strict=True)

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return clean_input(value, name="The text")
        except BadInput as exc:
            raise PydanticCustomError("unstorable", str(exc)) from None


class CommentIn(Input):
    comment: str = Field(..., min_length=1, max_length=20_000, examples=["Nice result, $O(n)$!"])
    parent: int | None = Field(None, description="The comment this one replies to.")


class CommentOut(Schema):
    id: int
    paper: str
    parent: int | None
    html: str
    numComments: int  # noqa: N815 (Hugging Face's field name)


@api.post(
    "/papers/{anypath:arxiv_id}/comment",
    auth=token_auth,
    tags=["write"],
    summary="Comment on a paper (Markdown with $math$), or reply to a comment",
    response={201: CommentOut},
    openapi_extra=responses(errors=WRITE_ERRORS),
)
def comment(request, arxiv_id: str, body: CommentIn):
    paper = _find_paper(arxiv_id)
    request.user = request.auth  # the web forms' rate limits count per user and per IP
    refusal = limits.check(request, "comment")
    if refusal:
        raise HttpError(429, refusal)
    parent = None
    if body.parent is not None:
        parent = Comment.objects.filter(pk=body.parent, paper=paper).first()
        if parent is None:
            raise HttpError(404, f"There is no comment {body.parent} on {paper.arxiv_id}.")
    try:
        made = discussion.post(user=request.auth, paper=paper, body=body.comment, parent=parent)
    except discussion.Refused as exc:
        raise HttpError(exc.status, exc.message) from None
    paper.refresh_from_db(fields=["comments_count"])
    return Status(
        201,
        CommentOut(
            id=made.pk,
            paper=paper.arxiv_id,
            parent=parent.pk if parent else None,
            html=made.html,
            numComments=paper.comments_count,
        ),
    )


@api.get(
    "/papers/search",
    tags=["papers"],
    summary="Search papers (Hugging Face-compatible)",
    openapi_extra=responses({200: {"type": "array", "items": ref("DailyItem")}}, (400,)),
)
def search_papers(
    request,
    q: str | None = Query(
        None,
        max_length=MAX_QUERY_CHARS,
        description="What to look for; without it (or blank), the latest daily list.",
    ),
    limit: int = Query(50, ge=1, le=120),
) -> list[dict[str, Any]]:
    q = _text(q, "q")
    if not q.strip():
        # huggingface_hub's list_papers() sends no q at all: answer with the latest daily
        # list (the default /api/daily_papers page) rather than an error.
        entries = _page(daily_entries(), start=0, stop=limit)
        authors = shapes.authors_by_paper([e.paper_id for e in entries])
        return [shapes.daily_item(e, authors[e.paper_id]) for e in entries]
    # The page's papers come with what an item shows (authors from one values query), and
    # no per-hit words: the JSON has no place for them.
    papers = Paper.objects.visible().select_related(
        "organization", "daily", "daily__organization", "daily__submitted_by"
    )
    results = engine.search(q, limit=limit, papers=papers, matched=False)
    authors = shapes.authors_by_paper([hit.paper.pk for hit in results.hits])
    return [
        shapes.item(hit.paper, shapes.entry_of(hit.paper), authors[hit.paper.pk])
        for hit in results.hits
    ]


@api.get(
    "/papers",
    tags=["papers"],
    summary="All papers, newest first, by cursor",
    openapi_extra=responses({200: {"type": "array", "items": ref("Paper")}}, (400,)),
)
def list_papers(
    request,
    response: HttpResponse,
    cursor: str | None = Query(
        None, max_length=41, pattern=cursors.PATTERN, description="From the Link header."
    ),
    limit: int = Query(50, ge=1, le=100),
) -> list[dict[str, Any]]:
    papers = (
        _papers_with_authors(Paper.objects.visible())
        .select_related("organization", "daily", "daily__organization", "daily__submitted_by")
        .order_by("-published_at", "-pk")
    )
    if cursor:
        try:
            published_at, pk = cursors.decode(_text(cursor, "cursor"))
        except ValueError:
            raise HttpError(400, "cursor is not one this server gave out.") from None
        papers = cursors.after(papers, published_at=published_at, pk=pk)
    page = list(papers[: limit + 1])
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        query = f"cursor={cursors.encode(last.published_at, last.pk)}&limit={limit}"
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query}>; rel="next"'
    return [shapes.paper(p, shapes.entry_of(p)) for p in page]


@api.get(
    "/papers/{anypath:arxiv_id}",
    tags=["papers"],
    summary="One paper (HF-compatible)",
    openapi_extra=responses({200: ref("Paper")}, READ_ERRORS),
)
@decorate_view(cache_for_visitors)
def paper_info(request, arxiv_id: str) -> dict[str, Any]:
    paper = _find_paper(arxiv_id)
    return shapes.paper(paper, shapes.entry_of(paper))


# --- Writes ------------------------------------------------------------------------------------


class SubmitIn(Input):
    arxiv_id: str = Field(..., min_length=1, max_length=200, examples=["2510.12345"])


@api.post(
    "/daily_papers",
    auth=token_auth,
    tags=["write"],
    summary="Submit a paper to today's list",
    response={201: dict[str, Any]},
    openapi_extra=responses({201: ref("DailyItem")}, WRITE_ERRORS),
)
def submit_paper(request, body: SubmitIn):
    user = request.user = request.auth  # the web form's rate limits count per user and per IP
    refusal = limits.check(request, "submit")
    if refusal:
        raise HttpError(429, refusal)
    text = _text(body.arxiv_id, "arxiv_id", max_chars=200)
    try:
        arxiv_id = parse_arxiv_id(text)
    except InvalidArxivId as exc:
        # Like the paper endpoints: no paper has this id (the message says how ids look).
        raise HttpError(404, str(exc)) from None
    try:
        entry = submission.submit(
            user=user, arxiv_id=arxiv_id, today=timezone.localdate(), now=timezone.now()
        )
    except submission.Rejected as exc:
        raise HttpError(exc.status, strip_tags(exc.message)) from None
    entry = daily_entries(date=entry.day.isoformat()).get(pk=entry.pk)
    _prefetch_authors([entry])
    return Status(201, shapes.daily_item(entry))


class WhoAmI(Schema):
    name: str
    fullname: str
    type: str = "user"
    isStaff: bool
    token: dict[str, str]


@api.get(
    "/whoami-v2",
    auth=token_auth,
    response=WhoAmI,
    tags=["write"],
    summary="Who am I",
    openapi_extra=responses(errors=(401,)),
)
def whoami(request):
    user = request.auth
    token = request.api_token
    return WhoAmI(
        name=user.username,
        fullname=user.get_full_name() or user.username,
        isStaff=user.is_staff,
        token={"name": token.name, "scope": token.scope},
    )


# --- Export (staff) -----------------------------------------------------------------------------

ExportKind = Literal["papers", "votes", "daily"]


@api.get(
    "/export/{kind}",
    auth=token_auth,
    tags=["export"],
    summary="Export papers, votes or daily entries as JSON Lines (staff tokens)",
    response={200: None},
    openapi_extra=responses(errors=(400, 401, 403, 413)),
)
def export(request, kind: ExportKind):
    if not request.auth.is_staff:
        raise HttpError(403, "Exports need a token of a staff member.")
    lines = exporting.EXPORTS[kind]()
    response = StreamingHttpResponse(
        (line + "\n" for line in lines), content_type="application/x-ndjson; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="paperboy-{kind}-{stamp}.jsonl"'
    return response
