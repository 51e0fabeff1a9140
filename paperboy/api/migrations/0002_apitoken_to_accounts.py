"""api lets go of ApiToken: accounts (0005) owns the same table now; its content type follows."""

from django.db import migrations

from paperboy.lib.migrating import move_content_type



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
        move_content_type('apitoken', 'api', 'accounts'),
    ]
