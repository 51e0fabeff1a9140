"""The reader CLI and exports.

    paperboy papers ls [--date D | --week W | --month M] [--sort trending] [--limit N] [--page P]
    paperboy papers search QUERY [--limit N]
    paperboy papers info ID
    paperboy papers save ID (--user USERNAME | --endpoint URL --token TOKEN)
    paperboy tokens create USERNAME [--name NAME]
    paperboy export votes|daily [--output FILE]

``papers`` reads the local database, or with ``--endpoint URL`` any Paperboy or Hugging Face
server (``https://huggingface.co`` works) through the same JSON API; ``--json`` prints the JSON
for scripts instead of a table. ``export`` writes JSON Lines to standard output (or ``--output``)
in constant memory. ``papers save`` puts a paper on a member's reading list: an operator's
``--user`` on this machine, or a member's token with ``--endpoint``. ``tokens create`` gives an
operator an API token for an account, printed once. The top-level ``export`` command belongs
to the ingest app (``export papers``); ``votes`` and ``daily`` are attached to it here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from contextlib import contextmanager
from typing import Any

from paperboy.lib.cli import CliError, setup_django
from paperboy.lib.query import MAX_QUERY_CHARS

DEFAULT_LIMIT = 20


def register(subparsers) -> None:
    papers = subparsers.add_parser(
        "papers",
        help="Read the daily papers: ls, search, info.",
        description="Read the daily papers from the local database, or with --endpoint URL "
        "from any Paperboy or Hugging Face server. Tables by default, --json for scripts.",
        epilog="Examples: paperboy papers ls --week 2026-W48 --sort trending · "
        "paperboy papers search 'sparse attention' · paperboy papers info 2510.12345 · "
        "paperboy papers ls --endpoint https://huggingface.co --json",
    )
    sub = papers.add_subparsers(
        dest="papers_command", required=True, metavar="{ls,search,info,save}"
    )

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--endpoint",
        default="",
        metavar="URL",
        help="Read from this Paperboy or Hugging Face server (e.g. https://huggingface.co) "
        "instead of the local database.",
    )
    common.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    ls = sub.add_parser(
        "ls",
        parents=[common],
        help="List the daily papers of a day, week or month.",
        description="List the papers on the daily list, most upvoted first (or by trending "
        "score). Without --date/--week/--month: the latest day with papers; with --sort "
        "trending and no period: the trending list.",
    )
    when = ls.add_mutually_exclusive_group()
    when.add_argument(
        "--date", metavar="YYYY-MM-DD", help="A day, or `today` (default: the latest day)."
    )
    when.add_argument("--week", metavar="YYYY-Www", help="An ISO week, e.g. 2026-W48.")
    when.add_argument("--month", metavar="YYYY-MM", help="A month, e.g. 2026-11.")
    ls.add_argument(
        "--sort",
        choices=["publishedAt", "trending"],
        default="publishedAt",
        help="publishedAt (default): most upvoted first; trending: by trending score.",
    )
    ls.add_argument(
        "--submitter", metavar="USERNAME", default=None, help="Only papers this member submitted."
    )
    ls.add_argument(
        "--limit", type=int, metavar="N", default=DEFAULT_LIMIT, help="1 to 100 (default 20)."
    )
    ls.add_argument("--page", type=int, metavar="N", default=0, help="Page number, from 0.")
    ls.set_defaults(func=cmd_ls)

    search = sub.add_parser(
        "search",
        parents=[common],
        help="Search papers by meaning and by words.",
        description="Search every indexed paper, best match first.",
    )
    search.add_argument(
        "query", help=f"What to look for, 1 to {MAX_QUERY_CHARS} characters (quote it)."
    )
    search.add_argument(
        "--limit", type=int, metavar="N", default=DEFAULT_LIMIT, help="1 to 120 (default 20)."
    )
    search.set_defaults(func=cmd_search)

    info = sub.add_parser(
        "info",
        parents=[common],
        help="Show one paper: authors, dates, links, abstract.",
        description="Show one paper: authors, dates, upvotes, links and abstract.",
    )
    info.add_argument("id", help="An arXiv id such as 2510.12345 or hep-th/9901001.")
    info.set_defaults(func=cmd_info)

    save = sub.add_parser(
        "save",
        help="Save a paper to a reading list.",
        description="Put a paper on a member's reading list: --user USERNAME on this machine's "
        "database (operators), or --endpoint URL with --token (or PAPERBOY_TOKEN) on any "
        "Paperboy server. Saving twice changes nothing.",
    )
    save.add_argument("id", help="An arXiv id or arxiv.org link.")
    save.add_argument("--user", metavar="USERNAME", default="", help="Whose reading list.")
    save.add_argument("--endpoint", default="", metavar="URL", help="A Paperboy server.")
    save.add_argument(
        "--token", default="", help="Your API token (default: $PAPERBOY_TOKEN) for --endpoint."
    )
    save.set_defaults(func=cmd_save)

    tokens = subparsers.add_parser(
        "tokens",
        help="API tokens for accounts (operators).",
        description="Create an API token for an account, for its scripts. The token is "
        "printed once and stored only as a digest.",
    )
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True, metavar="{create}")
    create = tokens_sub.add_parser("create", help="Create a token and print it once.")
    create.add_argument("username", help="The account's username.")
    create.add_argument("--name", default="cli", help="A name to tell it apart (default: cli).")
    create.set_defaults(func=cmd_tokens_create)

    _register_exports(subparsers)


def _register_exports(subparsers) -> None:
    """Attach ``votes`` and ``daily`` to the ``export`` command.

    The ingest app owns ``export`` (``export papers``); apps register in alphabetical order, so
    when it is not there yet this creates it, and ingest attaches ``papers`` to the same one
    through its ``export_subparsers()`` (which this uses when it is there).
    """
    try:
        # optional: without the ingest app this module creates 'export' itself
        from paperboy.ingest.cli import export_subparsers as ingest_exports
    except ImportError:
        ingest_exports = export_subparsers
    exports = ingest_exports(subparsers)
    for kind, text in (
        ("votes", "Every upvote as JSON Lines: paper, user, time."),
        ("daily", "Every daily-list entry as JSON Lines: paper, day, submitter, upvotes."),
    ):
        if kind in exports.choices:
            continue
        parser = exports.add_parser(kind, help=text)
        parser.add_argument(
            "--output", "-o", default="-", help="File to write (default: standard output)."
        )
        parser.set_defaults(func=cmd_export, export_kind=kind)


def export_subparsers(subparsers):
    """The sub-command action of ``paperboy export``, created on first use."""
    parser = subparsers.choices.get("export")
    if parser is None:
        parser = subparsers.add_parser("export", help="Export data as JSON Lines.")
    if parser._subparsers is None:
        return parser.add_subparsers(dest="export_command", required=True)
    for action in parser._subparsers._group_actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("paperboy export has no sub-commands")


# --- Reading: local database or a remote server --------------------------------------------------


class Source:
    """Where `paperboy papers` reads: both answer in Hugging Face's JSON shapes."""

    def daily(self, params: dict[str, Any]) -> list[dict]:
        raise NotImplementedError

    def search(self, query: str, limit: int) -> list[dict]:
        raise NotImplementedError

    def paper(self, arxiv_id: str) -> dict:
        raise NotImplementedError


