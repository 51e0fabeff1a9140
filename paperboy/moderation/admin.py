"""The admin pages of everything moderators act on — papers, authors, members, authorship
claims, comments, reports — and the audit log; ``with_reason``: every moderation action in the
admin asks "why?" on a confirmation page before it runs, and goes through ``actions`` (which
write the audit log). The other apps register their plain admin pages themselves."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.template.response import TemplateResponse

from paperboy.accounts.models import AuthorClaim, User
from paperboy.comments.models import Comment, Report
from paperboy.lib.democorpus import demo_arxiv_ids
from paperboy.moderation import actions
from paperboy.moderation.models import AuditLog
from paperboy.papers.admin import PaperAuthorInline
from paperboy.papers.models import Author, Paper


def with_reason(modeladmin, request, queryset, *, title: str, apply, choose_keep: bool = False):
    """Show a confirmation page asking why; on confirm, call ``apply(reason, keep_pk)``."""
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirm"):
        if not reason:
            modeladmin.message_user(
                request, "Say why: the reason goes to the audit log.", messages.ERROR
            )
        else:
            try:
                done = apply(reason, request.POST.get("keep", ""))
            except actions.ModerationError as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
                return None
            modeladmin.message_user(request, f"{title}: done ({done}). Written to the audit log.")
            return None
    return TemplateResponse(
        request,
        "moderation/reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": list(queryset),
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
            "choose_keep": choose_keep,
            "reason": reason,
        },
    )


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_repr", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "reason", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "comment", "reporter", "reason", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["comment", "reporter", "resolved_by"]
    readonly_fields = ["resolved_at", "resolved_by"]
    actions = ["remove_comments", "dismiss"]

    @admin.action(description="Remove the reported comments")
    def remove_comments(self, request, queryset):
        def apply(reason, _keep):
            comments = {r.comment for r in queryset.select_related("comment__user")}
            for comment in comments:
                actions.remove_comment(actor=request.user, comment=comment, reason=reason)
            return len(comments)

        return with_reason(self, request, queryset, title="Remove comments", apply=apply)

    @admin.action(description="Dismiss the reports")
    def dismiss(self, request, queryset):
        def apply(reason, _keep):
            reports = list(queryset.open())
            for report in reports:
                actions.dismiss_report(actor=request.user, report=report, reason=reason)
            return len(reports)

        return with_reason(self, request, queryset, title="Dismiss reports", apply=apply)


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "published_at", "upvotes", "organization", "hidden"]
    list_filter = ["hidden", "primary_category"]
    search_fields = ["arxiv_id", "title"]
    raw_id_fields = ["organization"]
    # "hidden" changes only through the hide/unhide actions, which write the audit log.
    readonly_fields = [
        "demo_data",
        "upvotes_count",
        "comments_count",
        "hidden",
        "created_at",
        "modified_at",
    ]
    filter_horizontal = ["categories"]
    inlines = [PaperAuthorInline]
    actions = ["hide", "unhide"]

    @admin.display(description="Upvotes", ordering="upvotes_count")
    def upvotes(self, paper: Paper) -> str:
        if paper.imported_upvotes and paper.arxiv_id in demo_arxiv_ids():
            return f"{paper.upvotes_count} ({paper.imported_upvotes} of them demo data)"
        return str(paper.upvotes_count)

    @admin.display(description="Demo data")
    def demo_data(self, paper: Paper) -> str:
        if paper.arxiv_id not in demo_arxiv_ids():
            return "No"
        return (
            "Yes: a real arXiv paper from the demo corpus; its imported upvotes, its "
            "organization and its day on the list are demo data, generated by the demo loader "
            "or copied from a saved Hugging Face page (paperboy/demo/README.md)."
        )

    @admin.action(description="Hide from every list")
    def hide(self, request, queryset):
        return self._set_hidden(request, queryset, hidden=True, title="Hide papers")

    @admin.action(description="Show again")
    def unhide(self, request, queryset):
        return self._set_hidden(request, queryset, hidden=False, title="Show papers again")

    def _set_hidden(self, request, queryset, *, hidden, title):
        # Through moderation.actions, so that every change lands in the audit log.
        def apply(reason, _keep):
            return actions.set_hidden(
                actor=request.user, papers=list(queryset), hidden=hidden, reason=reason
            )

        return with_reason(self, request, queryset, title=title, apply=apply)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    actions = ["merge"]

    @admin.action(description="Merge duplicate authors into one")
    def merge(self, request, queryset):
        def apply(reason, keep):
            authors = list(queryset)
            kept = next((a for a in authors if str(a.pk) == keep), None)
            if kept is None:
                raise actions.ModerationError("Choose the author to keep.")
            others = [a for a in authors if a.pk != kept.pk]
            return actions.merge_authors(
                actor=request.user, keep=kept, duplicates=others, reason=reason
            )

        return with_reason(
            self, request, queryset, title="Merge authors", apply=apply, choose_keep=True
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    actions = ["ban", "unban"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Profile", {"fields": ["bio", "website"]})]

    def get_readonly_fields(self, request, obj=None):
        # Banning and lifting a ban go through the actions, which write the audit log.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "is_active"] if obj is not None else fields

    @admin.action(description="Ban (deactivate) the selected users")
    def ban(self, request, queryset):
        return self._set_banned(request, queryset, banned=True, title="Ban users")

    @admin.action(description="Lift the ban on the selected users")
    def unban(self, request, queryset):
        return self._set_banned(request, queryset, banned=False, title="Lift bans")

    def _set_banned(self, request, queryset, *, banned, title):
        def apply(reason, _keep):
            users = list(queryset.filter(is_active=banned))
            for user in users:
                actions.set_banned(actor=request.user, user=user, banned=banned, reason=reason)
            return len(users)

        return with_reason(self, request, queryset, title=title, apply=apply)


@admin.register(AuthorClaim)
class AuthorClaimAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "author", "paper", "status", "auto_rule", "note"]
    list_filter = ["status"]
    search_fields = ["user__username", "author__name", "paper__arxiv_id"]
    raw_id_fields = ["user", "paper", "author", "decided_by"]
    readonly_fields = ["decided_at", "decided_by", "auto_rule"]
    actions = ["approve", "reject"]

    def get_readonly_fields(self, request, obj=None):
        # A claim's status changes only through the approve/reject actions (audit log).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "status", "decision_note"] if obj is not None else fields

    @admin.action(description="Approve the selected claims")
    def approve(self, request, queryset):
        return self._decide(request, queryset, approve=True, title="Approve claims")

    @admin.action(description="Reject the selected claims")
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False, title="Reject claims")

    def _decide(self, request, queryset, *, approve, title):
        def apply(reason, _keep):
            claims = list(
                queryset.exclude(status="approved" if approve else "rejected").select_related(
                    "paper", "author"
                )
            )
            with transaction.atomic():  # all or nothing: a refused claim undoes the others
                for claim in claims:
                    actions.decide_claim(
                        actor=request.user, claim=claim, approve=approve, reason=reason
                    )
            return len(claims)

        return with_reason(self, request, queryset, title=title, apply=apply)


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
