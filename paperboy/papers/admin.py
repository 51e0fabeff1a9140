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
    # "hidden" changes only through the hide/unhide actions, which write the audit log.
    readonly_fields = ["upvotes_count", "comments_count", "hidden", "created_at", "modified_at"]
    filter_horizontal = ["categories"]
    inlines = [PaperAuthorInline]
    actions = ["hide", "unhide"]

    @admin.action(description="Hide from every list")
    def hide(self, request, queryset):
        return self._set_hidden(request, queryset, hidden=True, title="Hide papers")

    @admin.action(description="Show again")
    def unhide(self, request, queryset):
        return self._set_hidden(request, queryset, hidden=False, title="Show papers again")

    def _set_hidden(self, request, queryset, *, hidden, title):
        # Through moderation.actions, so that every change lands in the audit log.
        from paperboy.moderation import actions
        from paperboy.moderation.admin import with_reason

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
        from paperboy.moderation import actions
        from paperboy.moderation.admin import with_reason

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


admin.site.register(Category)
