"""The import's read-ahead: the next batches are read, cleaned and given their search documents
while the database writes the current one, so the Python work and the database's overlap.

``read_ahead`` runs any batch iterator in a thread of its own; ``documents_ahead`` (PostgreSQL)
computes the next batches' search documents on two more threads, each on its own connection,
through the search app (``search.documents.compute_ahead``). On SQLite a large JSONL file is
read in a process instead (``prepare.prepared_in_process``, Django-free, so it lives there).
Which stages run is the importer's choice (``import_records``); why, in bench/README.md.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections

from paperboy.ingest.records import Prepared
from paperboy.search.documents import compute_ahead


def read_ahead[T](items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items`` as produced by a background thread that keeps up to ``depth`` ready
    (memory stays bounded). An exception raised while producing is raised here."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as e:  # handed to the consumer, raised there
            put((end, e))
        else:
            put((end, None))

    def run() -> None:
        try:
            produce()
        finally:
            connections.close_all()  # this thread's own (search documents computed ahead)

    thread = threading.Thread(target=run, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if item is end:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def documents_ahead(prepared: Iterator[Prepared], lanes: int = 2) -> Iterator[Prepared]:
    """``prepared`` with their search documents, computed ahead on ``lanes`` threads, each on
    its own connection (so each by a server process of its own), up to ``lanes + 1`` batches
    ahead, in order. Two lanes, because one was the import's critical path: ``to_tsvector``
    costs the server more than writing the papers (bench/README.md)."""
    pool = ThreadPoolExecutor(lanes, thread_name_prefix="import-documents")
    ahead: deque[Future[Prepared]] = deque()
    failed: BaseException | None = None
    source = iter(prepared)
    try:
        while True:
            try:
                batch = next(source)
            except StopIteration:
                break
            except BaseException as e:  # a bad line, say: the batches read before it go first
                failed = e
                break
            ahead.append(pool.submit(with_documents, batch))
            if len(ahead) > lanes:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
        if failed is not None:
            raise failed
    finally:
        for future in ahead:
            future.cancel()
        # Each lane closes its own connection: one task per thread, held by a barrier.
        barrier = threading.Barrier(lanes)

        def close() -> None:
            barrier.wait(timeout=30)
            connections.close_all()

        closing = [pool.submit(close) for _ in range(lanes)]
        pool.shutdown(wait=True)
        for future in closing:
            future.exception()  # a broken barrier only leaves a connection to the GC


def with_documents(prepared: Prepared) -> Prepared:
    """``prepared`` with the search documents of its records computed ahead."""
    prepared.documents = compute_ahead(
        [(r.arxiv_id, r.title, r.abstract) for r in prepared.records]
    )
    return prepared
