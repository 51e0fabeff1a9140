"""The library's parts of other apps' pages, loaded by their templates (so those apps import
nothing of the library): ``{% paper_library paper %}`` on the paper page (Save and "Add to
collection"), ``{% profile_collections person %}`` on a member's profile and
``{% org_collections organization %}`` on an organization's page (public collections; on a
profile also the private ones for their owner)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

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


@register.inclusion_tag("library/owner_collections.html")
def org_collections(organization) -> dict:
    # Public ones only, whoever reads: the organization's page is cached and served to all.
    return {
        "collections": _listed(Collection.objects.owned_by_org(organization), AnonymousUser()),
        "is_me": False,
    }
