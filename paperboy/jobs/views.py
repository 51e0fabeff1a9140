"""``/health``: what a probe or an operator asks of a running site.

``GET /health`` answers ``ok`` (200, text) when the database and the cache answer, and names what
failed with a 503 otherwise: load balancers and container health checks read the status.
``?format=json`` (or ``Accept: application/json``) adds the details: each check, and when the
scheduler last ran (``jobs.Heartbeat``; reported, never a failure: the web serves without it).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

from paperboy.jobs.models import Heartbeat

# The scheduler beats every 30 s; past this it is reported as late.
SCHEDULER_LATE = timedelta(minutes=5)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"ok": False, "error": str(exc).strip()[:200]}
    return {"ok": True, "engine": connection.vendor}


def _cache() -> dict:
    # A key of its own per probe: probes answered at once (threads, processes, hosts sharing a
    # cache) must not read each other's value as a failure.
    value = get_random_string(12)
    key = f"health:probe:{value}"
    try:
        cache.set(key, value, 30)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:  # any backend's failure (file system, Redis connection)
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"ok": ok} if ok else {"ok": False, "error": "a value written was not read back"}


def _scheduler() -> dict:
    try:
        beat = Heartbeat.objects.filter(name="scheduler").first()
    except DatabaseError:  # not migrated yet
        beat = None
    if beat is None:
        return {"last_run": None, "late": True}
    age = timezone.now() - beat.at
    return {
        "last_run": beat.at.isoformat(),
        "seconds_ago": int(age.total_seconds()),
        "late": age > SCHEDULER_LATE,
    }


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    return "application/json" in request.headers.get("Accept", "")


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database(), "cache": _cache()}
    ok = all(check["ok"] for check in checks.values())
    status = 200 if ok else 503
    if _wants_json(request):
        if checks["database"]["ok"]:
            checks["scheduler"] = _scheduler()
        return JsonResponse({"ok": ok, **checks}, status=status)
    if ok:
        return HttpResponse("ok", content_type="text/plain")
    failed = "; ".join(f"{name}: {c['error']}" for name, c in checks.items() if not c["ok"])
    return HttpResponse(failed, content_type="text/plain", status=503)
