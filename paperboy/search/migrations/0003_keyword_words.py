"""Keyphrases (``Paper.ai_keywords``) become searchable words: SQLite's ``search_fts`` gains a
column (dropped and rebuilt in place from the papers), PostgreSQL's trigger follows the
keyphrases and the documents of papers that have some are recomputed. The word index (Tantivy)
rebuilds itself on its new ``SCHEMA_VERSION``."""

from django.db import migrations


def forwards(apps, schema_editor):
    from paperboy.search import schema  # the SQL lives with the search app's schema

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in schema.SQLITE_DROP:
                cursor.execute(sql)
    schema.install(connection)  # SQLite: a fresh table, rebuilt; PostgreSQL: the new trigger
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE search_document d SET tsv = {schema.PG_TSV.format(p='p')} "
                "FROM papers_paper p WHERE d.paper_id = p.id AND p.ai_keywords <> '[]'::jsonb"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_word_index_change"),
        ("papers", "0009_ai_summary_model"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
