#!/bin/sh
# Paperboy's process roles, one per container (deploy/Dockerfile, deploy/compose.yaml):
#
#   web           migrate (unless PAPERBOY_MIGRATE=false), collect static files, load the demo
#                 into an empty database (PAPERBOY_DEMO, default true as for `paperboy up`),
#                 then gunicorn on PAPERBOY_HOST:PAPERBOY_PORT
#   mail-worker   the "mail" task queue (emails people wait for)
#   batch-worker  the "default" task queue, at a lower CPU priority on one compute thread
#   scheduler     enqueues the recurring jobs (paperboy/jobs/schedule.py)
#   healthcheck   exits 0 when this container's web process answers /health
#
# Anything else is run as a command (`docker compose run web paperboy import papers FILE`).
# Arguments after a role are passed on (`mail-worker --batch`). The same commands as
# `paperboy up` runs (paperboy/cli.py) and the systemd units (deploy/systemd/).
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
web)
    if [ "${PAPERBOY_MIGRATE:-true}" = true ]; then
        paperboy manage migrate --noinput
    fi
    paperboy manage collectstatic --noinput --verbosity 0
    if [ "${PAPERBOY_DEMO:-true}" = true ]; then
        paperboy manage seed_demo
    fi
    exec gunicorn paperboy.wsgi:application \
        --config python:paperboy.gunicorn_conf \
        --bind "${PAPERBOY_HOST:-0.0.0.0}:${PAPERBOY_PORT:-8000}" \
        --workers "${PAPERBOY_WEB_WORKERS:-2}" \
        --worker-class gthread --threads "${PAPERBOY_WEB_THREADS:-4}" \
        --access-logfile - --graceful-timeout 10 --limit-request-line 8190 \
        "$@"
    ;;
mail-worker)
    exec paperboy manage run_worker --queue-name mail --nice 0 --interval 0.1 "$@"
    ;;
batch-worker)
    exec paperboy manage run_worker --queue-name default --nice 10 --threads 1 "$@"
    ;;
scheduler)
    exec paperboy manage run_scheduler "$@"
    ;;
healthcheck)
    # Sent with the site's host name, which PAPERBOY_ALLOWED_HOSTS accepts (127.0.0.1 may not
    # be); /health is exempt from the https redirect.
    exec python - <<'PY'
import os
import urllib.request
from urllib.parse import urlsplit

host = urlsplit(os.environ.get("PAPERBOY_SITE_URL", "")).hostname or "127.0.0.1"
port = os.environ.get("PAPERBOY_PORT", "8000")
request = urllib.request.Request(f"http://127.0.0.1:{port}/health", headers={"Host": host})
urllib.request.urlopen(request, timeout=10)
PY
    ;;
*)
    exec "$role" "$@"
    ;;
esac
