"""Data steps several migrations share, as ``RunPython`` operations.

- ``move_content_type``: a model that moved to another app on the same table
  (``SeparateDatabaseAndState``) takes its content type along, so admin log entries and
  permissions keep pointing at it; the reverse moves it back.
- ``blank_bad_links``: stored links that break ``lib.weblinks``'s rule are normalised, or
  blanked when they cannot be, before a CHECK constraint starts refusing them.
"""

from __future__ import annotations

from django.db import migrations

from paperboy.lib.weblinks import BadLink, clean_link


def move_content_type(model: str, old: str, new: str) -> migrations.RunPython:
    """Move ``model``'s content type from app ``old`` to app ``new`` (and back on reverse)."""

    def move(apps, from_app: str, to_app: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        if not content_type.objects.filter(app_label=to_app, model=model).exists():
            content_type.objects.filter(app_label=from_app, model=model).update(app_label=to_app)

    return migrations.RunPython(
        lambda apps, schema_editor: move(apps, old, new),
        lambda apps, schema_editor: move(apps, new, old),
    )


def blank_bad_links(fields: list[tuple[str, str, str]]) -> migrations.RunPython:
    """For each (app, model, field): every stored link in its normal form, or "" when it breaks
    the rule (a ``javascript:`` link an import stored). Nothing to undo on reverse."""

    def clean(apps, schema_editor) -> None:
        for app, model_name, field in fields:
            model = apps.get_model(app, model_name)
            rows = list(model.objects.exclude(**{field: ""}).values_list("pk", field))
            for pk, value in rows:
                try:
                    cleaned = clean_link(value, max_length=10_000)
                except BadLink:
                    cleaned = ""
                if cleaned != value:
                    model.objects.filter(pk=pk).update(**{field: cleaned})

    return migrations.RunPython(clean, migrations.RunPython.noop)
