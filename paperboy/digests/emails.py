"""The one place Paperboy's own email is rendered and sent.

Every email is a template triplet, ``templates/emails/<name>-subject.html``,
``<name>-body-text.html`` and ``<name>-body-html.html``, rendered with the same context into a
multipart/alternative message (plain text first, HTML with inline CSS, no scripts). Mailing-list
emails carry ``List-Unsubscribe`` (the signed one-click URL) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from paperboy.digests import tokens
from paperboy.digests.compose import Digest, Item


def render(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of the email ``name``."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}-subject.html", context)
    # A subject is one line: templates may wrap, a header must not.
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}-body-text.html", context).strip() + "\n"
    html = render_to_string(f"emails/{name}-body-html.html", context)
    return subject, text, html


class OneLineHeader(str):
    """A header value written out on one line, as it is.

    Python's email package folds a header longer than 78 characters at spaces, and a value
    without spaces, such as ``<https://…/digests/unsubscribe/…>``, it turns into RFC 2047
    encoded-words (``=?utf-8?q?=3Chttps=3A//…?=``): a mail client reading ``List-Unsubscribe``
    (a structured header, where encoded-words are not allowed) would find no URL. RFC 5322
    allows lines up to 998 characters, far more than a signed URL needs. The email package
    keeps a value with a ``name`` as it is and calls its ``fold``; Django passes ``str``
    subclasses through.
    """

    name: str

    def __new__(cls, name: str, value: str) -> OneLineHeader:
        if not value.isascii() or "\r" in value or "\n" in value or len(name) + len(value) > 996:
            raise ValueError(f"{name}: not a one-line ASCII header value")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def make(
    name: str,
    to: str,
    context: dict,
    *,
    unsubscribe_url: str = "",
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    subject, text, html = render(name, context)
    headers = dict(headers or {})
    if unsubscribe_url:
        headers["List-Unsubscribe"] = OneLineHeader("List-Unsubscribe", f"<{unsubscribe_url}>")
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def send(message: EmailMultiAlternatives, *, connection=None) -> None:
    """Send through ``connection``, kept open across calls (a sending run closes it at the end),
    or through a fresh connection of the default mailer."""
    if connection is None:
        mail.mailers.default.send_messages([message])
        return
    # Opened here, not by send_messages, which would close a connection it opened itself.
    connection.open()
    connection.send_messages([message])


def confirmation(subscription) -> EmailMultiAlternatives:
    return make(
        "confirm",
        subscription.email,
        {
            "subscription": subscription,
            "confirm_url": tokens.confirm_url(subscription),
            "max_age_hours": settings.PAPERBOY_DIGEST_CONFIRM_MAX_AGE_HOURS,
        },
    )


@lru_cache(maxsize=512)
def section(items: tuple[Item, ...]) -> tuple[str, str]:
    """(html, text) of a list of papers. Every subscriber without topics gets the same trending
    section, so it is rendered once per sending run, not 10,000 times."""
    context = {"items": items}
    return (
        mark_safe(render_to_string("emails/digest-section-html.html", context)),
        render_to_string("emails/digest-section-text.html", context),
    )


def digest(subscription, digest: Digest) -> EmailMultiAlternatives:
    unsubscribe_url = tokens.unsubscribe_url(subscription)
    trending_html, trending_text = section(tuple(digest.trending))
    for_you_html, for_you_text = section(tuple(digest.for_you))
    return make(
        "digest",
        subscription.email,
        {
            "subscription": subscription,
            "digest": digest,
            "trending_html": trending_html,
            "trending_text": trending_text,
            "for_you_html": for_you_html,
            "for_you_text": for_you_text,
            "period": digest.period,
            "unsubscribe_url": unsubscribe_url,
            "manage_url": tokens.manage_url(subscription),
            "trending_url": settings.SITE_URL + "/papers/trending",
        },
        unsubscribe_url=unsubscribe_url,
        headers={
            # The same id on a resend lets a client fold a (very unlikely) duplicate away.
            "Message-ID": f"<digest-{subscription.pk}-{digest.period.key.replace(':', '-')}"
            f"@{message_id_domain()}>",
        },
    )


def message_id_domain() -> str:
    """The site's host name for Message-IDs: a dot-atom, so an IPv6 or non-ASCII host in
    ``PAPERBOY_SITE_URL`` (``http://[::1]:8000``) falls back to ``localhost``."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    return host if re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", host) else "localhost"
