"""The in-process vector index (SQLite): exact for small catalogs, sign codes + int8 above."""

import numpy as np

from paperboy.search import vectors
from paperboy.search.models import Embedding
from paperboy.testing import make_paper


def random_unit(rng, n, dim=384):
    m = rng.normal(size=(n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_sign_codes_and_int8_rescoring_find_the_true_neighbours(db, monkeypatch):
    rng = np.random.default_rng(1)
    papers = [make_paper(title=f"Paper number {i}") for i in range(60)]
    matrix = random_unit(rng, len(papers))
    vectors.store("test-model", {p.pk: v for p, v in zip(papers, matrix, strict=True)})
    query = matrix[7] + 0.05 * random_unit(rng, 1)[0]
    query /= np.linalg.norm(query)
    exact = vectors.MemoryIndex.load("test-model").search(query, 5)
    monkeypatch.setattr(vectors, "EXACT_MAX", 10)
    monkeypatch.setattr(vectors, "RERANK", 30)
    approx_index = vectors.MemoryIndex.load("test-model")
    assert approx_index.matrix is None and approx_index.codes is not None
    approx = approx_index.search(query, 5)
    assert approx[0][0] == exact[0][0] == papers[7].pk
    assert abs(approx[0][1] - exact[0][1]) < 0.02


def test_the_index_reloads_when_vectors_change(db):
    rng = np.random.default_rng(2)
    a, b = make_paper(title="One"), make_paper(title="Two")
    va, vb = random_unit(rng, 2)
    vectors.store("m", {a.pk: va})
    assert [pk for pk, _ in vectors.nearest(vb, "m", k=5)] == [a.pk]
    vectors.store("m", {b.pk: vb})
    assert [pk for pk, _ in vectors.nearest(vb, "m", k=5)][0] == b.pk
    assert Embedding.objects.count() == 2


def test_closest_codes_returns_exactly_the_k_nearest_codes_by_hamming_distance():
    rng = np.random.default_rng(3)
    matrix = random_unit(rng, 5000)
    codes = vectors.sign_codes(matrix)  # papers × words
    code = vectors.sign_codes(random_unit(rng, 1))[0]
    brute = np.bitwise_count(codes ^ code).sum(axis=1)
    for k in (1, 37, 1000, 5000, 6000):
        found = vectors.closest_codes(np.ascontiguousarray(codes.T), code, k)
        assert len(found) == min(k, 5000) == len(set(found.tolist()))
        # Nothing left out is closer than anything kept.
        left_out = np.setdiff1d(np.arange(5000), found)
        if len(left_out):
            assert brute[found].max() <= brute[left_out].min()


def test_hamming_counts_differing_bits_across_blocks(monkeypatch):
    monkeypatch.setattr(vectors, "BLOCK", 7)
    codes = np.array([[0, 1, 3, 2**64 - 1] * 5, [0, 0, 1, 2**63] * 5], dtype=np.uint64)
    distances = vectors.hamming(codes, np.array([0, 1], dtype=np.uint64))
    assert distances.tolist() == [1, 2, 2, 66] * 5


def test_nearest_looks_past_vectors_of_rolled_back_writes(db):
    """PostgreSQL's HNSW index keeps entries of rolled-back (dead) rows until a vacuum; a scan
    that stopped after ``ef_search`` of them returned nothing at all (seen in the test suite,
    as after any crowd of aborted or replaced writes). The scan goes on past them."""
    from django.db import transaction

    rng = np.random.default_rng(3)
    query = random_unit(rng, 1)[0]
    live = make_paper(title="The one that stays")
    far = -query  # as far from the query as a vector gets
    vectors.store("test-model", {live.pk: far})

    class RolledBack(Exception):
        pass

    try:
        with transaction.atomic():
            crowd = [make_paper(title=f"Rolled back {i}") for i in range(150)]
            near = query + 0.01 * random_unit(rng, len(crowd))
            vectors.store("test-model", dict(zip([p.pk for p in crowd], near, strict=True)))
            raise RolledBack
    except RolledBack:
        pass
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as on a large table: through the index
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert [pk for pk, _ in vectors.nearest(query, "test-model", k=5)] == [live.pk]
