"""accounts lets go of Organization: the catalog (papers.0007) owns the same table now.
Its content type follows it, so admin log entries and permissions keep pointing at it."""

import django.db.models.deletion
from django.db import migrations, models

from paperboy.lib.migrating import move_content_type


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
        move_content_type('organization', 'accounts', 'papers'),
    ]
