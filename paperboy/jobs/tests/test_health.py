"""``/health``: ``ok`` for probes, 503 naming what failed, JSON details with the scheduler's
last run."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_it_answers_ok_for_probes(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_it_reports_the_database_the_cache_and_the_schedulers_last_run(client):
    before = client.get("/health?format=json").json()
    assert before["ok"] is True
    assert before["database"]["ok"] is True
    assert before["cache"] == {"ok": True}
    assert before["scheduler"] == {"last_run": None, "late": True}

    call_command("run_scheduler", "--once", stdout=io.StringIO())
    after = client.get("/health", HTTP_ACCEPT="application/json").json()
    assert after["scheduler"]["last_run"] is not None
    assert after["scheduler"]["late"] is False
    assert after["scheduler"]["seconds_ago"] < 300


def test_a_cache_that_fails_is_a_503_that_says_so(client, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(blocked / "cache"),
        }
    }
    response = client.get("/health")
    assert response.status_code == 503
    assert response.content.decode().startswith("cache: ")
    detail = client.get("/health?format=json")
    assert detail.status_code == 503
    assert detail.json()["ok"] is False
    assert detail.json()["database"]["ok"] is True


def test_a_probe_answered_in_between_does_not_fail_another(monkeypatch):
    """Load balancers probe often, and probes share the cache: with one fixed key, a probe
    that wrote between another's write and read made that one answer 503 ("not read back";
    about half of 400 concurrent probes under bench/feed.py)."""
    from paperboy.jobs import views

    real_get = views.cache.get
    nested = []

    def get(key, *args, **kwargs):
        if not nested:
            nested.append("running")
            nested.append(views._cache())  # another probe, between this one's write and read
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(views.cache, "get", get)
    assert views._cache() == {"ok": True}
    assert nested == ["running", {"ok": True}]
