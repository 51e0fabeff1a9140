"""WSGI entry point for gunicorn.

Once the site is loaded, everything in memory lives as long as the process (settings, models,
URL patterns, templates, the import of every app): ``gc.freeze()`` moves it out of the cyclic
garbage collector's sight, so a full collection scans what requests made since, not the whole
site (CPython's documented use for pre-fork servers). The collections a busy worker runs every
few hundred requests were pauses in every request it was serving: the p99 of a member's page
(bench/README.md, issue 13)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
application = get_wsgi_application()
gc.collect()
gc.freeze()
