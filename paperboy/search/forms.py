"""The search page's query string, validated (GET forms, like healthchecks' SearchForm)."""

from django import forms

from paperboy.search.engine import SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True)
    category = forms.RegexField(
        regex=r"^[A-Za-z-]{1,20}(\.[A-Za-z-]{1,10})?$",
        required=False,
        error_messages={"invalid": "A category looks like cs.CL or hep-th."},
    )
    org = forms.SlugField(required=False, max_length=100)
    code = forms.BooleanField(required=False)
    date_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(
        required=False, choices=[("relevance", "Relevance"), ("date", "Newest")]
    )
    p = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def clean_q(self) -> str:
        # Whatever was typed is searched for; NUL bytes and the like are dropped, not refused.
        return "".join(ch for ch in self.cleaned_data["q"] if ch.isprintable() or ch == " ")

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
