"""Run the ``paperboy`` CLI in a child process on the parent test's database
(``PB_TEST_DB``: its connection settings as JSON) and, when given, its SMTP server
(``PB_TEST_SMTP_PORT``)."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")

from django.conf import settings  # noqa: E402

settings.DATABASES["default"].update(json.loads(os.environ["PB_TEST_DB"]))
if os.environ.get("PB_TEST_SMTP_PORT"):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["PB_TEST_SMTP_PORT"])},
        }
    }

from paperboy.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
