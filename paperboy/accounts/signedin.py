"""Who is signed in, from the cache: Django's ``AuthenticationMiddleware`` with the member's
user row kept in the ``default`` cache.

Every page a member reads loads their user row; through the ORM that was a third of a member's
cached page (bench/README.md, issue 13), the row itself a few microseconds. Django has no
setting for it, so this middleware does the one thing Django's does (``request.user``, lazy)
with a look-up in the cache first:

- a cached user is used only when the session names it, its backend is still configured and
  the session's auth hash matches the cached user's (as ``django.contrib.auth.get_user``
  checks); anything else (no copy, a password changed, a secret rotated) goes to Django's own
  ``get_user``, which flushes or cycles the session as it does, and a user it returns is kept;
- every save or delete of a user drops their copy (``post_save``/``post_delete``, so Django's
  admin, allauth's password and e-mail changes and ``last_login`` too); a write that bypasses
  them (``QuerySet.update``, e.g. ``moderation.actions.set_banned``) calls :func:`forget`.
  A forgotten user's place holds a marker for a few seconds that a copy read before the
  change cannot replace (copies are stored with ``cache.add``). Copies expire after
  ``KEEP_SECONDS``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

KEEP_SECONDS = 300


def _key(user_id) -> str:
    return f"signedin:user:v1:{user_id}"


GONE = "gone"  # a forgotten user's place, for FORGET_SECONDS
FORGET_SECONDS = 10


def forget(user_id) -> None:
    """Drop the cached copy of a user (after a write that sends no ``post_save``). Its place
    holds a marker for a few seconds that no copy may replace (copies are stored with
    ``cache.add``): a request that read the row before the change committed cannot store it
    after."""
    cache.set(_key(user_id), GONE, FORGET_SECONDS)


def user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """``post_save``/``post_delete`` receiver for the user model (``accounts/apps.py``): the
    copy is forgotten now and again when the write commits (a request may read the row in
    between). A sign-in's ``last_login`` alone only drops it: nothing depends on it."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        cache.delete(_key(instance.pk))
        return
    forget(instance.pk)
    transaction.on_commit(lambda: forget(instance.pk))


def _cached(request: HttpRequest):
    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValueError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = cache.get(_key(user_id))
    if not isinstance(user, AbstractBaseUser):  # none kept, or just forgotten
        return None
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    user.backend = backend_path
    return user


def get_user(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        user = _cached(request)
        if user is None:
            user = auth.get_user(request)
            if user.is_authenticated:
                cache.add(_key(user.pk), user, KEEP_SECONDS)  # never over a forgotten one
        request._cached_user = user
    return request._cached_user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """``AuthenticationMiddleware`` reading the user from the cache (module docstring)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
