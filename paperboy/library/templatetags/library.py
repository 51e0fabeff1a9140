"""The library's parts of other apps' pages, loaded by their templates (so those apps import
nothing of the library): ``{% paper_library paper %}`` on the paper page (Save and "Add to
collection"), ``{% profile_collections person %}`` on a member's profile and
``{% org_collections organization %}`` on an organization's page (public collections, loaded
by htmx from ``library:org_collections``; on a profile also the private ones for their
owner)."""

from __future__ import annotations

from django import template

from paperboy.library import services
from paperboy.library.models import Collection

register = template.Library()


@register.inclusion_tag("library/paper_box.html", takes_context=True)
def paper_library(context, paper) -> dict:
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "paper": paper,
        "saved": paper.pk in services.saved_ids(request.user, [paper.pk]),
    }


def _listed(collections, viewer) -> list[Collection]:
    return list(
        collections.visible_to(viewer)
        .select_related("member", "organization")
        .with_item_count()
        .order_by("-updated_at", "-id")[:50]
    )


@register.inclusion_tag("library/owner_collections.html", takes_context=True)
def profile_collections(context, person) -> dict:
    viewer = context["request"].user
    return {
        "collections": _listed(Collection.objects.owned_by_member(person), viewer),
        "is_me": viewer.is_authenticated and viewer.pk == person.pk,
    }


@register.inclusion_tag("library/org_collections_slot.html")
def org_collections(organization) -> dict:
    """A slot that loads the organization's public collections (``library:org_collections``)
    when the page shows: the organization's page is kept in the visitors' page cache at any
    query string, where a title written into it would outlive the collection being made
    private or deleted; the slot holds no title, and its list is read fresh."""
    return {
        "organization": organization,
        "any": Collection.objects.owned_by_org(organization).filter(public=True).exists(),
    }