class LocalSource(Source):
    def daily(self, params):
        from ninja.errors import HttpError

        # runs after setup_django(); the parser is built before Django is configured
        from paperboy.api import api

        try:
            return api.daily_papers(None, **_local_params(params))
        except HttpError as exc:
            raise CliError(str(exc)) from None

    def search(self, query, limit):
        # runs after setup_django(); the parser is built before Django is configured
        from paperboy.api import api

        return api.search_papers(None, q=query, limit=limit)

    def paper(self, arxiv_id):
        from django.http import Http404
        from ninja.errors import HttpError

        # runs after setup_django(); the parser is built before Django is configured
        from paperboy.api import api

        try:
            return api.paper_info(None, arxiv_id)
        except (Http404, HttpError) as exc:
            raise CliError(str(exc)) from None


def _local_params(params: dict) -> dict:
    return {
        "p": params.get("p", 0),
        "limit": params.get("limit", 50),
        "date": params.get("date"),
        "week": params.get("week"),
        "month": params.get("month"),
        "submitter": params.get("submitter"),
        "sort": params.get("sort", "publishedAt"),
    }


class RemoteSource(Source):
    def __init__(self, endpoint: str):
        import httpx

        if not endpoint.startswith(("http://", "https://")):
            raise CliError(f"--endpoint must be an http(s) URL, not {endpoint[:80]!r}")
        # httpx logs every request at INFO: noise on a reader's terminal.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.endpoint = endpoint.rstrip("/")
        self.client = httpx.Client(
            timeout=30, follow_redirects=True, headers={"User-Agent": "paperboy-cli/0.1"}
        )

    def _get(self, path: str, params: dict | None = None):
        import httpx

        url = f"{self.endpoint}{path}"
        try:
            response = self.client.get(url, params={k: v for k, v in (params or {}).items()
                                                    if v is not None})  # fmt: skip
        except httpx.HTTPError as exc:
            raise CliError(f"could not reach {self.endpoint}: {exc}") from None
        if response.status_code >= 400:
            raise CliError(f"{self.endpoint} answered {response.status_code}: {_message(response)}")
        try:
            return response.json()
        except ValueError:
            raise CliError(f"{url} did not answer with JSON") from None

    def _items(self, path: str, params: dict) -> list[dict]:
        data = self._get(path, params)
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise CliError(f"{self.endpoint}{path} did not answer with a list of papers")
        return data

    def daily(self, params):
        return self._items("/api/daily_papers", params)

    def search(self, query, limit):
        return self._items("/api/papers/search", {"q": query, "limit": limit})

    def paper(self, arxiv_id):
        from urllib.parse import quote

        path = f"/api/papers/{quote(arxiv_id, safe='/')}"
        data = self._get(path)
        if not isinstance(data, dict) or not data.get("id"):
            raise CliError(f"{self.endpoint}{path} did not answer with a paper")
        return data


