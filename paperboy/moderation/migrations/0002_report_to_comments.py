"""moderation lets go of Report: comments (0002) owns the same table now; its content type follows."""

from django.db import migrations



def _move(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="report").exists():
        ContentType.objects.filter(app_label=old, model="report").update(app_label=new)


def move_content_type(apps, schema_editor):
    _move(apps, "moderation", "comments")


def move_content_type_back(apps, schema_editor):
    _move(apps, "comments", "moderation")


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0002_report_from_moderation'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('moderation', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='report',
                    name='report_once',
                ),
                migrations.DeleteModel(
                    name='Report',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
