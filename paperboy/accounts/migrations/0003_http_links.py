"""Links are http(s) URLs only (paperboy.lib.weblinks): stored values that break the rule
(a ``javascript:`` link from an import) are blanked, then CHECK constraints keep it so."""

import paperboy.lib.weblinks
from django.db import migrations, models

from paperboy.lib.migrating import blank_bad_links


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_community'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organization',
            name='avatar_url',
            field=models.URLField(blank=True, max_length=500, validators=[paperboy.lib.weblinks.validate_link]),
        ),
        migrations.AlterField(
            model_name='organization',
            name='website',
            field=models.URLField(blank=True, max_length=300, validators=[paperboy.lib.weblinks.validate_link]),
        ),
        migrations.AlterField(
            model_name='user',
            name='website',
            field=models.URLField(blank=True, max_length=300, validators=[paperboy.lib.weblinks.validate_link]),
        ),
        blank_bad_links([('accounts', 'Organization', 'avatar_url'), ('accounts', 'Organization', 'website'), ('accounts', 'User', 'website')]),
        migrations.AddConstraint(
            model_name='organization',
            constraint=models.CheckConstraint(condition=models.Q(('avatar_url', ''), ('avatar_url__startswith', 'http://'), ('avatar_url__startswith', 'https://'), _connector='OR'), name='organization_avatar_url_http'),
        ),
        migrations.AddConstraint(
            model_name='organization',
            constraint=models.CheckConstraint(condition=models.Q(('website', ''), ('website__startswith', 'http://'), ('website__startswith', 'https://'), _connector='OR'), name='organization_website_http'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(('website', ''), ('website__startswith', 'http://'), ('website__startswith', 'https://'), _connector='OR'), name='user_website_http'),
        ),
    ]
