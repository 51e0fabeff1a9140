"""The one place Paperboy's own email is rendered and sent.

Every email is a template triplet, ``templates/emails/<name>-subject.html``,
``<name>-body-text.html`` and ``<name>-body-html.html``, rendered with the same context into a
multipart/alternative message (plain text first, HTML with inline CSS, no scripts). Only the
HTML body is HTML-escaped: the subject and the text body are plain text (``render_text``), so
a title such as "Don't <stop>" reads as typed there. Mailing-list emails carry
``List-Unsubscribe`` (the signed one-click URL) and ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click`` (RFC 8058).

A sending run mails thousands of digests that differ only in a few places, so:
- each paper section is rendered once per run (``section``, cached by content);
- the digest triplet is rendered once per *shape* (period, trending section, whether there
  are topics and a "for you" section) with markers where the personal parts go (address,
  topics, links, the "for you" and alert sections), which are then filled in per
  subscriber, escaped as the template would have escaped them (``digest``; a test holds it to
  the plain rendering);
- both bodies are quoted-printable encoded by ``binascii`` (C) rather than the email
  package's pure-Python encoder (``Message._add_bodies``): 3 ms instead of 7 ms a digest.
"""

from __future__ import annotations

import binascii
import re
import secrets
from dataclasses import dataclass
from email.message import MIMEPart
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from paperboy.digests import tokens
from paperboy.digests.compose import Digest, Item, Section
from paperboy.digests.periods import DigestPeriod


def render(name: str, context: dict, *, strip: bool = True) -> tuple[str, str, str]:
    """(subject, text, html) of the email ``name``. ``strip=False`` leaves the text part as
    rendered (``digest`` strips it once the personal parts are in)."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = render_text(f"emails/{name}-subject.html", context)
    # A subject is one line: templates may wrap, a header must not.
    subject = " ".join(subject.split())
    text = render_text(f"emails/{name}-body-text.html", context)
    text = text.strip() + "\n" if strip else text
    html = render_to_string(f"emails/{name}-body-html.html", context)
    return subject, text, html


def render_text(template_name: str, context: dict) -> str:
    """A plain-text part: the template rendered without HTML escaping (a subject rendered
    with it read ``Don&#x27;t``)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


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


class Message(EmailMultiAlternatives):
    """A text body and text alternatives (the HTML part), each quoted-printable encoded in one
    ``binascii.b2a_qp`` call: the email package's own encoder (``set_content``) is pure Python
    and took more than half of the time to build a digest. Headers go through Django as usual."""

    def _add_bodies(self, msg) -> None:
        if any(not a.mimetype.startswith("text/") for a in self.alternatives):
            super()._add_bodies(msg)
            return
        msg["MIME-Version"] = "1.0"
        msg.make_alternative()
        bodies = [(self.body, f"text/{self.content_subtype}")] if self.body else []
        bodies += [(a.content, a.mimetype) for a in self.alternatives]
        for content, mimetype in bodies:
            part = MIMEPart(policy=msg.policy)
            part["Content-Type"] = f'{mimetype}; charset="utf-8"'
            part["Content-Transfer-Encoding"] = "quoted-printable"
            data = content.encode() if isinstance(content, str) else content
            part.set_payload(binascii.b2a_qp(data, istext=True).decode("ascii"))
            msg.attach(part)


def make(
    name: str,
    to: str,
    context: dict,
    *,
    unsubscribe_url: str = "",
    headers: dict | None = None,
    rendered: tuple[str, str, str] | None = None,
) -> EmailMultiAlternatives:
    """The email ``name`` to ``to``, rendered from ``context`` (or already ``rendered``)."""
    subject, text, html = rendered or render(name, context)
    headers = dict(headers or {})
    if unsubscribe_url:
        headers["List-Unsubscribe"] = OneLineHeader("List-Unsubscribe", f"<{unsubscribe_url}>")
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = Message(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)
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
        render_text("emails/digest-section-text.html", context),
    )


@lru_cache(maxsize=512)
def alert_sections(sections: tuple[Section, ...]) -> tuple[str, str]:
    """(html, text) of a digest's alert sections, each a heading and its papers."""
    parts = [(s, *section(s.items)) for s in sections]
    context = {"sections": parts}
    return (
        mark_safe(render_to_string("emails/digest-alerts-html.html", context)),
        render_text("emails/digest-alerts-text.html", context),
    )


