"""The data steps the model-moving and link-checking migrations share (lib/migrating.py)."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from paperboy.lib.migrating import blank_bad_links, move_content_type
from paperboy.papers.models import Paper
from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db


def test_a_moved_model_takes_its_content_type_along_and_back():
    moved = ContentType.objects.create(app_label="oldapp", model="thing")
    step = move_content_type("thing", "oldapp", "newapp")

    step.code(apps, None)
    moved.refresh_from_db()
    assert moved.app_label == "newapp"

    step.reverse_code(apps, None)
    moved.refresh_from_db()
    assert moved.app_label == "oldapp"


def test_a_content_type_already_in_place_is_left_alone():
    old = ContentType.objects.create(app_label="oldapp", model="thing")
    ContentType.objects.create(app_label="newapp", model="thing")
    move_content_type("thing", "oldapp", "newapp").code(apps, None)
    old.refresh_from_db()
    assert old.app_label == "oldapp"  # no duplicate (app_label, model)


def test_stored_links_are_normalised_or_blanked():
    good = make_paper(github_repo="https://github.com/a/b")
    bad = make_paper()
    # Past the database's scheme check, but not a link (a space in the host).
    Paper.objects.filter(pk=bad.pk).update(project_page="https://exa mple.org/")
    Paper.objects.filter(pk=good.pk).update(project_page="https://lab.example/  ")

    blank_bad_links([("papers", "Paper", "project_page"), ("papers", "Paper", "github_repo")]).code(
        apps, None
    )

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.project_page, good.github_repo) == (
        "https://lab.example/",
        "https://github.com/a/b",
    )
    assert bad.project_page == ""
