"""Operators' view of collections: find one (by title, slug, owner), read its papers, and take
down what should not be public (edit its title or description, make it private, delete it).

Collections are created and filled through the site and the API (``library.services``, where
the caps are); here the owner, slug and papers are read-only. A change or deletion here drops
the collection's cached pages (the visitors' copies and members' own) like one made on the
site (``services.pages_changed``). Members' reading lists and notes are private and have no
admin page.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from paperboy.library import services
from paperboy.library.models import Collection, CollectionItem


class ItemInline(admin.TabularInline):
    model = CollectionItem
    fields = ("position", "paper", "note", "added_at")
    readonly_fields = fields
    ordering = ("position", "id")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("title", "owner_name", "public", "papers", "updated_at")
    list_filter = ("public", "updated_at")
    search_fields = ("title", "slug", "member__username", "organization__slug")
    list_select_related = ("member", "organization")
    fields = (
        "title",
        "description",
        "public",
        "member",
        "organization",
        "slug",
        "hub_id",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "member",
        "organization",
        "slug",
        "hub_id",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (ItemInline,)
    actions = ("make_private",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paper_count=Count("items"))

    @admin.display(description="papers", ordering="paper_count")
    def papers(self, obj: Collection) -> int:
        return obj.paper_count

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj: Collection, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.pages_changed(obj)

    def delete_model(self, request, obj: Collection) -> None:
        services.pages_changed(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for collection in queryset.select_related("member", "organization"):
            services.pages_changed(collection)
        super().delete_queryset(request, queryset)

    @admin.action(description="Make the selected collections private")
    def make_private(self, request, queryset) -> None:
        for collection in queryset.filter(public=True).select_related("member", "organization"):
            collection.public = False
            collection.save(update_fields=["public"])
            services.pages_changed(collection)
