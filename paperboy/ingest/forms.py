"""The submit form: a paper by arXiv id or link, tagged with one of the member's organizations."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from paperboy.feed.models import DailyEntry
from paperboy.ingest import submission
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.papers.models import Organization


class SubmitForm(forms.Form):
    arxiv_id = forms.CharField(
        label="arXiv id or URL",
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "placeholder": "2510.12345 or https://arxiv.org/abs/2510.12345",
                "autocomplete": "off",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label="Tag with your organization (optional)",
        empty_label="No organization",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        mine = Organization.objects.filter(memberships__user=user) if user.is_authenticated else []
        if mine and mine.exists():
            self.fields["organization"].queryset = mine
        else:
            del self.fields["organization"]

    def clean_arxiv_id(self):
        try:
            return parse_arxiv_id(self.cleaned_data["arxiv_id"])
        except InvalidArxivId as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        reason = submission.may_submit(self.user)
        if reason:
            raise forms.ValidationError(reason)
        return self.cleaned_data

    def save(self) -> DailyEntry | None:
        """Submit the paper; on a broken rule, add the reason as a form error and return None."""
        try:
            return submission.submit(
                user=self.user,
                arxiv_id=self.cleaned_data["arxiv_id"],
                today=timezone.localdate(),
                now=timezone.now(),
                organization=self.cleaned_data.get("organization"),
            )
        except submission.Rejected as exc:
            self.add_error("arxiv_id", exc.message)
            return None
