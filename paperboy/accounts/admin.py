"""Organizations, invitations and follows in the admin. Members and authorship claims,
whose changes go through moderation's audited actions, have their pages in
``moderation/admin.py``."""

from django.contrib import admin

from paperboy.accounts.models import Follow, Invitation, Membership, Organization


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
