"""The one rule for a link we store and show: an absolute http(s) URL with a host.

Every URL field of the catalog and of accounts (a paper's project page and code repository, an
organization's website and avatar, a member's website) is written through this rule, whatever
the source: a JSONL or Hugging Face import, GitHub, a form, the admin, the API. A ``javascript:``
or ``data:`` URL shown as a link runs script on the site's origin when clicked, so anything but
http(s) is refused; the database's CHECK constraints (``http_url_check``) and the
Content-Security-Policy are the second and third lines behind it.

The standard library's ``urllib.parse`` does the parsing; this module adds the scheme policy,
the host and port checks, the length and the normal form (trimmed, lower-case scheme). It
imports no Django at module level: the JSONL reading process (``ingest/prepare.py``) uses it
without Django; the two Django-facing helpers import what they need when called.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from django.db.models import Q

SCHEMES = ("http", "https")
# A host name of letters, digits, hyphens and dots (IDNs included), or an IP literal.
_HOST = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.?)+$|^\[[0-9a-fA-F:.]+\]$")


class BadLink(ValueError):
    """Text that is not a link we store; the message says why, in one line."""


def clean_link(value: str | None, *, max_length: int = 500, field: str = "link") -> str:
    """``value`` as a stored link ("" for none), or BadLink.

    >>> clean_link("  HTTPS://github.com/a/b ")
    'https://github.com/a/b'
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadLink(f"{field} is not text")
    value = value.strip()
    if not value:
        return ""
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise BadLink(f"{field} {_show(value)} is not an http(s) URL")
    value = f"{scheme.lower()}://{rest}"
    if len(value) > max_length:
        raise BadLink(f"{field} is longer than {max_length} characters")
    if not value.isprintable() or " " in value:
        raise BadLink(f"{field} {_show(value)} has spaces or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise BadLink(f"{field} {_show(value)} is not a valid URL") from None
    host = parts.netloc.rpartition("@")[2].rsplit(":", 1)[0] if parts.netloc else ""
    if host.startswith("["):
        host = parts.netloc.rpartition("@")[2].partition("]")[0] + "]"
    if not host or not _HOST.match(host):
        raise BadLink(f"{field} {_show(value)} has no valid host")
    return value


def validate_link(value: str) -> None:
    """Django validator for model and form fields (the length is the field's own)."""
    from django.core.exceptions import ValidationError

    try:
        clean_link(value, max_length=10_000)
    except BadLink as e:
        raise ValidationError(str(e).replace("link ", "", 1), code="invalid") from None


def http_url_check(field: str) -> Q:
    """The database's half of the rule, for a CheckConstraint: empty or http(s)."""
    from django.db.models import Q

    return (
        Q(**{field: ""})
        | Q(**{f"{field}__startswith": "http://"})
        | Q(**{f"{field}__startswith": "https://"})
    )


def _show(value: str) -> str:
    return repr(value[:60] + ("…" if len(value) > 60 else ""))
