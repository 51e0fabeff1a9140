"""Links are http(s) URLs only (paperboy.lib.weblinks): stored values that break the rule
(a ``javascript:`` link from an import) are blanked, then CHECK constraints keep it so."""

import paperboy.lib.weblinks
from django.db import migrations, models


def blank_bad_links(apps, schema_editor):
    from paperboy.lib.weblinks import BadLink, clean_link

    for app, model, fields in [('accounts', 'Organization', ['avatar_url', 'website']), ('accounts', 'User', ['website'])]:
        Model = apps.get_model(app, model)
        for field in fields:
            rows = Model.objects.exclude(**{field: ""}).values_list("pk", field)
            for pk, value in list(rows):
                try:
                    cleaned = clean_link(value, max_length=10_000)
                except BadLink:
                    cleaned = ""
                if cleaned != value:
                    Model.objects.filter(pk=pk).update(**{field: cleaned})


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
        migrations.RunPython(blank_bad_links, migrations.RunPython.noop),
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
