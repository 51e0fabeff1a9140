"""django-allauth, adapted: its mails (email verification, password reset) leave through the
site's mail queue (``lib/outbox.py``) instead of inside the web request."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from paperboy.lib.outbox import send_later


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's own context, as DefaultAccountAdapter.send_mail builds it.
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        send_later(self.render_mail(template_prefix, email, ctx))
