"""Forms for organizations (with avatar checks) and invitations."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from paperboy.accounts.models import Membership
from paperboy.papers.models import Organization

AVATAR_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
AVATAR_MAX_PIXELS = 4096 * 4096


def check_avatar(upload) -> str:
    """Refuse files that are too big or are not PNG/JPEG/GIF/WebP images (checked by Pillow,
    whatever the file name or content type claims). Returns the extension of the format."""
    limit = settings.PAPERBOY_AVATAR_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"The avatar is {upload.size / 1024:,.0f} KB; the limit is {limit / 1024:,.0f} KB."
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(
            "The avatar must be a PNG, JPEG, GIF or WebP image; this file is not one."
        ) from None
    finally:
        upload.seek(0)
    if kind not in AVATAR_FORMATS:
        raise forms.ValidationError(
            f"The avatar must be a PNG, JPEG, GIF or WebP image, not {kind or 'this format'}."
        )
    if width * height > AVATAR_MAX_PIXELS:
        raise forms.ValidationError("The avatar is too large; 4096×4096 pixels at most.")
    return AVATAR_FORMATS[kind]


class OrganizationForm(forms.ModelForm):
    avatar = forms.FileField(
        required=False,
        help_text="PNG, JPEG, GIF or WebP; square looks best.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )

    class Meta:
        model = Organization
        fields = ["slug", "name", "website", "description", "avatar"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "slug": "Your page will be /<slug>/papers. Letters, digits, - and _.",
            "description": "Markdown. Links, lists and $math$ work.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Changing the slug would break every link to the page.
            self.fields["slug"].disabled = True

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        clash = Organization.objects.filter(slug__iexact=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"“{slug}” is taken; choose another slug.")
        return slug

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if upload and hasattr(upload, "size") and upload is not self.initial.get("avatar"):
            extension = check_avatar(upload)
            # Never the uploader's file name: "logo.html" holding a valid PNG would be served
            # as a web page. A random name with the extension of the format Pillow found.
            upload.name = f"{uuid.uuid4().hex}.{extension}"
        return upload


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
