from django.contrib import admin

from paperboy.papers.models import Author, Category, Paper, PaperAuthor


class PaperAuthorInline(admin.TabularInline):
    model = PaperAuthor
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "published_at", "upvotes_count", "organization", "hidden"]
    list_filter = ["hidden", "primary_category"]
    search_fields = ["arxiv_id", "title"]
    raw_id_fields = ["organization"]
    readonly_fields = ["upvotes_count", "comments_count", "created_at", "modified_at"]
    filter_horizontal = ["categories"]
    inlines = [PaperAuthorInline]
    actions = ["hide", "unhide"]

    @admin.action(description="Hide from every list")
    def hide(self, request, queryset):
        queryset.update(hidden=True)

    @admin.action(description="Show again")
    def unhide(self, request, queryset):
        queryset.update(hidden=False)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]


admin.site.register(Category)
