"""Subscribe and manage forms. An address is validated by Django's EmailField, which also
refuses anything with a line break in it (``a@b.c\\r\\nBcc: x``)."""

from __future__ import annotations

import re

from django import forms

from paperboy.digests.models import Frequency
from paperboy.papers.models import Organization

CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
MAX_CATEGORIES = 20
MAX_KEYWORD_ALERTS = 10


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

    alert_categories = forms.CharField(
        required=False,
        max_length=400,
        label="Category alerts",
        help_text="Every new paper in these categories, a section each, e.g. cs.RO q-bio.NC.",
    )
    alert_keywords = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Keyword alerts",
        help_text="One per line: every new paper whose title or abstract has all its words.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = list(
            Organization.objects.order_by("name").values_list("slug", "name")
        )

    def clean_categories(self) -> list[str]:
        return self._codes(self.cleaned_data["categories"])

    def clean_alert_categories(self) -> list[str]:
        return self._codes(self.cleaned_data["alert_categories"])

    def clean_alert_keywords(self) -> list[str]:
        phrases = []
        for line in self.cleaned_data["alert_keywords"].splitlines():
            if any(ord(ch) < 32 and ch != "\t" for ch in line):
                raise forms.ValidationError("A keyword alert cannot contain control characters.")
            phrase = " ".join(line.split())
            if phrase and phrase.lower() not in {p.lower() for p in phrases}:
                phrases.append(phrase[:100])
        if len(phrases) > MAX_KEYWORD_ALERTS:
            raise forms.ValidationError(f"At most {MAX_KEYWORD_ALERTS} keyword alerts.")
        return phrases

    def _codes(self, text: str) -> list[str]:
        codes = [c for c in re.split(r"[\s,]+", text) if c]
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
            "alert_categories": self.cleaned_data["alert_categories"],
            "alert_keywords": self.cleaned_data["alert_keywords"],
        }


class SubscribeForm(TopicsForm):
    email = forms.EmailField(max_length=254, label="Email address")
    field_order = [
        "email", "frequency", "categories", "organizations", "search_query",
        "alert_categories", "alert_keywords",
    ]  # fmt: skip

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()
