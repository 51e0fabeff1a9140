"""Subscribe, confirm, unsubscribe (link and RFC 8058 one-click POST), manage, member settings.

Links from emails carry signed tokens (``tokens.py``), so none of these pages needs a login
except the member settings page. A bad token shows why on a 400 page and changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperboy.digests import subscribing, tokens
from paperboy.digests.forms import SubscribeForm, TopicsForm
from paperboy.digests.models import Subscription
from paperboy.lib import ratelimit


def _bad_link(request: HttpRequest, error: tokens.BadToken) -> HttpResponse:
    return render(request, "digests/bad_link.html", {"error": str(error)}, status=400)


def _initial(sub: Subscription) -> dict:
    return {
        "frequency": sub.frequency,
        "categories": " ".join(sub.categories),
        "organizations": sub.organizations,
        "search_query": sub.search_query,
        "alert_categories": " ".join(sub.alert_categories or []),
        "alert_keywords": "\n".join(sub.alert_keywords or []),
    }


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = SubscribeForm(initial={"email": request.GET.get("email", "")[:254]})
        return render(request, "digests/subscribe.html", {"form": form})
    ip = ratelimit.client_ip(request)
    if ratelimit.over(f"subscribe:ip:{ip}", settings.PAPERBOY_DIGEST_SUBSCRIBE_RATE):
        return render(request, "digests/rate_limited.html", status=429)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "digests/subscribe.html", {"form": form}, status=400)
    sub, outcome = subscribing.request(email=form.cleaned_data["email"], **form.topics())
    # The same page whatever happened, so the form does not tell who is subscribed.
    return render(request, "digests/check_inbox.html", {"email": sub.email, "outcome": outcome})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    max_age = settings.PAPERBOY_DIGEST_CONFIRM_MAX_AGE_HOURS * 3600
    try:
        sub = tokens.read(tokens.CONFIRM, token, max_age=max_age)
    except tokens.BadToken as error:
        return _bad_link(request, error)
    if sub.is_active:
        return render(request, "digests/confirmed.html", {"sub": sub, "already": True})
    if request.method == "GET":
        # A button, not a GET side effect: link scanners in mail systems open every link.
        return render(request, "digests/confirm.html", {"sub": sub})
    sub.confirm()
    _link_member(sub)
    return render(
        request,
        "digests/confirmed.html",
        {"sub": sub, "manage_url": tokens.manage_url(sub)},
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        sub = tokens.read(tokens.UNSUBSCRIBE, token)
    except tokens.BadToken as error:
        return _bad_link(request, error)
    already = sub.unsubscribed_at is not None
    if not already:
        sub.unsubscribe()
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse("Unsubscribed.\n", content_type="text/plain")
    return render(request, "digests/unsubscribed.html", {"sub": sub, "already": already})


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        sub = tokens.read(
            tokens.MANAGE, token, max_age=settings.PAPERBOY_DIGEST_MANAGE_MAX_AGE_DAYS * 86400
        )
    except tokens.BadToken as error:
        return _bad_link(request, error)
    return _manage_page(request, sub, action=request.path)


def _manage_page(request: HttpRequest, sub: Subscription, *, action: str) -> HttpResponse:
    form = TopicsForm(request.POST or None, initial=_initial(sub))
    status = 200
    if request.method == "POST":
        if request.POST.get("unsubscribe"):
            if sub.unsubscribed_at is None:
                sub.unsubscribe()
            messages.success(request, f"{sub.email} is unsubscribed: no more digests.")
            return redirect(action)
        if form.is_valid():
            for name, value in form.topics().items():
                setattr(sub, name, value)
            sub.save(update_fields=list(form.topics()))
            messages.success(request, "Saved.")
            return redirect(action)
        status = 400
    return render(
        request, "digests/manage.html", {"sub": sub, "form": form, "action": action}, status=status
    )


def _link_member(sub: Subscription) -> None:
    """Tie a subscription to the member whose verified address it is, so their digest gets the
    "for you" section even when they subscribed from the public form."""
    from allauth.account.models import EmailAddress

    if sub.user_id:
        return
    address = EmailAddress.objects.filter(email__iexact=sub.email, verified=True).first()
    if address is not None:
        sub.user_id = address.user_id
        sub.save(update_fields=["user"])


def _verified_email(user) -> str:
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, primary=True, verified=True).first()
    return address.email.lower() if address else ""


@login_required
@require_http_methods(["GET", "POST"])
def member_settings(request: HttpRequest) -> HttpResponse:
    """A member's digest subscription, for their verified primary address."""
    email = _verified_email(request.user)
    sub = Subscription.objects.filter(email=email).first() if email else None
    if sub is not None and sub.is_active:
        _link_member(sub)
        return _manage_page(request, sub, action=request.path)
    form = TopicsForm(request.POST or None)
    status = 200
    if request.method == "POST" and email:
        if form.is_valid():
            subscribing.request(email=email, user=request.user, verified=True, **form.topics())
            messages.success(request, f"Subscribed: digests go to {email}.")
            return redirect(request.path)
        status = 400
    return render(
        request,
        "digests/member_settings.html",
        {"form": form, "email": email, "sub": sub},
        status=status,
    )
