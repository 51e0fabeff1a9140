"""What ingest did, for operators: every run with its counts and failures, backfill
checkpoints, GitHub repositories. Read-only: the runs and the CLI write these."""

from django.contrib import admin

from paperboy.ingest.models import Checkpoint, GithubRepo, IngestRun


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IngestRun)
class IngestRunAdmin(ReadOnly):
    list_display = [
        "source", "status", "started_at", "finished_at", "new", "updated", "unchanged", "failed"
    ]  # fmt: skip
    list_filter = ["status", "source"]
    search_fields = ["source", "message"]
    date_hierarchy = "started_at"


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnly):
    list_display = ["key", "state", "done", "updated_at"]
    list_filter = ["done"]
    search_fields = ["key"]


@admin.register(GithubRepo)
class GithubRepoAdmin(ReadOnly):
    list_display = ["name", "stars", "checked_at", "missing"]
    list_filter = ["missing"]
    search_fields = ["name"]
