"""api lets go of ApiToken: accounts (0005) owns the same table now; its content type follows."""

from django.db import migrations



def _move(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="apitoken").exists():
        ContentType.objects.filter(app_label=old, model="apitoken").update(app_label=new)


def move_content_type(apps, schema_editor):
    _move(apps, "api", "accounts")


def move_content_type_back(apps, schema_editor):
    _move(apps, "accounts", "api")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_apitoken_from_api'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('api', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.DeleteModel(
                    name='ApiToken',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
