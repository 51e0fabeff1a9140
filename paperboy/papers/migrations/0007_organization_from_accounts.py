"""Organization moves from accounts to the catalog (issue 13): the same table
(``accounts_organization``), now owned by papers; no row is moved or rewritten."""

import django.db.models.deletion
import paperboy.lib.weblinks
import paperboy.papers.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_http_links'),
        ('papers', '0006_http_links'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.CreateModel(
                    name='Organization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(max_length=64, unique=True, validators=[paperboy.papers.models.validate_org_slug])),
                        ('name', models.CharField(max_length=200, verbose_name='display name')),
                        ('avatar_url', models.URLField(blank=True, max_length=500, validators=[paperboy.lib.weblinks.validate_link])),
                        ('avatar', models.ImageField(blank=True, upload_to='avatars/orgs/')),
                        ('description', models.TextField(blank=True, help_text='Markdown.', max_length=4000)),
                        ('website', models.URLField(blank=True, max_length=300, validators=[paperboy.lib.weblinks.validate_link])),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'accounts_organization',
                        'ordering': ['slug'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('avatar_url', ''), ('avatar_url__startswith', 'http://'), ('avatar_url__startswith', 'https://'), _connector='OR'), name='organization_avatar_url_http'), models.CheckConstraint(condition=models.Q(('website', ''), ('website__startswith', 'http://'), ('website__startswith', 'https://'), _connector='OR'), name='organization_website_http')],
                    },
                ),
                migrations.AlterField(
                    model_name='paper',
                    name='organization',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='papers', to='papers.organization'),
                ),
            ],
            database_operations=[],
        ),
    ]
