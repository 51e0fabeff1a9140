"""``paperboy index build|status``: the search index from the command line.

paperboy index status     how many papers have a vector from the configured model
paperboy index build      embed every paper that lacks one, in the foreground, with a
                          progress bar on stderr, and build or catch up the word index
                          (large catalogs); exits 0 when the index is complete
"""

from __future__ import annotations

from paperboy.lib.cli import CliError, setup_django


def register(subparsers) -> None:
    index = subparsers.add_parser("index", help="The search index: build, status.")
    sub = index.add_subparsers(dest="index_command", required=True)
    build = sub.add_parser("build", help="Embed and index every paper that is missing.")
    build.set_defaults(func=cmd_build)
    status = sub.add_parser("status", help="How complete the search index is.")
    status.set_defaults(func=cmd_status)


def cmd_status(args) -> int:
    setup_django(args)
    # after setup_django(): these need the models
    from paperboy.search import indexing, wordindex

    print(indexing.status())
    print(wordindex.status())
    return 0


def cmd_build(args) -> int:
    setup_django(args)
    from django.db import connection
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # after setup_django(): these need the models
    from paperboy.search import indexing, schema
    from paperboy.search.embeddings import EmbeddingError, get_embedder

    if connection.vendor == "sqlite":
        # Re-create triggers a rebuild of papers_paper dropped, and catch the index up.
        schema.install(connection)
    try:
        embedder = get_embedder()
    except EmbeddingError as exc:
        raise CliError(str(exc)) from None
    if embedder is None:
        print("Embeddings are off (PAPERBOY_EMBEDDING_BACKEND=none): lexical index only.")
        print(indexing.status())
        _words()
        return 0
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task(f"Embedding with {embedder.model_id}", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            indexing.build(progress=progress)
        except EmbeddingError as exc:
            raise CliError(str(exc)) from None
    state = indexing.status()
    print(state)
    _words()
    if state.missing:
        raise CliError(f"{state.missing} papers are still missing a vector")
    return 0


def _words() -> None:
    """Build or catch up this host's word index (large catalogs, see search/wordindex.py)."""
    # runs after setup_django(): wordindex needs the models
    from paperboy.search import wordindex

    wordindex.sync()
    print(wordindex.status())
