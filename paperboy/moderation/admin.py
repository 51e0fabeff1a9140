"""The audit log and comment reports in the Django admin, and ``with_reason``: every
moderation action in the admin asks "why?" on a confirmation page before it runs."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from paperboy.moderation import actions
from paperboy.moderation.models import AuditLog, Report


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
