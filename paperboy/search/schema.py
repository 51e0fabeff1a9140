"""The lexical index and the pgvector column, created with raw SQL per database engine.

SQLite: ``search_fts`` is an FTS5 external-content table over ``papers_paper`` (title,
abstract and keyphrases, ``porter unicode61``; the title is weighted above the other two at
query time) kept in sync by three triggers on ``papers_paper``.

PostgreSQL: ``search_document(paper_id, tsv)`` holds ``setweight(title, 'A') ||
setweight(abstract, 'B') || setweight(keyphrases, 'B')`` (English configuration) with a GIN
index, filled by a trigger on ``papers_paper``. It is a table of its own because a generated
column would have to live on ``papers_paper``, which the papers app owns.
``search_embedding.vec`` is a pgvector column with an HNSW index (inner product: the vectors
are normalised).

A bulk import (``paperboy import papers``) writes the documents of the papers it changes itself,
in the same transaction, from documents computed ahead on a second connection (so the two cores
share the ``to_tsvector`` work); it sets ``paperboy.search_documents`` to ``importer`` for its
transactions and the trigger leaves those rows to it. When one import writes many documents
relative to those indexed, it drops the GIN index and the title trigram index while it loads
and builds them once at the end (``pg_drop_text_index``, ``pg_create_text_index``); a load
killed on the way leaves them to be re-created by the next bulk import or by ``install``
(every ``migrate``, ``paperboy up``). Without them, searches stay correct, only slower. On
SQLite a bulk import drops FTS5's insert trigger instead and rebuilds ``search_fts`` once at the
end (one pass costs a third of indexing paper by paper, commit by commit); papers it adds are
found by words from then on (by meaning as soon as they are embedded), and a killed load is
rebuilt by ``install`` as any lost trigger is.

Everything here is idempotent (``IF NOT EXISTS``): the migration calls ``install`` and so does
``post_migrate``, because SQLite drops a table's triggers when a later migration of the papers
app rebuilds ``papers_paper``.
"""

from __future__ import annotations

import struct

from django.db import OperationalError, transaction

from paperboy.search import memo

