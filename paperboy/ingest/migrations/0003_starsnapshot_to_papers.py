"""ingest lets go of StarSnapshot: the catalog (papers.0008) owns the same table now."""

from django.db import migrations



def _move(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="starsnapshot").exists():
        ContentType.objects.filter(app_label=old, model="starsnapshot").update(app_label=new)


def move_content_type(apps, schema_editor):
    _move(apps, "ingest", "papers")


def move_content_type_back(apps, schema_editor):
    _move(apps, "papers", "ingest")


class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0008_starsnapshot_from_ingest'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('ingest', '0002_heldforeignkey'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.RemoveIndex(
                    model_name='starsnapshot',
                    name='star_paper_time',
                ),
                migrations.DeleteModel(
                    name='StarSnapshot',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
