"""The paper page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from paperboy.papers.models import Paper


def detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = get_object_or_404(Paper.objects.visible(), arxiv_id=arxiv_id)
    return render(request, "papers/detail.html", {"paper": paper})
