"""The one door for mail a person is waiting for — email verification, password reset,
organization invitations (digest confirmations are their own task on the same queue):
``send_later`` hands the rendered message to the ``mail`` queue once the request's transaction
commits, and the mail worker (``paperboy up`` runs one of its own) sends it.

So a web request never waits on an SMTP server, a rolled-back request sends nothing, and no
batch work (embeddings, imports) stands in front of these messages (README: "Process model and
queues"). Messages travel as plain JSON (subject, bodies, addresses, headers).
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.tasks import task


def send_later(message: EmailMessage) -> None:
    """Send ``message`` from the mail queue once the current transaction (if any) commits."""
    data = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }
    transaction.on_commit(lambda: deliver.enqueue(data))


@task(queue_name="mail")
def deliver(message: dict) -> None:
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        cc=message["cc"],
        bcc=message["bcc"],
        reply_to=message["reply_to"],
        headers=message["headers"],
    )
    for content, mimetype in message["alternatives"]:
        email.attach_alternative(content, mimetype)
    email.send()
