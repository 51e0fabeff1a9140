"""The session engine: Django's ``cached_db`` (sessions read from the ``default`` cache and
written through to the database), with the cache reached only when a session is used.

``cached_db`` looks its cache up when the session object is made, on every request, so a
cache that fails (a data dir that is not writable, Redis down) would turn every page into a
500, ``/health`` included, which must answer 503 and say it is the cache. Here the cache is
looked up at the first read or write, which a request without a session cookie never does."""

from functools import cached_property

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        db.SessionStore.__init__(self, session_key)  # not cached_db's: it reaches the cache

    @cached_property
    def _cache(self):
        return caches[settings.SESSION_CACHE_ALIAS]
