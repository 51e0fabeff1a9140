"""The API of the foryou app (issue 17): a member's recommendations and "not interested",
with their personal token. Routes added to the one ``api`` object; imported by
``api/routes.py`` before the JSON 404 catch-all, which must come last.

- ``GET /api/for_you?limit=&since=YYYY-MM-DD``: the For you page's papers, as
  ``/api/daily_papers`` items plus ``reason`` (one sentence) and ``reasons`` (each with its
  ``kind``, ``text`` and ``url``). Read from the member's stored picks through the page's own
  door (``picks.serve``), never scored on the request: ``since`` filters them (they cover the
  For you window, so an earlier date changes nothing), ``limit`` takes at most the
  ``picks.STORED`` kept. With none stored yet (a first call), a 202 saying they are being
  picked, and the task that picks them is enqueued.
- ``POST /api/papers/{id}/not_interested`` (201) and ``DELETE`` (200) to undo. Dismissing a
  paper twice is a 409, undoing one that is not dismissed a 404, an unknown paper a 404; none
  of them changes anything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from ninja import Query, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, Field

from paperboy.api import schemas, shapes
from paperboy.api.api import _find_paper, _papers_with_authors, api, token_auth
from paperboy.api.schemas import responses
from paperboy.foryou import engine, picks
from paperboy.papers.models import Paper

MAX_LIMIT = 100
LIMIT = Query(
    20,
    ge=1,
    le=MAX_LIMIT,
    description=f"How many papers (at most {picks.STORED} are kept per member: a larger limit "
    "gets those).",
)
SINCE = Query(
    None,
    description="YYYY-MM-DD: papers published from that day on. Recommendations come from the "
    "For you window (PAPERBOY_FOR_YOU_WINDOW_DAYS, 14 days by default): an earlier date "
    "counts as its first day.",
)
RETRY_AFTER = 5  # seconds: the task picks a member's papers in a second or two
PICKING = "Your recommendations are being picked; ask again in a few seconds."


class ReasonOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="similar, author, organization, category or trending")
    text: str
    url: str | None = Field(description="The paper, author, lab or category it names.")


class ForYouItem(schemas.DailyItem):
    """One item of ``/api/for_you``: a daily-papers item and why it is recommended."""

    reason: str = Field(description="Why it is recommended, in one sentence.")
    reasons: list[ReasonOut]


def _item_schema() -> dict[str, Any]:
    schema = ForYouItem.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    reason = schema.pop("$defs")["ReasonOut"]
    schema["properties"]["reasons"] = {"type": "array", "items": reason}
    return schema


class PickingOut(BaseModel):
    """The answer while a member's recommendations are being picked (202)."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(description='"picking"')
    message: str
    items: list = Field(description="Empty: ask again (after Retry-After seconds).")


def _responses() -> dict:
    documented = responses({200: {"type": "array", "items": _item_schema()}}, (400, 401))
    documented["responses"][202] = {
        "description": "Your recommendations are not picked yet (a first call): they are "
        "being picked in the background; ask again after the Retry-After header's seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": PickingOut.model_json_schema()}},
    }
    return documented


def _reason_url(url: str | None) -> str | None:
    return settings.SITE_URL + url if url and url.startswith("/") else url


@api.get(
    "/for_you",
    auth=token_auth,
    tags=["for you"],
    summary="Your recommendations, each with its reason",
    openapi_extra=_responses(),
)
def for_you(request, limit: int = LIMIT, since: date | None = SINCE):
    unknown = sorted(set(request.GET) - {"limit", "since"})
    if unknown:
        # A mistyped parameter (``sinse=``) would otherwise be silently ignored.
        raise HttpError(400, f"Unknown parameter {unknown[0][:40]!r}: use limit and since.")
    recommended = picks.serve(request.auth.pk, limit=limit, since=since)
    if recommended is None:
        body = PickingOut(status="picking", message=PICKING, items=[]).model_dump()
        response = api.create_response(request, body, status=202)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return _items(recommended)


def _items(recommended: list[engine.Recommendation]) -> list[dict[str, Any]]:
    ids = [r.paper.pk for r in recommended]
    papers = (
        _papers_with_authors(Paper.objects.visible())
        .select_related("organization", "daily", "daily__organization", "daily__submitted_by")
        .in_bulk(ids)
    )
    items = []
    for rec in recommended:
        paper = papers.get(rec.paper.pk)
        if paper is None:
            continue
        item = shapes.item(paper, shapes.entry_of(paper))
        item["reason"] = "; ".join(r.text for r in rec.reasons) or "Recommended for you"
        item["reasons"] = [
            {"kind": r.kind, "text": r.text, "url": _reason_url(r.url)} for r in rec.reasons
        ]
        items.append(item)
    return items


def _dismiss_responses() -> dict:
    documented = responses(errors=(400, 401, 404, 413))
    documented["responses"][409] = {
        "description": "The paper is already marked not interested (nothing changed).",
        "content": {"application/json": {"schema": schemas.ref("Error")}},
    }
    return documented


class NotInterestedOut(Schema):
    id: str
    notInterested: bool  # noqa: N815 (the API's camelCase, like Hugging Face's)


def _not_interested(request, arxiv_id: str, *, add: bool):
    paper = _find_paper(arxiv_id)
    try:
        if add:
            engine.dismiss(request.auth, paper)
        else:
            engine.undismiss(request.auth, paper)
    except engine.AlreadyDismissed:
        raise HttpError(409, f"{paper.arxiv_id} is already marked not interested.") from None
    except engine.NotDismissed:
        raise HttpError(404, f"{paper.arxiv_id} is not marked not interested.") from None
    except engine.ForYouError as exc:
        raise HttpError(exc.status, f"{paper.arxiv_id}: {exc}") from None
    out = NotInterestedOut(id=paper.arxiv_id, notInterested=add)
    return Status(201, out) if add else out


@api.post(
    "/papers/{anypath:arxiv_id}/not_interested",
    auth=token_auth,
    tags=["for you"],
    response={201: NotInterestedOut},
    summary="Not interested: never recommend this paper again, and fewer like it",
    openapi_extra=_dismiss_responses(),
)
def not_interested(request, arxiv_id: str):
    return _not_interested(request, arxiv_id, add=True)


@api.delete(
    "/papers/{anypath:arxiv_id}/not_interested",
    auth=token_auth,
    tags=["for you"],
    response=NotInterestedOut,
    summary="Undo not interested",
    openapi_extra=responses(errors=(400, 401, 404, 413)),
)
def undo_not_interested(request, arxiv_id: str):
    return _not_interested(request, arxiv_id, add=False)


def _ahead_of_the_paper_route(path: str) -> None:
    """Django tries the API's routes in the order they were added, and ``GET
    /papers/{anypath:arxiv_id}`` (``api.py``) matches ``/papers/<id>/not_interested`` too (an
    old-style id holds a slash), answering a POST with a 405: put ``path`` just before it,
    as ``api.py`` itself does with ``/papers/{id}/upvote``."""
    operations = api.default_router.path_operations
    paper_route = "/papers/{anypath:arxiv_id}"
    if paper_route not in operations or path not in operations:
        return
    order = [p for p in operations if p != path]
    order.insert(order.index(paper_route), path)
    reordered = {p: operations[p] for p in order}
    operations.clear()
    operations.update(reordered)


_ahead_of_the_paper_route("/papers/{anypath:arxiv_id}/not_interested")
