"""The token settings page: create a personal token (shown once) and revoke tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperboy.accounts.tokens import ApiToken
from paperboy.api.forms import TokenForm


def _page(request: HttpRequest, form: TokenForm, *, new=None, plaintext="", status=200):
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    feed_url = ""
    if new is not None and new.scope == ApiToken.Scope.FEED:
        feed_url = request.build_absolute_uri(reverse("feeds:for-you-rss", args=[plaintext]))
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "new_token": new,
            "plaintext": plaintext,
            "feed_url": feed_url,
            "api_root": request.build_absolute_uri("/api/"),
        },
        status=status,
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TokenForm(request.POST, user=request.user)
        if form.is_valid():
            token, plaintext = form.save()
            # Shown in this response only: the plaintext is not stored anywhere.
            response = _page(
                request, TokenForm(user=request.user), new=token, plaintext=plaintext, status=201
            )
            response["Cache-Control"] = "no-store"
            return response
        return _page(request, form, status=400)
    return _page(request, TokenForm(user=request.user))


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("You have no such token.")
    token.revoke()
    messages.success(request, f"Revoked “{token.name}”. It no longer works.")
    return redirect("tokens:list")
