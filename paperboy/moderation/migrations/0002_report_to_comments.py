"""moderation lets go of Report: comments (0002) owns the same table now; its content type follows."""

from django.db import migrations

from paperboy.lib.migrating import move_content_type



class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0002_report_from_moderation'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('moderation', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='report',
                    name='report_once',
                ),
                migrations.DeleteModel(
                    name='Report',
                ),
            ],
            database_operations=[],
        ),
        move_content_type('report', 'moderation', 'comments'),
    ]
