"""Per-request time of a few URLs in-process, through the real WSGI application (no server, no
load generator): wall and CPU milliseconds per request, status and body size.

    .venv/bin/python bench/inprocess.py --data-dir DIR [--repeat 1000] [--profile 30] URL...

Runs ``paperboy.wsgi.application`` the way gunicorn calls it (a WSGI environ per request, no
cookies: a first-time visitor, as wrk sends), so middleware, the visitors' page cache and the
CSRF cookie are all measured. Each URL is requested twice first (the second answers from the
page cache when the page is cacheable). CPU time is this process's only, so it is the figure
to compare on a busy machine; wall time includes waiting for the CPU and the disk.
``--profile N`` prints cProfile's N most expensive calls (by cumulative time) per URL.
Use a data dir built by ``bench/feed.py --keep DIR`` or ``bench/api.py --keep DIR``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="a PAPERBOY_DATA_DIR with a corpus")
    parser.add_argument("--repeat", type=int, default=1000, help="requests per URL")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile top N")
    parser.add_argument("urls", nargs="+", metavar="URL", help="path and query, e.g. /health")
    args = parser.parse_args(argv)

    os.environ.update(
        PAPERBOY_DATA_DIR=str(Path(args.data_dir).resolve()),
        PAPERBOY_ALLOWED_HOSTS="127.0.0.1,localhost",
        PAPERBOY_DEMO="false",
        PAPERBOY_LOG_LEVEL="WARNING",
    )
    for key in ("PAPERBOY_DEBUG", "DATABASE_URL"):
        os.environ.pop(key, None)
    sys.path.insert(0, str(ROOT))
    from paperboy.wsgi import application

    def call(url: str) -> tuple[str, int]:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status: list[str] = []
        body = application(environ, lambda s, headers, exc_info=None: status.append(s))
        size = sum(len(chunk) for chunk in body)
        getattr(body, "close", lambda: None)()
        return status[0], size

    print(f"{'wall ms':>8} {'CPU ms':>7}  status {'bytes':>8}  URL")
    for url in args.urls:
        call(url)
        call(url)
        profile = cProfile.Profile() if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        for _ in range(args.repeat):
            status, size = call(url)
        if profile:
            profile.disable()
        wall = (time.perf_counter() - wall) / args.repeat * 1000
        cpu = (time.process_time() - cpu) / args.repeat * 1000
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
        print(f"{wall:8.3f} {cpu:7.3f}  {status[:3]:>6} {size:>8}  {url}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
