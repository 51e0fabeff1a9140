"""StarSnapshot (a paper's star history) moves from ingest to the catalog (issue 13): the same
table (``ingest_starsnapshot``), no row moved."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ingest', '0002_heldforeignkey'),
        ('papers', '0007_organization_from_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.CreateModel(
                    name='StarSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stars', models.PositiveIntegerField()),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('paper', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='papers.paper')),
                    ],
                    options={
                        'db_table': 'ingest_starsnapshot',
                        'ordering': ['recorded_at'],
                        'indexes': [models.Index(fields=['paper', 'recorded_at'], name='star_paper_time')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
