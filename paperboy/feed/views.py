"""Daily, weekly, monthly and trending lists."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    return redirect("feed:daily")


def daily(request: HttpRequest) -> HttpResponse:
    return render(request, "feed/list.html", {})


def org(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "feed/list.html", {})
