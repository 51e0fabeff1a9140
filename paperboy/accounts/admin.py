from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from paperboy.accounts.models import Organization, User

admin.site.register(User, UserAdmin)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
