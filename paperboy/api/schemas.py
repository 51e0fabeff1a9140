"""The JSON shapes of ``shapes.py`` as OpenAPI schemas, for ``/api/openapi.json``.

The read endpoints build their JSON with plain dicts (``shapes.py``: no per-response
validation, the hot path of the daily list); these models only describe that JSON in the
OpenAPI document. ``test_openapi.py`` checks every response schemathesis provokes against
them, so a field added to ``shapes.py`` and not here (or the reverse) fails the suite.
"""

# ruff: noqa: N815 (Hugging Face's field names)

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Error(_Shape):
    """Every 4xx answer."""

    error: str = Field(examples=["“2025-02-30” is not a date."])


class Organization(_Shape):
    id_: str = Field(alias="_id")
    name: str = Field(description="The organization's slug, as in /<name>/papers.")
    fullname: str
    avatar: str | None


class Submitter(_Shape):
    id_: str = Field(alias="_id", description="Empty for a submitter from an import.")
    name: str
    user: str = Field(description="The username (huggingface_hub reads this one).")
    fullname: str
    avatarUrl: str | None
    type: str
    isPro: bool


class Author(_Shape):
    id_: str = Field(alias="_id")
    name: str
    hidden: bool


class Paper(_Shape):
    """``GET /api/papers/<id>``, and the ``paper`` of every list item."""

    id: str = Field(examples=["2510.12345"])
    authors: list[Author]
    publishedAt: str | None = Field(description="The arXiv date.")
    title: str
    summary: str = Field(description="The abstract.")
    upvotes: int
    numComments: int
    discussionId: str
    projectPage: str | None
    githubRepo: str | None
    githubStars: int | None
    ai_summary: str | None
    ai_keywords: list[str]
    organization: Organization | None
    categories: list[str] = Field(None, description="arXiv categories (paper page only).")
    submittedOnDailyAt: str = Field(
        None, description="When it entered the daily list (absent if it never did)."
    )
    submittedOnDailyBy: Submitter | None = None


class DailyItem(_Shape):
    """One item of ``/api/daily_papers`` and ``/api/papers/search``."""

    paper: Paper
    publishedAt: str | None = Field(
        description="When the paper entered the daily list (its arXiv date if it never did)."
    )
    title: str
    summary: str
    mediaUrls: list[str]
    thumbnail: str | None
    numComments: int
    submittedBy: Submitter | None
    organization: Organization | None
    isAuthorParticipating: bool
    projectPage: str | None
    githubRepo: str | None
    githubStars: int | None
    ai_summary: str | None
    ai_keywords: list[str]


MODELS = [Error, Organization, Submitter, Author, Paper, DailyItem]

ERRORS = {
    400: "A parameter or the body is not valid (the message says which).",
    401: "No valid API token (missing, unknown, revoked, or a feed token).",
    403: "The token's owner may not do this.",
    404: "No such paper (or comment, or period: a date written right but not in the calendar).",
    409: "The paper is on the daily list already.",
    413: "The body is over 64 KB.",
    429: "Over a rate limit or the daily submission cap.",
    503: "arXiv could not be reached to look the paper up; try again in a minute.",
}


def components() -> dict[str, Any]:
    """The models as ``components.schemas`` entries."""
    _, top = models_json_schema(
        [(model, "serialization") for model in MODELS],
        ref_template="#/components/schemas/{model}",
    )
    return top["$defs"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def responses(ok: dict[int, dict] | None = None, errors: tuple[int, ...] = ()) -> dict:
    """``openapi_extra`` for an operation: its success body and its JSON errors."""
    out: dict[int, Any] = {}  # int keys, like django-ninja's own: they merge
    for status, schema in (ok or {}).items():
        out[status] = {
            "description": "OK" if status == 200 else "Created",
            "content": {"application/json": {"schema": schema}},
        }
    for status in errors:
        out[status] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": ref("Error")}},
        }
    return {"responses": out}