# A paper's keyphrases (``ai_keywords``, a JSON list) as the words FTS5 and PostgreSQL index:
# the phrases joined by spaces, so non-ASCII letters are letters, not JSON escapes.
SQLITE_KEYWORDS = (
    "coalesce((SELECT group_concat(value, ' ') FROM json_each("
    "CASE WHEN json_valid({p}.ai_keywords) THEN {p}.ai_keywords END)), '')"
)
SQLITE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, abstract, ai_keywords, content='papers_paper', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_ai AFTER INSERT ON papers_paper BEGIN
        INSERT INTO search_fts(rowid, title, abstract, ai_keywords)
        VALUES (new.id, new.title, new.abstract, {SQLITE_KEYWORDS.format(p="new")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON papers_paper BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, abstract, ai_keywords)
        VALUES ('delete', old.id, old.title, old.abstract, {SQLITE_KEYWORDS.format(p="old")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_au
    AFTER UPDATE OF title, abstract, ai_keywords ON papers_paper BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, abstract, ai_keywords)
        VALUES ('delete', old.id, old.title, old.abstract, {SQLITE_KEYWORDS.format(p="old")});
        INSERT INTO search_fts(rowid, title, abstract, ai_keywords)
        VALUES (new.id, new.title, new.abstract, {SQLITE_KEYWORDS.format(p="new")});
    END""",
]
# FTS5's own 'rebuild' would read ``ai_keywords`` as stored (JSON): the index is rebuilt from
# the same expressions the triggers use, so a later 'delete' removes exactly what was added.
SQLITE_REBUILD = [
    "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
    "INSERT INTO search_fts(rowid, title, abstract, ai_keywords) "
    f"SELECT p.id, p.title, p.abstract, {SQLITE_KEYWORDS.format(p='p')} FROM papers_paper p",
]
SQLITE_VOCAB = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_vocab USING fts5vocab(search_fts, 'row')"
)
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TABLE IF EXISTS search_fts",
]

PG_TSV = (
    "setweight(to_tsvector('english', coalesce({p}.title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce({p}.abstract, '')), 'B') || "
    # to_tsvector of jsonb indexes its string values only (the phrases, not the brackets).
    "setweight(to_tsvector('english', coalesce({p}.ai_keywords, '[]'::jsonb)), 'B')"
)
PG_TEXT_INDEX = "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_document USING gin (tsv)"
# Typo tolerance on titles.
PG_TITLE_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_title_trgm ON papers_paper "
    "USING gin (lower(title) gin_trgm_ops)"
)
PG_WRITER_SETTING = "paperboy.search_documents"
# Taken (for the transaction) around dropping and creating the GIN index, so that two bulk
# imports finishing together do not both create it. Any fixed 64-bit number.
PG_TEXT_INDEX_LOCK = 0x70617065_72747376
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # No foreign key to papers_paper: Django empties its own tables with one TRUNCATE (the
    # test suite after every transactional test, `manage flush`), and a reference from a
    # table it does not know would make that fail. A delete trigger keeps the two in step.
    """CREATE TABLE IF NOT EXISTS search_document (
        paper_id bigint PRIMARY KEY,
        tsv tsvector NOT NULL)""",
    "ALTER TABLE search_document DROP CONSTRAINT IF EXISTS search_document_paper_id_fkey",
    PG_TEXT_INDEX,
    f"""CREATE OR REPLACE FUNCTION search_document_sync() RETURNS trigger AS $$
    BEGIN
        IF current_setting('{PG_WRITER_SETTING}', true) = 'importer' THEN
            RETURN NULL;  -- the bulk importer writes this transaction's documents itself
        END IF;
        INSERT INTO search_document (paper_id, tsv) VALUES (NEW.id, {PG_TSV.format(p="NEW")})
        ON CONFLICT (paper_id) DO UPDATE SET tsv = EXCLUDED.tsv;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS search_document_sync ON papers_paper",
    """CREATE TRIGGER search_document_sync AFTER INSERT OR UPDATE OF title, abstract, ai_keywords
        ON papers_paper FOR EACH ROW EXECUTE FUNCTION search_document_sync()""",
    """CREATE OR REPLACE FUNCTION search_document_forget() RETURNS trigger AS $$
    BEGIN
        DELETE FROM search_document WHERE paper_id = OLD.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS search_document_forget ON papers_paper",
    """CREATE TRIGGER search_document_forget AFTER DELETE ON papers_paper
        FOR EACH ROW EXECUTE FUNCTION search_document_forget()""",
    # …and a TRUNCATE of papers_paper (Django's flush) empties the index too.
    """CREATE OR REPLACE FUNCTION search_document_truncate() RETURNS trigger AS $$
    BEGIN
        TRUNCATE search_document;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS search_document_truncate ON papers_paper",
    """CREATE TRIGGER search_document_truncate AFTER TRUNCATE ON papers_paper
        FOR EACH STATEMENT EXECUTE FUNCTION search_document_truncate()""",
    f"""INSERT INTO search_document (paper_id, tsv)
        SELECT p.id, {PG_TSV.format(p="p")} FROM papers_paper p
        WHERE NOT EXISTS (SELECT 1 FROM search_document d WHERE d.paper_id = p.id)""",
    PG_TITLE_INDEX,
    "ALTER TABLE search_embedding ADD COLUMN IF NOT EXISTS vec vector(384)",
    "CREATE INDEX IF NOT EXISTS search_embedding_hnsw ON search_embedding "
    "USING hnsw (vec vector_ip_ops) WITH (m = 16, ef_construction = 64)",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS search_document_sync ON papers_paper",
    "DROP FUNCTION IF EXISTS search_document_sync()",
    "DROP TRIGGER IF EXISTS search_document_forget ON papers_paper",
    "DROP FUNCTION IF EXISTS search_document_forget()",
    "DROP TRIGGER IF EXISTS search_document_truncate ON papers_paper",
    "DROP FUNCTION IF EXISTS search_document_truncate()",
    "DROP TABLE IF EXISTS search_document",
    "DROP INDEX IF EXISTS search_title_trgm",
    "DROP INDEX IF EXISTS search_embedding_hnsw",
    "ALTER TABLE search_embedding DROP COLUMN IF EXISTS vec",
]


def install(connection) -> None:
    """Create (or re-create what is missing of) the lexical index for this connection."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'")
            fresh = cursor.fetchone() is None
            triggers = _sqlite_triggers(cursor)
            for sql in [*SQLITE, SQLITE_VOCAB]:
                cursor.execute(sql)
            if fresh or triggers < 3:
                # New table, or triggers lost to a table rebuild: papers may have changed unseen.
                for sql in SQLITE_REBUILD:
                    cursor.execute(sql)
                memo.bump()  # rankings made from the index as it was
        elif connection.vendor == "postgresql":
            for sql in POSTGRES:
                cursor.execute(sql)


def uninstall(connection) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def pg_write_documents(cursor, paper_ids: list[int], documents: list[bytes]) -> None:
    """Store documents computed ahead for these papers, replacing any they had: ``PG_TSV``'s
    tsvector in PostgreSQL's binary form (what a binary cursor returns for it), written with
    one binary ``COPY`` (less work on both sides than text)."""
    if not paper_ids:
        return
    cursor.execute("DELETE FROM search_document WHERE paper_id = ANY(%s)", [paper_ids])
    parts = [_COPY_HEADER]
    for paper_id, document in zip(paper_ids, documents, strict=True):
        parts += [_COPY_ROW.pack(2, 8, paper_id, len(document)), document]
    parts.append(_COPY_TRAILER)
    sql = "COPY search_document (paper_id, tsv) FROM STDIN (FORMAT binary)"
    with cursor.db.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        copy.write(b"".join(parts))


# PostgreSQL's binary COPY format: signature, flags, header extension; per row the number of
# fields, then each field's length and bytes (a bigint, a tsvector); -1 as the trailer.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_ROW = struct.Struct("!hiqi")
_COPY_TRAILER = struct.pack("!h", -1)


def pg_fill_documents(cursor, paper_ids: list[int]) -> None:
    """Compute and store the documents of these papers from their rows, as the trigger does."""
    if paper_ids:
        cursor.execute(
            f"INSERT INTO search_document (paper_id, tsv) SELECT p.id, {PG_TSV.format(p='p')} "
            "FROM papers_paper p WHERE p.id = ANY(%s) "
            "ON CONFLICT (paper_id) DO UPDATE SET tsv = EXCLUDED.tsv",
            [paper_ids],
        )


def text_index_exists(connection) -> bool:
    """Whether the word index is kept row by row: PostgreSQL's text indexes are there, or
    SQLite's FTS5 triggers are (a bulk import drops the insert trigger while it loads)."""
    if connection.vendor == "postgresql":
        return pg_text_index_exists(connection)
    with connection.cursor() as cursor:
        return _sqlite_triggers(cursor) == 3


def drop_text_index(connection) -> bool:
    """Stop indexing new papers row by row for a bulk load: PostgreSQL drops its text indexes
    (``pg_drop_text_index``); SQLite drops FTS5's insert trigger (new papers are then missing
    from ``search_fts`` until ``create_text_index``). False when nothing was dropped."""
    if connection.vendor == "postgresql":
        return pg_drop_text_index(connection)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS search_fts_ai")
    return True


def create_text_index(connection) -> None:
    """Undo ``drop_text_index`` in one pass: PostgreSQL builds its indexes; SQLite re-creates
    the trigger and rebuilds ``search_fts`` from the papers (``install`` does that whenever a
    trigger was missing, so a killed load is repaired by any ``migrate`` too)."""
    if connection.vendor == "postgresql":
        pg_create_text_index(connection)
    else:
        install(connection)


def pg_text_index_exists(connection) -> bool:
    """Whether both text indexes are there (documents, title trigrams)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('search_document_tsv') IS NOT NULL "
            "AND to_regclass('search_title_trgm') IS NOT NULL"
        )
        return cursor.fetchone()[0]


def pg_drop_text_index(connection) -> bool:
    """Drop the text indexes (the GIN index of ``search_document``, the title trigrams of
    ``papers_paper``) for a bulk load, in a transaction of its own.

    False (nothing dropped) when the table stays locked for two seconds (a long search or
    another writer): the load then keeps the index up to date row by row instead.
    """
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_TEXT_INDEX_LOCK])
            cursor.execute("DROP INDEX IF EXISTS search_document_tsv, search_title_trgm")
    except OperationalError:
        return False
    return True


def pg_create_text_index(connection) -> None:
    """(Re-)create the text indexes that are missing, each in one build."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_TEXT_INDEX_LOCK])
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(PG_TEXT_INDEX)
        cursor.execute(PG_TITLE_INDEX)


def _sqlite_triggers(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_fts_%'"
    )
    return cursor.fetchone()[0]


def set_pg_dimension(connection, dim: int) -> None:
    """Re-type ``search_embedding.vec`` for a model with another dimension (drops the vectors)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_embedding_hnsw")
        cursor.execute(
            f"ALTER TABLE search_embedding ALTER COLUMN vec TYPE vector({int(dim)}) USING NULL"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS search_embedding_hnsw ON search_embedding "
            "USING hnsw (vec vector_ip_ops) WITH (m = 16, ef_construction = 64)"
        )


def pg_dimension(connection) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'search_embedding'::regclass "
            "AND attname = 'vec'"
        )
        row = cursor.fetchone()
    return row[0] if row else None
