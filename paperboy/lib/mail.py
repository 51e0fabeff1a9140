"""The mail backend used when no SMTP server is configured: mail printed as a person reads it.

Django's console backend prints each message as it would go on the wire, and Paperboy's
parts are quoted-printable: a verification link came out split by ``=`` soft line breaks,
with ``=3D`` for every ``=``, and could not be clicked. ``ConsoleEmailBackend`` prints the
headers a reader sees (decoded) and the plain-text part decoded, links whole; it names the
other parts (the HTML alternative, attachments) instead of printing them.
"""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend

# Headers that carry the message's structure or routing, not what a reader reads.
_PLUMBING = {"mime-version", "content-type", "content-transfer-encoding", "content-disposition"}
RULE = "-" * 79


class ConsoleEmailBackend(EmailBackend):
    """Print each message's headers and its text decoded to the stream (stdout by default)."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(readable(message.message()) + "\n" + RULE + "\n")


def readable(msg: MimeMessage) -> str:
    """``msg`` as a person reads it: decoded headers, a blank line, the text part decoded
    (or the HTML part when there is no text), then a line naming each other part."""
    lines = [f"{name}: {value}" for name, value in msg.items() if name.lower() not in _PLUMBING]
    body = msg.get_body(preferencelist=("plain", "html"))
    lines += ["", body.get_content().rstrip("\n") if body is not None else "(no text)"]
    for part in msg.walk():
        if part.is_multipart() or part is body:
            continue
        name = part.get_filename()
        lines.append(f"[{part.get_content_type()} part{f' {name!r}' if name else ''} not shown]")
    return "\n".join(lines)