def digest(subscription, digest: Digest) -> EmailMultiAlternatives:
    unsubscribe_url = tokens.unsubscribe_url(subscription)
    manage_url = tokens.manage_url(subscription)
    for_you_html, for_you_text = section(tuple(digest.for_you))
    alerts_html, alerts_text = alert_sections(tuple(digest.alerts))
    shape = digest_shape(
        digest.period,
        tuple(digest.trending),
        has_topics=subscription.has_topics,
        for_you=bool(digest.for_you),
        site=(settings.SITE_NAME, settings.SITE_URL),
    )
    personal = {
        "email": subscription.email,
        "topics": subscription.topics_label,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
    }
    text = shape.fill(
        shape.text, {**personal, "for_you": for_you_text, "alerts": alerts_text}
    ).strip()
    html = shape.fill(
        shape.html,
        {
            **{k: escape(v) for k, v in personal.items()},
            "for_you": for_you_html,
            "alerts": alerts_html,
        },
    )
    subject = shape.fill(shape.subject, {**personal, "for_you": "", "alerts": ""})
    text += "\n"
    return make(
        "digest",
        subscription.email,
        {},
        rendered=(subject, text, html),
        unsubscribe_url=unsubscribe_url,
        headers={
            # The same id on a resend lets a client fold a (very unlikely) duplicate away.
            "Message-ID": f"<digest-{subscription.pk}-{digest.period.key.replace(':', '-')}"
            f"@{message_id_domain()}>",
        },
    )


def digest_context(subscription, digest: Digest, **personal) -> dict:
    """The context of the digest triplet; ``personal`` overrides the per-subscriber values."""
    trending_html, trending_text = section(tuple(digest.trending))
    for_you_html, for_you_text = section(tuple(digest.for_you))
    alerts_html, alerts_text = alert_sections(tuple(digest.alerts))
    context = {
        "subscription": subscription,
        "digest": digest,
        "trending_html": trending_html,
        "trending_text": trending_text,
        "for_you_html": for_you_html,
        "for_you_text": for_you_text,
        "alerts_html": alerts_html,
        "alerts_text": alerts_text,
        "period": digest.period,
        "unsubscribe_url": tokens.unsubscribe_url(subscription) if subscription.pk else "",
        "manage_url": tokens.manage_url(subscription) if subscription.pk else "",
        "trending_url": settings.SITE_URL + "/papers/trending",
    }
    context.update(personal)
    return context


@dataclass(frozen=True)
class Shape:
    """The digest triplet rendered once, with ``marks`` where each personal value goes."""

    subject: str
    text: str
    html: str
    marks: dict[str, str]

    def fill(self, rendered: str, values: dict[str, str]) -> str:
        for name, mark in self.marks.items():
            rendered = rendered.replace(mark, values[name])
        return rendered


@dataclass(frozen=True)
class _StandIn:
    """What the digest templates read of a subscription, as markers."""

    email: str
    topics_label: str
    has_topics: bool
    pk: None = None


# Letters and digits only: HTML escaping and the templates leave them as they are, and a
# random part no paper title will ever contain.
_MARK = "pbmark" + secrets.token_hex(8)


@lru_cache(maxsize=256)
def digest_shape(
    period: DigestPeriod,
    trending: tuple[Item, ...],
    *,
    has_topics: bool,
    for_you: bool,
    site: tuple[str, str],
) -> Shape:
    marks = {
        name: f"{_MARK}{name.replace('_', '')}"
        for name in ("email", "topics", "manage_url", "unsubscribe_url", "for_you", "alerts")
    }
    stand_in = _StandIn(marks["email"], marks["topics"], has_topics)
    # A non-empty "for you" list makes the template show that section; its content is a mark.
    marker_item = Item(0, "", "", "", "", 0, "")
    context = digest_context(
        stand_in,
        Digest(period, trending=list(trending), for_you=[marker_item] if for_you else []),
        for_you_html=mark_safe(marks["for_you"]),
        for_you_text=marks["for_you"],
        alerts_html=mark_safe(marks["alerts"]),
        alerts_text=marks["alerts"],
        manage_url=marks["manage_url"],
        unsubscribe_url=marks["unsubscribe_url"],
    )
    subject, text, html = render("digest", context, strip=False)
    return Shape(subject, text, html, marks)


def message_id_domain() -> str:
    """The site's host name for Message-IDs: a dot-atom, so an IPv6 or non-ASCII host in
    ``PAPERBOY_SITE_URL`` (``http://[::1]:8000``) falls back to ``localhost``."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    return host if re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", host) else "localhost"
