"""GET/POST /orgs/new and /orgs/<slug>/edit: organizations, their avatars and descriptions."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from paperboy.accounts.models import Membership
from paperboy.lib.tests.test_markdown import XSS, assert_safe
from paperboy.papers.models import Organization


def png(size=(8, 8), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_member_creates_an_organization_and_becomes_its_admin(client, charlie):
    client.force_login(charlie)
    avatar = SimpleUploadedFile("logo.png", png(), content_type="image/png")

    response = client.post(
        "/orgs/new",
        {
            "slug": "new-lab",
            "name": "New Lab",
            "website": "https://new-lab.example",
            "description": "We do **things**.",
            "avatar": avatar,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/orgs/new-lab/members"
    lab = Organization.objects.get(slug="new-lab")
    assert lab.avatar.name.startswith("avatars/orgs/") and lab.avatar_src.startswith("/media/")
    assert Membership.objects.get(organization=lab).user == charlie
    assert lab.is_admin(charlie)
    html = client.get("/new-lab/papers").content.decode()
    assert "<strong>things</strong>" in html and "1 member" in html
    served = client.get(lab.avatar_src)
    assert served.status_code == 200 and b"".join(served.streaming_content) == png()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"slug": "example-lab"}, "is taken"),
        ({"slug": "Example-LAB"}, "is taken"),
        ({"slug": "admin"}, "is reserved"),
        ({"slug": "no spaces"}, "valid “slug”"),
        ({"name": ""}, "This field is required"),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"description": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_created(client, alice, fields, error):
    client.force_login(alice)
    data = {"slug": "fresh", "name": "Fresh", **fields}

    response = client.post("/orgs/new", data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Organization.objects.count() == 1  # example-lab only


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("x.png", b"<?php echo 1; ?>", "image/png"), "not one"),
        (SimpleUploadedFile("x.svg", b"<svg onload=alert(1)/>", "image/svg+xml"), "not one"),
        (SimpleUploadedFile("x.bmp", png(fmt="BMP"), "image/bmp"), "not BMP"),
        (SimpleUploadedFile("big.png", png() + b"\0" * 3000, "image/png"), "the limit is"),
    ],
)
def test_bad_avatars_are_refused(client, alice, settings, upload, error):
    settings.PAPERBOY_AVATAR_MAX_BYTES = 2000
    client.force_login(alice)

    response = client.post("/orgs/new", {"slug": "fresh", "name": "Fresh", "avatar": upload})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Organization.objects.filter(slug="fresh").exists()


@pytest.mark.parametrize("name", ["logo.html", "logo.svg", "logo.png.html", "logo.pdf", "logo"])
def test_an_avatar_is_stored_and_served_as_the_image_it_is_whatever_its_name(client, alice, name):
    polyglot = png() + b"<script>alert(document.cookie)</script>"
    client.force_login(alice)

    response = client.post(
        "/orgs/new",
        {
            "slug": "fresh",
            "name": "Fresh",
            "avatar": SimpleUploadedFile(name, polyglot, "text/html"),
        },
    )

    assert response.status_code == 302
    stored = Organization.objects.get(slug="fresh").avatar
    assert re.fullmatch(r"avatars/orgs/[0-9a-f]{32}\.png", stored.name), stored.name
    served = client.get(stored.url)
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_files_that_are_not_images_are_never_served_from_the_avatar_folder(client, settings):
    folder = settings.MEDIA_ROOT / "avatars" / "orgs"
    folder.mkdir(parents=True)
    (folder / "old.html").write_bytes(b"<script>alert(1)</script>")

    assert client.get("/media/avatars/orgs/old.html").status_code == 404
    assert client.get("/media/avatars/../secret_key").status_code == 404


@pytest.mark.parametrize("source", XSS)
def test_hostile_descriptions_are_neutralised_on_the_page(client, alice, example_lab, source):
    client.force_login(alice)

    saved = client.post(
        "/orgs/example-lab/edit", {"name": "Example Lab", "description": source, "website": ""}
    )

    assert saved.status_code == 302
    example_lab.refresh_from_db()
    assert example_lab.description == source  # kept as written, rendered safely
    safe = example_lab.description_html()
    assert_safe(safe)
    page = client.get("/example-lab/papers").content.decode()
    # The page shows exactly the sanitized rendering, never the raw source.
    assert f'<div class="org-description prose math">{safe}</div>' in page


def test_an_admin_edits_the_organization_but_not_its_slug(client, alice, example_lab):
    client.force_login(alice)

    response = client.post(
        "/orgs/example-lab/edit",
        {"slug": "stolen", "name": "Example Laboratory", "description": "Hello"},
    )

    assert response.status_code == 302
    example_lab.refresh_from_db()
    assert example_lab.name == "Example Laboratory" and example_lab.slug == "example-lab"


def test_a_plain_member_or_a_stranger_cannot_edit(client, bob, charlie, example_lab):
    for user in (bob, charlie):
        client.force_login(user)
        response = client.post("/orgs/example-lab/edit", {"name": "Hijacked"})
        assert response.status_code == 403
        assert "Only the admins of Example Lab" in response.content.decode()
    example_lab.refresh_from_db()
    assert example_lab.name == "Example Lab"


def test_creating_needs_an_account(client, db):
    response = client.get("/orgs/new")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_admin_replaces_then_removes_the_avatar(client, alice, example_lab):
    client.force_login(alice)
    fields = {"name": "Example Lab", "description": "", "website": ""}

    client.post("/orgs/example-lab/edit", {**fields, "avatar": SimpleUploadedFile("a.png", png())})
    example_lab.refresh_from_db()
    assert example_lab.avatar
    page = client.get("/orgs/example-lab/edit").content.decode()
    assert f'src="{example_lab.avatar.url}" alt="Current avatar"' in page
    assert 'name="avatar-clear"' in page

    response = client.post("/orgs/example-lab/edit", {**fields, "avatar-clear": "on"})

    assert response.status_code == 302
    example_lab.refresh_from_db()
    assert not example_lab.avatar
