"""``paperboy library``: a member's reading list and collections from the command line.

    paperboy library ls (--user USERNAME | --endpoint URL --token T) [--read all|read|unread]
                        [--sort saved|published|title] [--limit N] [--json]
    paperboy library export (--user USERNAME | --endpoint URL --token T)
                        [--collection OWNER/SLUG-ID] [--format bib|ris|json] [-o FILE]

``--user`` reads this machine's database (operators); ``--endpoint`` with a member's API token
(or ``PAPERBOY_TOKEN``) asks any Paperboy server through its API. Picked up by ``paperboy``'s
auto-discovery (``register``); handlers call ``setup_django`` first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from paperboy.lib.cli import CliError, setup_django

EXTENSIONS = ("bib", "ris", "json")


def register(subparsers) -> None:
    library = subparsers.add_parser(
        "library",
        help="A member's reading list and collections: ls, export.",
        description="List a reading list, or export it (or a collection) as BibTeX, RIS or "
        "CSL-JSON. --user USERNAME reads this machine's database; --endpoint URL with "
        "--token (or PAPERBOY_TOKEN) asks any Paperboy server.",
        epilog="Examples: paperboy library ls --user alice · paperboy library export --user "
        "alice --format ris -o alice.ris · paperboy library export --endpoint "
        "https://papers.example.org --token pb_… --collection alice/reading-<id>",
    )
    sub = library.add_subparsers(dest="library_command", required=True, metavar="{ls,export}")
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--user", metavar="USERNAME", default="", help="Whose library (local).")
    who.add_argument("--endpoint", default="", metavar="URL", help="A Paperboy server.")
    who.add_argument("--token", default="", help="API token for --endpoint ($PAPERBOY_TOKEN).")

    ls = sub.add_parser("ls", parents=[who], help="List the reading list.")
    ls.add_argument("--read", choices=["all", "read", "unread"], default="all")
    ls.add_argument("--sort", choices=["saved", "published", "title"], default="saved")
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="1 to 100 (default 50).")
    ls.add_argument("--json", action="store_true", help="Print JSON instead of lines.")
    ls.set_defaults(func=cmd_ls)

    export = sub.add_parser(
        "export", parents=[who], help="Export the reading list or a collection."
    )
    export.add_argument(
        "--collection",
        default="",
        metavar="OWNER/SLUG-ID",
        help="A collection's Hugging Face-style id (default: the reading list).",
    )
    export.add_argument("--format", choices=EXTENSIONS, default="bib", help="Default: bib.")
    export.add_argument("--output", "-o", default="-", help="File (default: standard output).")
    export.set_defaults(func=cmd_export)


def _remote(args) -> tuple[str, str] | None:
    if not args.endpoint:
        if not args.user:
            raise CliError("say whose library: --user USERNAME, or --endpoint URL --token T")
        return None
    if not args.endpoint.startswith(("http://", "https://")):
        raise CliError(f"--endpoint must be an http(s) URL, not {args.endpoint[:80]!r}")
    token = args.token or os.environ.get("PAPERBOY_TOKEN", "")
    if not token:
        raise CliError("--endpoint needs --token TOKEN (or PAPERBOY_TOKEN)")
    return args.endpoint.rstrip("/"), token


def _get(endpoint: str, token: str, path: str, params: dict | None = None):
    import httpx  # ~150 ms: kept out of `paperboy --help`

    try:
        response = httpx.get(
            f"{endpoint}{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "paperboy-cli/0.1"},
            timeout=60,
            follow_redirects=True,
        )
    except httpx.HTTPError as exc:
        raise CliError(f"could not reach {endpoint}: {exc}") from None
    if response.status_code >= 400:
        try:
            message = response.json().get("error", "")
        except (ValueError, AttributeError):
            message = response.text[:200]
        raise CliError(f"{endpoint} answered {response.status_code}: {message}")
    return response


def _member(username: str):
    # after setup_django(): the user model
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.filter(username=username).first()
    if member is None:
        raise CliError(f"there is no account named {username[:80]!r}")
    return member


def cmd_ls(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 100:
        raise CliError("--limit must be between 1 and 100")
    remote = _remote(args)
    if remote:
        params = {"sort": args.sort, "read": args.read, "limit": args.limit}
        rows = _get(*remote, "/api/library", params).json()
    else:
        setup_django(args)
        # after setup_django(): the models
        from paperboy.library.models import SavedPaper

        saved = SavedPaper.objects.for_reading_list(
            _member(args.user), sort=args.sort, read=args.read
        ).select_related("paper")[: args.limit]
        rows = [
            {
                "id": s.paper.arxiv_id,
                "title": s.paper.title,
                "savedAt": s.saved_at.isoformat(),
                "read": s.read,
                "note": s.note,
            }
            for s in saved
        ]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("The reading list is empty.")
        return 0
    for row in rows:
        mark = "✓" if row["read"] else " "
        print(f"{mark} {row['id']:<16} {' '.join(str(row['title']).split())}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    remote = _remote(args)
    if remote:
        if args.collection:
            path = f"/api/collections/{args.collection.strip('/')}/export.{args.format}"
        else:
            path = f"/api/library/export.{args.format}"
        body = _get(*remote, path).content
    else:
        setup_django(args)
        # after setup_django(): the models, the library's look-ups and its exports
        from paperboy.library import exporting, services

        member = _member(args.user)
        if args.collection:
            try:
                found = services.collection_by_hub_slug(args.collection, viewer=member)
            except services.Refused as exc:
                raise CliError(f"{args.collection[:80]}: {exc}") from None
            ids = exporting.collection_ids(found)
        else:
            ids = exporting.reading_list_ids(member)
        body = exporting.response(ids, ext=args.format, name="export").content
    if args.output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return 0
    try:
        with open(args.output, "wb") as out:
            out.write(body)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"Wrote {args.output}", file=sys.stderr)
    return 0
