"""Paper vectors: storing them, and finding the nearest ones per engine.

Storage: ``Embedding.vector`` holds float16 bytes on both engines; on PostgreSQL the same
vector also goes into the pgvector column ``vec`` (HNSW, inner product).

Nearest neighbours:
- PostgreSQL: pgvector's HNSW index (``hnsw.ef_search`` raised to 100 for recall, iterative
  scans so that dead rows in the index never leave a search short).
- SQLite: an in-process index, reloaded when ``IndexState`` says the vectors changed. Up to
  ``EXACT_MAX`` papers it is an exact float32 matrix product; above that, a 1-bit-per-dimension
  sign code (48 bytes per paper at 384-d) ranks everything by Hamming distance with numpy's
  popcount, and the best ``RERANK`` are rescored with int8 copies of the vectors kept in
  memory (432 bytes a paper in all: ~430 MB at 1M). Chosen by ``bench/search_latency.py``:
  brute force float32 over 1M takes 80-160 ms a query here; fetching the shortlist's vectors
  from SQLite took ~80 ms for 1,000 rows. The codes are stored word-major (one contiguous
  array per 64 bits of the code), popcounts are summed in place in blocks that stay in cache,
  and the shortlist is cut with a histogram of the distances (0..384) instead of a partition
  of all of them: ~15 ms instead of ~65 ms of CPU a query at 1M (bench/search_phases.py).
"""

from __future__ import annotations

import secrets
import threading
import time
from functools import lru_cache

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from paperboy.search import memo, schema
from paperboy.search.models import Embedding, IndexState

EXACT_MAX = 50_000
RERANK = 1000
RELOAD_EVERY = 30.0  # seconds: how stale the in-process index may get while vectors stream in
STATE_KEY = "vectors"


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)


def store(model_id: str, vectors: dict[int, np.ndarray]) -> int:
    """Save (or replace) the vectors of these papers; returns how many were written."""
    if not vectors:
        return 0
    rows = [
        Embedding(paper_id=pk, model=model_id, vector=to_bytes(v), updated_at=timezone.now())
        for pk, v in vectors.items()
    ]
    with transaction.atomic():
        Embedding.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["paper"],
            update_fields=["model", "vector", "updated_at"],
        )
        if connection.vendor == "postgresql":
            _store_pg(vectors)
        bump()
    return len(rows)


def _store_pg(vectors: dict[int, np.ndarray]) -> None:
    dim = len(next(iter(vectors.values())))
    if schema.pg_dimension(connection) != dim:
        schema.set_pg_dimension(connection, dim)
    ids = list(vectors)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 1000):  # one statement per thousand, not per vector
            chunk = ids[start : start + 1000]
            cursor.execute(
                "UPDATE search_embedding e SET vec = v.vec::vector "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(paper_id, vec) "
                "WHERE e.paper_id = v.paper_id",
                [chunk, [_pg_literal(vectors[pk]) for pk in chunk]],
            )


def _pg_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6g}" for x in np.asarray(vector, dtype=np.float32)) + "]"


def bump() -> None:
    """A new random stamp (not a counter: a rolled-back transaction could reuse a count)."""
    IndexState.objects.update_or_create(
        key=STATE_KEY, defaults={"version": secrets.randbits(62) + 1}
    )
    forget()  # this process sees its own writes at once; others within a second
    memo.bump()  # rankings made with the old vectors, in every process


def state_version() -> int:
    row = IndexState.objects.filter(key=STATE_KEY).values_list("version", flat=True).first()
    return row or 0


_seen: list[float] = [float("-inf"), 0]  # when state_version was last read, and its value


def recent_version() -> int:
    """``state_version`` as read at most a second ago (the same staleness as the in-process
    index's): search asks on every query whether vectors exist, and this spares it a query."""
    now = time.monotonic()
    if now - _seen[0] >= 1.0:
        _seen[1] = state_version()
        _seen[0] = now
    return int(_seen[1])


def vectors_for(paper_ids: list[int], model_id: str) -> dict[int, np.ndarray]:
    rows = Embedding.objects.filter(paper_id__in=paper_ids, model=model_id).values_list(
        "paper_id", "vector"
    )
    return {pk: from_bytes(v) for pk, v in rows}


def nearest(query: np.ndarray, model_id: str, *, k: int = 100) -> list[tuple[int, float]]:
    """The ``k`` papers whose vectors are closest to ``query``: (paper id, cosine), best first."""
    if connection.vendor == "postgresql":
        return _nearest_pg(query, model_id, k)
    return _index_for(model_id).search(query, k)


def _nearest_pg(query: np.ndarray, model_id: str, k: int) -> list[tuple[int, float]]:
    """Through the HNSW index. Vectors of another model (left from before a model change,
    until re-embedded) are dropped after the scan: a ``model =`` condition in the query could
    make the planner prefer the ``model`` b-tree and sort every vector."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.ef_search = %s", [max(100, k)])
        # The index keeps entries of dead rows (rolled back, replaced) until a vacuum; a scan
        # that stops after ef_search of them can return nothing. pgvector >= 0.8 goes on
        # scanning until the LIMIT is filled (strict order: as exact as a plain scan).
        if _iterative_scans():
            cursor.execute("SET LOCAL hnsw.iterative_scan = strict_order")
        cursor.execute(
            "SELECT paper_id, -(vec <#> %s::vector), model FROM search_embedding "
            "WHERE vec IS NOT NULL ORDER BY vec <#> %s::vector LIMIT %s",
            [_pg_literal(query), _pg_literal(query), k],
        )
        return [
            (int(pk), float(score)) for pk, score, model in cursor.fetchall() if model == model_id
        ]


@lru_cache(maxsize=1)
def _iterative_scans() -> bool:
    """Whether the server's pgvector has iterative index scans (0.8 and later)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    try:
        return bool(row) and tuple(int(x) for x in row[0].split(".")[:2]) >= (0, 8)
    except ValueError:
        return False


