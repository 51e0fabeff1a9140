from django.contrib import admin

from paperboy.comments.models import Comment
from paperboy.moderation import actions
from paperboy.moderation.admin import with_reason


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "paper", "short_body", "removed", "deleted_at"]
    list_filter = ["removed", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["body", "user__username", "paper__arxiv_id"]
    raw_id_fields = ["paper", "user", "parent", "mentions"]
    # Moderators remove comments (the action writes the audit log); nobody rewrites them here.
    readonly_fields = [
        "paper",
        "user",
        "parent",
        "body",
        "html",
        "mentions",
        "created_at",
        "edited_at",
        "deleted_at",
        "removed",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A hard delete would skip the audit log and leave the paper's comment count stale.
        return False

    actions = ["remove"]

    @admin.display(description="comment")
    def short_body(self, obj):
        return obj.body[:80]

    @admin.action(description="Remove the selected comments")
    def remove(self, request, queryset):
        def apply(reason, _keep):
            comments = list(queryset.select_related("user").filter(removed=False))
            for comment in comments:
                actions.remove_comment(actor=request.user, comment=comment, reason=reason)
            return len(comments)

        return with_reason(self, request, queryset, title="Remove comments", apply=apply)
