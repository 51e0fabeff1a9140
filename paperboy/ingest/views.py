"""The submit page: a member brings a paper from arXiv onto today's list (the rules are
``submission.py``; the form is ``forms.py``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from paperboy.ingest.forms import SubmitForm
from paperboy.ingest.submission import may_submit
from paperboy.lib.limits import limited


@login_required
@limited("submit")
def submit(request: HttpRequest) -> HttpResponse:
    refusal = may_submit(request.user)
    if request.method == "POST":
        form = SubmitForm(request.POST, user=request.user)
        entry = form.save() if form.is_valid() else None
        if entry is not None:
            messages.success(request, f"Thanks! “{entry.paper.title}” is on today's list.")
            return redirect("feed:daily")
    else:
        form = SubmitForm(user=request.user)
    return render(
        request,
        "ingest/submit.html",
        {
            "form": form,
            "refusal": refusal,
            "max_age_days": settings.PAPERBOY_SUBMIT_MAX_AGE_DAYS,
            "daily_cap": settings.PAPERBOY_SUBMIT_DAILY_CAP,
        },
    )
