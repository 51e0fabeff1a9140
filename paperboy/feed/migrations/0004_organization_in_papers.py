"""Daily entries point at the catalog's Organization (the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feed', '0003_trending_index'),
        ('papers', '0007_organization_from_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.AlterField(
                    model_name='dailyentry',
                    name='organization',
                    field=models.ForeignKey(blank=True, help_text='The organization the submitter tagged the paper with.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='daily_entries', to='papers.organization'),
                ),
            ],
            database_operations=[],
        ),
    ]
