"""The API of the foryou app (issue 17): routes added to the one ``api`` object.

Imported by ``api/routes.py`` before the JSON 404 catch-all, which must come last.
"""

from paperboy.api.api import api  # noqa: F401
