"""ingest lets go of StarSnapshot: the catalog (papers.0008) owns the same table now."""

from django.db import migrations

from paperboy.lib.migrating import move_content_type



class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0008_starsnapshot_from_ingest'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('ingest', '0002_heldforeignkey'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's idea of its owner changes.
            state_operations=[
                migrations.RemoveIndex(
                    model_name='starsnapshot',
                    name='star_paper_time',
                ),
                migrations.DeleteModel(
                    name='StarSnapshot',
                ),
            ],
            database_operations=[],
        ),
        move_content_type('starsnapshot', 'ingest', 'papers'),
    ]
