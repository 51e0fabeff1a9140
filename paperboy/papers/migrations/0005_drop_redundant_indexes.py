"""Drop the catalog indexes no query reads, which every import paid for row by row.

On PostgreSQL Django adds a second, ``varchar_pattern_ops`` index beside each indexed or unique
text column, for ``LIKE 'prefix%'`` look-ups: Paperboy never filters papers' arXiv ids or
primary categories, authors' names or the paper-category links by prefix (equality uses the
ordinary index beside them). On both databases the paper-category link table has an index on
``paper_id`` that the unique ``(paper_id, category_id)`` index already serves. On the
71,728-paper shared corpus these cost the PostgreSQL import ~4 s of server CPU.

A later migration that alters one of these columns may add its pattern index back (Django does
that on PostgreSQL); dropping it again is safe, as here: only indexes found are dropped.
"""

from django.db import migrations


def _redundant(schema_editor) -> list[str]:
    """Names of the redundant indexes present on this database."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND ("
                "(tablename IN ('papers_paper', 'papers_author', 'papers_paper_categories') "
                "AND indexdef LIKE %s) "
                "OR (tablename = 'papers_paper_categories' AND indexdef LIKE %s))",
                ["%varchar_pattern_ops%", "%USING btree (paper_id)"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'papers_paper_categories' "
                "AND sql LIKE %s",
                ['CREATE INDEX %("paper_id")'],
            )
        return [row[0] for row in cursor.fetchall()]


def drop(apps, schema_editor) -> None:
    for name in _redundant(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def recreate(apps, schema_editor) -> None:
    """Put back what ``drop`` removed, as Django creates them."""
    Paper = apps.get_model("papers", "Paper")
    Author = apps.get_model("papers", "Author")
    through = Paper._meta.get_field("categories").remote_field.through
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(
        schema_editor._create_index_sql(through, fields=[through._meta.get_field("paper")])
    )
    if not postgres:
        return
    for model, field in (
        (Paper, "arxiv_id"),
        (Paper, "primary_category"),
        (Author, "name"),
        (through, "category"),
    ):
        sql = schema_editor._create_like_index_sql(model, model._meta.get_field(field))
        if sql is not None:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("papers", "0004_paperauthor_paper_no_index")]

    operations = [migrations.RunPython(drop, recreate, elidable=False)]
