"""The forms of the for-you pages: saving a search as an alert, and the onboarding's
categories. The pages and the API take their input through these, so each limit is said once."""

from __future__ import annotations

from django import forms

from paperboy.foryou.alerts import CATEGORY_CODE, MAX_SEARCHES
from paperboy.foryou.models import SavedSearch
from paperboy.lib.text import BadInput, clean_input

MAX_CATEGORIES = 20


def category_code(value: str) -> str:
    """An arXiv category code as typed, checked; a ``ValidationError`` says how to write one."""
    value = value.strip()
    if not CATEGORY_CODE.match(value):
        raise forms.ValidationError(
            f"“{value[:40]}” is not an arXiv category; write codes such as cs.CL or hep-th."
        )
    return value


class SavedSearchForm(forms.Form):
    """A search saved as an alert: the search page's query string (q and its filters) can be
    posted as it is."""

    q = forms.CharField(max_length=200, strip=True, label="Words to look for")
    category = forms.CharField(required=False, max_length=32, strip=True)
    org = forms.SlugField(required=False, max_length=100)
    code = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_q(self) -> str:
        try:
            value = clean_input(self.cleaned_data["q"], name="The search")
        except BadInput as exc:
            raise forms.ValidationError(str(exc)) from None
        value = " ".join(value.split())
        if not value:
            raise forms.ValidationError("Say what to look for: a saved search needs words.")
        return value

    def clean_category(self) -> str:
        value = self.cleaned_data["category"]
        return category_code(value) if value else ""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.filters = {
            k: v
            for k, v in {
                "category": data["category"],
                "org": data["org"],
                "code": "1" if data["code"] else "",
            }.items()
            if v
        }
        mine = SavedSearch.objects.filter(member=self.user)
        if any(s.filters == self.filters for s in mine.filter(query=data["q"])):
            raise forms.ValidationError("You already have this alert.")
        if mine.count() >= MAX_SEARCHES:
            raise forms.ValidationError(
                f"You have {MAX_SEARCHES} saved searches, the most there can be."
            )
        return data

    def save(self) -> SavedSearch:
        return SavedSearch.objects.create(
            member=self.user, query=self.cleaned_data["q"], filters=self.filters
        )


class CategoriesForm(forms.Form):
    """The onboarding's arXiv categories: ticked boxes and/or typed codes."""

    categories = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    more = forms.CharField(
        required=False,
        max_length=400,
        label="Other categories",
        help_text="Separated by spaces or commas, e.g. q-bio.NC stat.ML.",
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = choices

    def clean_more(self) -> list[str]:
        typed = self.cleaned_data["more"].replace(",", " ").split()
        return [category_code(c) for c in typed]

    def clean(self):
        data = super().clean()
        codes = sorted(set(data.get("categories") or []) | set(data.get("more") or []))
        if len(codes) > MAX_CATEGORIES:
            raise forms.ValidationError(f"At most {MAX_CATEGORIES} categories.")
        data["codes"] = codes
        return data
