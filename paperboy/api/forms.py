"""Forms of the API's settings page: creating a personal token."""

from django import forms

from paperboy.accounts.tokens import ApiToken

MAX_TOKENS = 20


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        widget=forms.TextInput(attrs={"placeholder": "laptop script", "autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices, initial=ApiToken.Scope.API, widget=forms.RadioSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if "\x00" in name or not name:
            raise forms.ValidationError("Give the token a name you will recognise.")
        return name

    def clean(self):
        if ApiToken.objects.active().filter(user=self.user).count() >= MAX_TOKENS:
            raise forms.ValidationError(
                f"You have {MAX_TOKENS} active tokens, the most one member may have. "
                "Revoke one first."
            )
        return self.cleaned_data

    def save(self) -> tuple[ApiToken, str]:
        return ApiToken.issue(
            user=self.user, name=self.cleaned_data["name"], scope=self.cleaned_data["scope"]
        )