class MemoryIndex:
    """All vectors of one model in this process (SQLite)."""

    def __init__(self, model_id: str, ids: np.ndarray, matrix=None, codes=None, quantized=None):
        self.model_id = model_id
        self.ids = ids
        self.matrix = matrix  # float32 rows, exact search (up to EXACT_MAX papers)
        self.codes = codes  # packed sign bits, words × papers (larger corpora), shortlist…
        self.quantized = quantized  # …rescored with int8 rows (x·127, the vectors are unit)

    @classmethod
    def load(cls, model_id: str, *, chunk: int = 20_000) -> MemoryIndex:
        exact = Embedding.objects.filter(model=model_id).count() <= EXACT_MAX
        ids: list[int] = []
        blocks: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        rows = Embedding.objects.filter(model=model_id).values_list("paper_id", "vector")
        batch_ids, batch = [], []

        def flush():
            block = np.stack(batch).astype(np.float32)
            if exact:
                blocks.append(block)
            else:
                codes.append(sign_codes(block))
                blocks.append(quantize(block))
            ids.extend(batch_ids)

        for pk, data in rows.iterator(chunk_size=chunk):
            batch_ids.append(pk)
            batch.append(np.frombuffer(bytes(data), dtype=np.float16))
            if len(batch) == chunk:
                flush()
                batch_ids, batch = [], []
        if batch:
            flush()
        id_array = np.array(ids, dtype=np.int64)
        if not blocks:
            return cls(model_id, id_array)
        if exact:
            return cls(model_id, id_array, matrix=np.concatenate(blocks))
        return cls(
            model_id,
            id_array,
            codes=np.ascontiguousarray(np.concatenate(codes).T),
            quantized=np.concatenate(blocks),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not len(self.ids):
            return []
        query = np.asarray(query, dtype=np.float32)
        if self.matrix is not None:
            scores = self.matrix @ query
            return [(int(self.ids[i]), float(scores[i])) for i in top_k(scores, k)]
        code = sign_codes(query[None, :])[0]
        shortlist = closest_codes(self.codes, code, max(RERANK, k))
        scores = (self.quantized[shortlist].astype(np.float32) @ query) / 127.0
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(self.ids[shortlist[i]]), float(scores[i])) for i in order]


def quantize(matrix: np.ndarray) -> np.ndarray:
    """Unit vectors as int8 (×127): 384 bytes a paper, cosine error ~1e-3."""
    return np.clip(np.rint(matrix * 127.0), -127, 127).astype(np.int8)


def sign_codes(matrix: np.ndarray) -> np.ndarray:
    """One bit per dimension (positive or not), packed into uint64 words."""
    bits = np.packbits(np.asarray(matrix) > 0, axis=1)
    pad = (-bits.shape[1]) % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return bits.view(np.uint64)


BLOCK = 65_536  # papers per pass of ``hamming``: its buffers stay in the CPU cache


def hamming(codes: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Hamming distance (uint16) from ``code`` (words) to every column of ``codes`` (words ×
    papers), without full-size temporaries."""
    words, n = codes.shape
    out = np.zeros(n, dtype=np.uint16)
    xor = np.empty(min(n, BLOCK), dtype=np.uint64)
    bits = np.empty(min(n, BLOCK), dtype=np.uint8)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        x, b, o = xor[: stop - start], bits[: stop - start], out[start:stop]
        for w in range(words):
            np.bitwise_xor(codes[w, start:stop], code[w], out=x)
            np.bitwise_count(x, out=b)
            np.add(o, b, out=o)
    return out


def closest_codes(codes: np.ndarray, code: np.ndarray, k: int) -> np.ndarray:
    """Indices (ascending) of ``k`` columns of ``codes`` nearest to ``code`` in Hamming
    distance; of the columns tied at the cut-off distance, the first ones. A histogram of the
    distances gives the cut-off, two comparisons the indices: cheaper than partitioning (or
    negating) 1M values."""
    distances = hamming(codes, code)
    k = min(k, len(distances))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    counts = np.bincount(distances, minlength=codes.shape[0] * 64 + 1)
    cut = int(np.searchsorted(np.cumsum(counts), k))  # the smallest d with ≥ k within d
    closer = np.flatnonzero(distances < cut)
    tied = np.flatnonzero(distances == cut)[: k - len(closer)]
    return np.sort(np.concatenate([closer, tied]))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, largest first."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


_lock = threading.Lock()
_cache: dict[str, dict] = {}
STALE_OK_ABOVE = 10_000  # papers: below this a reload is cheap, so results are never stale


def _index_for(model_id: str) -> MemoryIndex:
    now = time.monotonic()
    cached = _cache.get(model_id)
    if cached and now - cached["checked"] < 1.0:
        return cached["index"]
    version = state_version()
    if cached and (
        cached["version"] == version
        or (len(cached["index"]) > STALE_OK_ABOVE and now - cached["loaded"] < RELOAD_EVERY)
    ):
        cached["checked"] = now
        return cached["index"]
    with _lock:
        index = MemoryIndex.load(model_id)
        _cache[model_id] = {"version": version, "checked": now, "loaded": now, "index": index}
    return index


def forget() -> None:
    """Drop the in-process indexes and the version read (tests, after bulk changes)."""
    _cache.clear()
    _seen[0] = float("-inf")
