"""The search page's query string, validated (GET forms, like healthchecks' SearchForm)."""

from django import forms

from paperboy.lib.query import MAX_QUERY_CHARS, trim_query
from paperboy.search.engine import SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        strip=True,
        help_text=f"Searched for as typed, up to {MAX_QUERY_CHARS} characters (longer is cut).",
    )
    category = forms.RegexField(
        regex=r"^[A-Za-z-]{1,20}(\.[A-Za-z-]{1,10})?$",
        required=False,
        error_messages={"invalid": "A category looks like cs.CL or hep-th."},
    )
    org = forms.SlugField(
        required=False,
        max_length=100,
        error_messages={
            "invalid": "An organization is named by its short name, like example-lab.",
            "max_length": "An organization's short name has at most 100 characters.",
        },
    )
    code = forms.BooleanField(required=False)
    # "Search instead for …": the words as typed, without spelling corrections.
    as_typed = forms.BooleanField(required=False)
    date_from = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "The start date (date_from) must look like 2025-01-31."},
    )
    date_to = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "The end date (date_to) must look like 2025-01-31."},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[("relevance", "Relevance"), ("date", "Newest")],
        error_messages={"invalid_choice": "Sort by relevance or by date."},
    )
    p = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        error_messages={
            "invalid": "The page number (p) must be a whole number.",
            "min_value": "Pages are numbered from 1.",
            "max_value": "Results go up to page 1000.",
        },
    )

    #: How many characters ``q`` had when it was cut to ``MAX_QUERY_CHARS`` (0: not cut).
    trimmed_from = 0

    def clean_q(self) -> str:
        # Whatever was typed is searched for; NUL bytes and the like are dropped, not refused,
        # and a query past the limit is cut (the page says so) rather than refused.
        q = "".join(ch for ch in self.cleaned_data["q"] if ch.isprintable() or ch == " ")
        q, cut = trim_query(q)
        if cut:
            self.trimmed_from = len(self.cleaned_data["q"])
        return q

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def filters(self) -> SearchFilters:
        d = self.cleaned_data
        return SearchFilters(
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            category=d.get("category") or "",
            organization=d.get("org") or "",
            has_code=bool(d.get("code")),
        )
