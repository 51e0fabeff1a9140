"""Run the ``paperboy`` CLI in a child process against the parent test's database and SMTP
server (``PB_TEST_DB``: the connection settings as JSON; ``PB_TEST_SMTP_PORT``, or empty to
use ``PAPERBOY_SMTP_URL``). The clock is frozen at ``PB_TEST_NOW`` when given."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")

from django.conf import settings  # noqa: E402

settings.DATABASES["default"].update(json.loads(os.environ["PB_TEST_DB"]))
if os.environ.get("PB_TEST_SMTP_PORT"):  # else PAPERBOY_SMTP_URL, as in production
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["PB_TEST_SMTP_PORT"])},
        }
    }

if os.environ.get("PB_TEST_NOW"):
    import time_machine

    time_machine.travel(os.environ["PB_TEST_NOW"], tick=True).start()

from paperboy.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
