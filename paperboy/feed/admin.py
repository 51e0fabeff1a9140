from django.contrib import admin

from paperboy.feed.models import DailyEntry, Upvote


@admin.register(DailyEntry)
class DailyEntryAdmin(admin.ModelAdmin):
    list_display = ["day", "paper", "submitted_by", "organization", "upvotes_count"]
    date_hierarchy = "day"
    raw_id_fields = ["paper", "submitted_by", "organization"]
    readonly_fields = ["upvotes_count", "trending_score"]
    search_fields = ["paper__arxiv_id", "paper__title"]


@admin.register(Upvote)
class UpvoteAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created_at"]
    raw_id_fields = ["paper", "user"]
