"""The catalog in the admin. Papers and authors, whose changes go through moderation's
audited actions, have their pages in ``moderation/admin.py``."""

from django.contrib import admin

from paperboy.papers.models import Category, PaperAuthor


class PaperAuthorInline(admin.TabularInline):
    model = PaperAuthor
    raw_id_fields = ["author"]
    extra = 0


admin.site.register(Category)
