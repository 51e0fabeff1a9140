"""The daily list in the admin. Entries the demo loader generated say so (``source``)."""

from django.contrib import admin

from paperboy.feed.models import DailyEntry, Upvote
from paperboy.lib.democorpus import demo_arxiv_ids


@admin.register(DailyEntry)
class DailyEntryAdmin(admin.ModelAdmin):
    list_display = ["day", "paper", "source", "organization", "upvotes_count"]
    list_select_related = ["paper", "submitted_by", "organization"]
    date_hierarchy = "day"
    raw_id_fields = ["paper", "submitted_by", "organization"]
    readonly_fields = ["source", "upvotes_count", "trending_score"]
    search_fields = ["paper__arxiv_id", "paper__title"]

    @admin.display(description="Submitted by")
    def source(self, entry: DailyEntry) -> str:
        if entry.submitted_by_id:
            return entry.submitted_by.get_username()
        if entry.external_submitter:
            return f"{entry.external_submitter} (imported)"
        if entry.paper.arxiv_id in demo_arxiv_ids():
            return "Nobody: demo data (day, upvotes and organization are generated)"
        return "—"


@admin.register(Upvote)
class UpvoteAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created_at"]
    raw_id_fields = ["paper", "user"]
