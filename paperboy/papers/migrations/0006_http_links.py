"""Links are http(s) URLs only (paperboy.lib.weblinks): stored values that break the rule
(a ``javascript:`` link from an import) are blanked, then CHECK constraints keep it so."""

import paperboy.lib.weblinks
from django.db import migrations, models

from paperboy.lib.migrating import blank_bad_links


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_http_links'),
        ('papers', '0005_drop_redundant_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='paper',
            name='github_repo',
            field=models.URLField(blank=True, max_length=500, validators=[paperboy.lib.weblinks.validate_link]),
        ),
        migrations.AlterField(
            model_name='paper',
            name='project_page',
            field=models.URLField(blank=True, max_length=500, validators=[paperboy.lib.weblinks.validate_link]),
        ),
        blank_bad_links([('papers', 'Paper', 'project_page'), ('papers', 'Paper', 'github_repo')]),
        migrations.AddConstraint(
            model_name='paper',
            constraint=models.CheckConstraint(condition=models.Q(('project_page', ''), ('project_page__startswith', 'http://'), ('project_page__startswith', 'https://'), _connector='OR'), name='paper_project_page_http'),
        ),
        migrations.AddConstraint(
            model_name='paper',
            constraint=models.CheckConstraint(condition=models.Q(('github_repo', ''), ('github_repo__startswith', 'http://'), ('github_repo__startswith', 'https://'), _connector='OR'), name='paper_github_repo_http'),
        ),
    ]