def _message(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(data, dict):
        return str(data.get("error") or data.get("detail") or data)[:300]
    return str(data)[:300]


def _source(args) -> Source:
    if args.endpoint:
        return RemoteSource(args.endpoint)
    setup_django(args)  # migrates a database that was never migrated (lib/cli.py)
    return LocalSource()


# --- Output ------------------------------------------------------------------------------------


def _console():
    from rich.console import Console

    class ReaderConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 when the reader leaves (`| head`); --json exits 0: so does this.
            self.quiet = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    return ReaderConsole(soft_wrap=False)


def _listed(item: dict) -> str:
    """The day an item entered the daily list (YYYY-MM-DD), or ""."""
    paper = item.get("paper", item)
    listed = item.get("publishedAt") if "paper" in item else paper.get("submittedOnDailyAt")
    return str(listed or "")[:10]


def _org_name(item: dict) -> str:
    paper = item.get("paper", item)
    org = item.get("organization") or paper.get("organization") or {}
    return str(org.get("fullname") or org.get("name") or "")


def _table(items: list[dict], *, title: str, show_listed: bool = True) -> None:
    """Upvotes, id, title (wrapped), and the organization and listing day when they say
    something: an 80-column terminal keeps the title column wide enough to read."""
    from rich.table import Table

    with_org = any(_org_name(item) for item in items)
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("↑", justify="right", style="bold")
    table.add_column("arXiv id", no_wrap=True)
    table.add_column("Title", overflow="fold", ratio=1, min_width=24)
    if with_org:
        table.add_column("Organization", overflow="ellipsis", no_wrap=True, max_width=16)
    if show_listed:
        table.add_column("Listed", no_wrap=True)
    for item in items:
        paper = item.get("paper", item)
        row = [
            str(paper.get("upvotes", 0) or 0),
            str(paper.get("id", "")),
            " ".join(str(item.get("title") or paper.get("title") or "").split()),
        ]
        if with_org:
            row.append(_org_name(item))
        if show_listed:
            row.append(_listed(item))
        table.add_row(*row)
    with _reader_may_leave():
        _console().print(table)


def _print_json(data) -> None:
    with _reader_may_leave():
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()


@contextmanager
def _reader_may_leave():
    """``paperboy papers ls --json | head``: the reader closing the pipe early is fine."""
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _check_limit(limit: int, most: int) -> None:
    if not 1 <= limit <= most:
        raise CliError(f"--limit must be between 1 and {most}")


def cmd_ls(args: argparse.Namespace) -> int:
    _check_limit(args.limit, 100)
    if args.page < 0:
        raise CliError("--page must be 0 or more")
    if args.date and args.date.strip().lower() == "today":  # as `hf papers ls --date today`
        import datetime

        args.date = datetime.date.today().isoformat()
    params = {
        "p": args.page,
        "limit": args.limit,
        "date": args.date,
        "week": args.week,
        "month": args.month,
        "submitter": args.submitter,
        "sort": args.sort,
    }
    items = _source(args).daily(params)
    if args.json:
        _print_json(items)
        return 0
    trending = args.sort == "trending"
    period = args.date or args.week or args.month
    if not items:
        where = f"for {period}" if period else ("on the trending list" if trending else "yet")
        if args.submitter:
            where = f"submitted by {args.submitter}" + (f" in {period}" if period else "")
        if args.page:
            print(f"No papers {where} on page {args.page} (pages start at 0).")
        else:
            print(f"No papers on the daily list {where}.")
        return 0
    one_day = bool(args.date) or (not period and not trending and not args.submitter)
    if not period:
        # The latest day (or the trending list): name the day the server picked.
        period = "trending" if trending else _listed(items[0]) or "latest"
    elif trending:
        period += " · trending"
    title = f"Daily papers · {period}"
    if args.page:
        title += f" · page {args.page}"
    _table(items, title=title, show_listed=not one_day)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    _check_limit(args.limit, 120)
    query = args.query.strip()
    if not query or len(query) > MAX_QUERY_CHARS:
        raise CliError(f"the query must be 1 to {MAX_QUERY_CHARS} characters")
    items = _source(args).search(query, args.limit)
    if args.json:
        _print_json(items)
        return 0
    if not items:
        print(f"Nothing found for “{query}”.")
        return 0
    _table(items, title=f"Search · {query}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    paper = _source(args).paper(args.id.strip())
    if args.json:
        _print_json(paper)
        return 0
    from rich.panel import Panel
    from rich.text import Text

    authors = ", ".join(a.get("name", "") for a in paper.get("authors") or [])
    org = paper.get("organization") or {}
    stars = paper.get("githubStars")
    facts = [
        f"arXiv {paper.get('id')} · published {(paper.get('publishedAt') or '')[:10]}",
        f"On the daily list: {paper['submittedOnDailyAt'][:10]}"
        if paper.get("submittedOnDailyAt")
        else "",
        f"Authors: {authors}" if authors else "",
        f"Upvotes: {paper.get('upvotes') or 0} · comments: {paper.get('numComments') or 0}",
        f"Organization: {org.get('fullname') or org.get('name')}" if org else "",
        f"Code: {paper['githubRepo']}" + (f" ({stars} stars)" if stars is not None else "")
        if paper.get("githubRepo")
        else "",
        f"Project page: {paper['projectPage']}" if paper.get("projectPage") else "",
    ]
    body = Text()
    body.append(" ".join(str(paper.get("title") or "").split()) + "\n\n", style="bold")
    body.append("\n".join(line for line in facts if line))
    summary = _reflow(paper.get("summary") or "")
    if summary:
        body.append("\n\n" + summary)
    with _reader_may_leave():
        _console().print(Panel(body, expand=False))
    return 0


def _reflow(text: str) -> str:
    """arXiv abstracts keep hard line breaks: join them, keep blank-line paragraphs."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


# --- Saving and tokens -------------------------------------------------------------------------


def _member(username: str):
    # after setup_django(): the user model
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.filter(username=username).first()
    if member is None:
        raise CliError(f"there is no account named {username[:80]!r}")
    return member


def cmd_save(args: argparse.Namespace) -> int:
    arxiv_id = args.id.strip()
    if args.endpoint:
        token = args.token or os.environ.get("PAPERBOY_TOKEN", "")
        if not token:
            raise CliError("--endpoint needs --token TOKEN (or PAPERBOY_TOKEN)")
        source = RemoteSource(args.endpoint)
        from urllib.parse import quote

        url = f"{source.endpoint}/api/library/{quote(arxiv_id, safe='/:')}"
        import httpx

        try:
            response = source.client.put(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise CliError(f"could not reach {source.endpoint}: {exc}") from None
        if response.status_code >= 400:
            raise CliError(f"{source.endpoint} answered {response.status_code}: "
                           f"{_message(response)}")  # fmt: skip
        print(f"Saved {response.json().get('id', arxiv_id)} to your reading list.")
        return 0
    if not args.user:
        raise CliError("say whose reading list: --user USERNAME, or --endpoint URL --token T")
    setup_django(args)
    # after setup_django(): the models and the library's one door for writes
    from paperboy.api import api
    from paperboy.library import services

    member = _member(args.user)
    try:
        paper = api._find_paper(arxiv_id)
        services.save(member=member, paper=paper)
    except Exception as exc:  # Http404 from the look-up, services.Refused from the save
        raise CliError(str(exc)) from None
    print(f"Saved {paper.arxiv_id} to {member.get_username()}'s reading list.")
    return 0


def cmd_tokens_create(args: argparse.Namespace) -> int:
    setup_django(args)
    # after setup_django(): the token model
    from paperboy.accounts.tokens import ApiToken

    member = _member(args.username)
    name = args.name.strip()[:100] or "cli"
    _, plaintext = ApiToken.issue(user=member, name=name)
    print(plaintext)
    print(f"API token “{name}” for {member.get_username()}: shown once, keep it safe.",
          file=sys.stderr)  # fmt: skip
    return 0


# --- Export -------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    setup_django(args)
    # after setup_django(): the export needs the models
    from paperboy.api import export

    lines = export.EXPORTS[args.export_kind]()
    count = 0
    if args.output == "-":
        try:
            for line in lines:
                sys.stdout.write(line + "\n")
                count += 1
            sys.stdout.flush()
        except BrokenPipeError:
            # `paperboy export daily | head`: the reader left, which is fine.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    else:
        try:
            with open(args.output, "w", encoding="utf-8", newline="\n") as out:
                for line in lines:
                    out.write(line + "\n")
                    count += 1
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"Wrote {count} {args.export_kind} line(s) to {args.output}", file=sys.stderr)
    return 0
