from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from paperboy.accounts.models import (
    AuthorClaim,
    Follow,
    Invitation,
    Membership,
    Organization,
    User,
)
from paperboy.moderation import actions
from paperboy.moderation.admin import with_reason


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


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "website"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
    readonly_fields = ["token"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "author", "created_at"]
    raw_id_fields = ["user", "organization", "author"]


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
