"""gunicorn settings for Paperboy: ``gunicorn -c python:paperboy.gunicorn_conf …`` (``paperboy
up`` runs it so). Its own logs (start-up, workers, the access log) get the site's log format."""

import os

from paperboy.lib.logs import gunicorn_logconfig

logconfig_dict = gunicorn_logconfig(os.environ.get("PAPERBOY_LOG_FORMAT", "plain").strip().lower())
