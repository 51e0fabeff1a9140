"""Full-text candidates at scale (PostgreSQL): match on the rarest words, rank by all of them.

An OR query over a paraphrase's words matches ~90,000 of 1M papers, and PostgreSQL then
fetches (and detoasts) every matching ``tsvector`` to ``ts_rank`` it: 4-11 s a query on the
1M-paper benchmark. A paper that contains none of the query's rarer words can hardly reach
the top 100 on the common ones alone (low idf), so above ``SCORE_BUDGET`` estimated matches
the GIN index is asked only for papers containing one of the rarest words, taken rarest
first while their estimated postings fit in the budget (at least one word); those are then
ranked with ``ts_rank`` over *every* word, as before. Below the budget (small catalogs,
queries of rare words only) the query is exactly ``lexical.candidates``'s.

Not on SQLite: FTS5 cannot match on one query and rank by another (``rowid IN`` a sub-query
re-runs the MATCH per row), and matching ``(rare words) AND (all words)`` counts the rare words
twice in bm25, which cost quality there; SQLite keeps the full OR query. The measurements
behind both choices are in bench/README.md ("Full-text candidates at scale").

Word frequencies come from the planner's statistics (``pg_stats.most_common_elem_freqs`` of
``search_document.tsv``, as ``lexical.prune_common_pg``); a word missing from that list is
rarer than the least common one listed, and counts as rare (cost 0): the budget only limits
the listed words. At 1M papers the list stops at words in 2.3% of the papers, so the words
below that (up to ~20k papers each) are all matched; that is most of what is left of the
1M lexical time. ``ALTER TABLE search_document ALTER tsv SET STATISTICS …`` (a longer list)
is the next step, not taken here.
"""

from __future__ import annotations

from django.db import connection, transaction

from paperboy.search import lexical

SCORE_BUDGET = 2_000  # estimated matching papers (of the common words) worth ranking


def essential(terms: list[str], freqs: list[float], total: int, *, budget: int) -> list[str]:
    """Pure: the rarest ``terms`` whose estimated postings (``freq × total``) fit in
    ``budget``, at least one, in query order; all of them when they all fit."""
    if not terms:
        return []
    if sum(freqs) * total <= budget:
        return list(terms)
    order = sorted(range(len(terms)), key=lambda i: (freqs[i], i))
    kept, used = set(), 0.0
    for i in order:
        cost = freqs[i] * total
        if kept and used + cost > budget:
            break
        kept.add(i)
        used += cost
    return [t for i, t in enumerate(terms) if i in kept]


def term_freqs(terms: list[str]) -> list[float]:
    """Each term's share of papers, estimated from ``pg_stats`` (see the module docstring)."""
    return lexical.pg_term_shares(terms, lexical._pg_common_lexemes())


def candidates(parsed: lexical.ParsedQuery, *, limit: int = 100) -> list[tuple[int, float]]:
    """``lexical.candidates``, with the match bounded as described above."""
    if connection.vendor != "postgresql" or parsed.empty:
        return lexical.candidates(parsed, limit=limit)
    terms = lexical.prune_common_pg(parsed.terms)
    matched = essential(terms, term_freqs(terms), _papers(), budget=SCORE_BUDGET)
    if matched == terms:
        return lexical.candidates(parsed, limit=limit)
    with transaction.atomic(), connection.cursor() as cursor:
        # An exact (not lossy) bitmap: a lossy page makes PostgreSQL recheck, and detoast, every
        # row on it; at 1M papers the default 4 MB turned half the pages lossy.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            "SELECT d.paper_id, ts_rank('{0.1, 0.2, 0.4, 1.0}', d.tsv, r, 1) AS score "
            "FROM search_document d, websearch_to_tsquery('english', %s) q, "
            "websearch_to_tsquery('english', %s) r "
            "WHERE d.tsv @@ q ORDER BY score DESC, d.paper_id LIMIT %s",
            [lexical.tsquery_text(matched), lexical.tsquery_text(terms), limit],
        )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def _papers() -> int:
    """Rows of ``search_document`` as the planner knows them (no count(*) over 1M rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'search_document'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
