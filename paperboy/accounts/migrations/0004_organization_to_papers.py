"""accounts lets go of Organization: the catalog (papers.0007) owns the same table now.
Its content type follows it, so admin log entries and permissions keep pointing at it."""

import django.db.models.deletion
from django.db import migrations, models


def _move(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="organization").exists():
        ContentType.objects.filter(app_label=old, model="organization").update(app_label=new)


def move_content_type(apps, schema_editor):
    _move(apps, "accounts", "papers")


def move_content_type_back(apps, schema_editor):
    _move(apps, "papers", "accounts")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('accounts', '0003_http_links'),
        ('feed', '0004_organization_in_papers'),
        ('papers', '0007_organization_from_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='organization',
                    name='organization_avatar_url_http',
                ),
                migrations.RemoveConstraint(
                    model_name='organization',
                    name='organization_website_http',
                ),
                migrations.AlterField(
                    model_name='membership',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='papers.organization'),
                ),
                migrations.AlterField(
                    model_name='invitation',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='papers.organization'),
                ),
                migrations.AlterField(
                    model_name='follow',
                    name='organization',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='followers', to='papers.organization'),
                ),
                migrations.DeleteModel(
                    name='Organization',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
