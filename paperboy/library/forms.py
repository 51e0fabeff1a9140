"""The library pages' forms: what the reading list's filters and the collection forms accept.
Lengths and text rules are ``library.services``'s (the one door); these only shape input."""

from __future__ import annotations

from django import forms

from paperboy.lib import limits

SORTS = {
    "saved": "Date saved",
    "published": "arXiv date",
    "title": "Title",
}
READ_STATES = {"all": "All", "unread": "Unread", "read": "Read"}


class ReadingListForm(forms.Form):
    """``/library``'s query string: ``sort``, ``read``, ``q`` (anything unknown: the default)."""

    q = forms.CharField(required=False, max_length=200, strip=True)
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))
    read = forms.ChoiceField(required=False, choices=list(READ_STATES.items()))

    def values(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": (data.get("q") or "").replace("\x00", ""),
            "sort": data.get("sort") or "saved",
            "read": data.get("read") or "all",
        }


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=limits.COLLECTION_TITLE_CHARS, strip=True)
    description = forms.CharField(
        required=False,
        max_length=limits.COLLECTION_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(
        required=False,
        label="Public",
        help_text="Anyone can see a public collection, on its page, its feeds and your profile.",
    )


class NewCollectionForm(CollectionForm):
    owner = forms.ChoiceField(required=False, label="Owner")

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {org.slug: org for org in organizations}
        self.fields["owner"].choices = [("", "You")] + [
            (org.slug, org.name) for org in organizations
        ]
        if not organizations:
            self.fields["owner"].widget = forms.HiddenInput()

    def organization(self):
        return self.organizations.get(self.cleaned_data.get("owner") or "")
