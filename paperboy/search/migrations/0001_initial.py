import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from paperboy.search import schema

    schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from paperboy.search import schema

    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("papers", "0002_ai_fields"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexState",
            fields=[
                ("key", models.CharField(max_length=50, primary_key=True, serialize=False)),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="Embedding",
            fields=[
                (
                    "paper",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="embedding",
                        serialize=False,
                        to="papers.paper",
                    ),
                ),
                ("model", models.CharField(db_index=True, max_length=200)),
                ("vector", models.BinaryField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        # FTS5 + triggers on SQLite; search_document + GIN, pg_trgm, pgvector HNSW on PostgreSQL.
        migrations.RunPython(install, uninstall),
    ]
