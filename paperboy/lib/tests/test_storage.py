"""Uploads (organization avatars) go where the environment says: PAPERBOY_MEDIA_ROOT (a
directory every web host mounts), PAPERBOY_MEDIA_URL, or another storage backend altogether
(PAPERBOY_STORAGE_BACKEND / PAPERBOY_STORAGE_OPTIONS); the avatar view reads them back through
that storage, not from one host's disk."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from paperboy.accounts.models import Organization

PROBE = """
import json
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "class": type(default_storage).__name__,
    "location": str(getattr(default_storage, "location", "")),
    "url": default_storage.url("avatars/orgs/x.png"),
}))
"""


def paperboy(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERBOY_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    clean.update(PAPERBOY_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "paperboy.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(tmp_path, **env: str) -> dict:
    result = paperboy(tmp_path, "manage", "shell", "-c", PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_uploads_default_to_the_data_dir(tmp_path):
    assert probe(tmp_path) == {
        "class": "FileSystemStorage",
        "location": str(tmp_path / "data" / "media"),
        "url": "/media/avatars/orgs/x.png",
    }


def test_uploads_go_to_a_shared_directory_linked_from_a_cdn(tmp_path):
    shared = tmp_path / "shared-media"

    found = probe(
        tmp_path,
        PAPERBOY_MEDIA_ROOT=str(shared),
        PAPERBOY_MEDIA_URL="https://cdn.example.org/media/",
    )

    assert found["location"] == str(shared)
    assert found["url"] == "https://cdn.example.org/media/avatars/orgs/x.png"


def test_uploads_go_to_another_storage_backend(tmp_path):
    found = probe(
        tmp_path,
        PAPERBOY_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        PAPERBOY_STORAGE_OPTIONS='{"base_url": "https://files.example.org/"}',
    )

    assert found["class"] == "InMemoryStorage"
    assert found["url"] == "https://files.example.org/avatars/orgs/x.png"


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ("{bucket", "PAPERBOY_STORAGE_OPTIONS is not JSON"),
        ("[1]", "PAPERBOY_STORAGE_OPTIONS must be a JSON object"),
    ],
)
def test_bad_storage_options_are_one_line_errors(tmp_path, options, error):
    result = paperboy(tmp_path, "manage", "check", PAPERBOY_STORAGE_OPTIONS=options)

    assert result.returncode == 2
    assert result.stderr.startswith(f"paperboy: {error}") and result.stderr.count("\n") == 1


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_avatar_is_stored_and_served_through_the_configured_storage(
    client, charlie, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "not-used"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    client.force_login(charlie)

    created = client.post(
        "/orgs/new",
        {"slug": "lab", "name": "Lab", "avatar": SimpleUploadedFile("a.png", _png(), "image/png")},
    )

    assert created.status_code == 302
    lab = Organization.objects.get(slug="lab")
    assert not (tmp_path / "not-used").exists()  # nothing on this host's disk
    served = client.get(lab.avatar_src)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()
    assert client.get("/media/avatars/orgs/missing.png").status_code == 404
    assert client.get("/media/avatars/../../etc/passwd.png").status_code == 404
