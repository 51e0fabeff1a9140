"""Subscribe and manage forms. An address is validated by Django's EmailField, which also
refuses anything with a line break in it (``a@b.c\\r\\nBcc: x``)."""

from __future__ import annotations

import re

from django import forms

from paperboy.digests.models import Frequency
from paperboy.papers.models import Organization

CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
MAX_CATEGORIES = 20


class TopicsForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Frequency.choices, initial=Frequency.DAILY, widget=forms.RadioSelect
    )
    categories = forms.CharField(
        required=False,
        max_length=400,
        label="arXiv categories",
        help_text="Separated by spaces or commas, e.g. cs.CL cs.LG. Empty: every category.",
    )
    organizations = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Organizations"
    )
    search_query = forms.CharField(
        required=False,
        max_length=200,
        label="Saved search",
        help_text="Only papers whose title or abstract has all these words.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = list(
            Organization.objects.order_by("name").values_list("slug", "name")
        )

    def clean_categories(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,]+", self.cleaned_data["categories"]) if c]
        bad = [c for c in codes if not CATEGORY.match(c)]
        if bad:
            raise forms.ValidationError(
                f"“{bad[0][:40]}” is not an arXiv category; write codes such as cs.CL or math.PR."
            )
        if len(codes) > MAX_CATEGORIES:
            raise forms.ValidationError(f"At most {MAX_CATEGORIES} categories.")
        return sorted(set(codes))

    def clean_search_query(self) -> str:
        value = self.cleaned_data["search_query"]
        if any(ord(ch) < 32 for ch in value):
            raise forms.ValidationError("The search cannot contain control characters.")
        return " ".join(value.split())

    def topics(self) -> dict:
        return {
            "frequency": self.cleaned_data["frequency"],
            "categories": self.cleaned_data["categories"],
            "organizations": self.cleaned_data["organizations"],
            "search_query": self.cleaned_data["search_query"],
        }


class SubscribeForm(TopicsForm):
    email = forms.EmailField(max_length=254, label="Email address")
    field_order = ["email", "frequency", "categories", "organizations", "search_query"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()
