"""Library pages that move references in and out: a paper's citation as a file
(``/papers/<id>/cite.bib``), the import page (``/library/import``: upload or paste, into the
reading list or a collection, then the result) and the exports of the reading list, a
collection, a day's / week's / month's list and a search (``…/export.bib|ris|json``).

Thin views: a form, ``library.importing.run`` or ``library.exporting``, and the page.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from paperboy.lib import dates, limits
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.library import exporting, importing, services
from paperboy.library.models import Collection
from paperboy.papers.models import Paper
from paperboy.search.forms import SearchForm

READING_LIST = "library"
NEW_COLLECTION = "new"


def _ext(ext: str) -> str:
    if ext not in exporting.EXTENSIONS:
        raise Http404("Exports are .bib (BibTeX), .ris (RIS) or .json (CSL-JSON).")
    return ext


# --- One paper's citation -------------------------------------------------------------------


@require_GET
def cite(request: HttpRequest, arxiv_id: str, ext: str) -> HttpResponse:
    """One paper's citation as a file (the Cite box's download links)."""
    _ext(ext)
    try:
        base = parse_arxiv_id(arxiv_id).base
    except InvalidArxivId:
        raise Http404("There is no such paper.") from None
    pk = Paper.objects.visible().filter(arxiv_id=base).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404("There is no such paper.")
    return exporting.response([pk], ext=ext, name=base.replace("/", "-"))


# --- Import ---------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label="A BibTeX, RIS or CSL-JSON file")
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Or paste arXiv ids, arxiv.org links or DOIs (10.48550/arXiv.…), or BibTeX",
    )
    into = forms.ChoiceField(label="Add the papers to")
    title = forms.CharField(required=False, max_length=limits.COLLECTION_TITLE_CHARS)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.collections = list(
            Collection.objects.editable_by(member).order_by("title").only("pk", "title")
        )
        self.fields["into"].choices = [
            (READING_LIST, "Your reading list"),
            *[(str(c.pk), f"Collection: {c.title}") for c in self.collections],
            (NEW_COLLECTION, "A new collection…"),
        ]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and upload.size > limits.IMPORT_MAX_BYTES:
            # Said before the upload is read; ``importing.read`` says the same for pastes.
            size_mb = upload.size / 1_048_576
            cap_mb = limits.IMPORT_MAX_BYTES // 1_048_576
            raise forms.ValidationError(
                f"The file is {size_mb:.1f} MB; an import takes at most {cap_mb} MB. "
                "Export a smaller part of your library (one collection at a time) and import "
                "each."
            )
        if upload is None and not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a file or paste something to import.")
        if data.get("into") == NEW_COLLECTION and not (data.get("title") or "").strip():
            self.add_error("title", "Give the new collection a title.")
        return data

    def data_bytes(self) -> bytes | str:
        upload = self.cleaned_data.get("file")
        return upload.read() if upload is not None else self.cleaned_data["text"]


def _import_page(request: HttpRequest, form: ImportForm, *, status: int = 200, error: str = ""):
    context = {
        "form": form,
        "error": error,
        "max_mb": limits.IMPORT_MAX_BYTES // 1_048_576,
        "max_entries": limits.IMPORT_MAX_ENTRIES,
        "max_fetch": limits.IMPORT_MAX_FETCH,
        # Django refuses a form body past this before any view runs (its 400 page).
        "max_paste_mb": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_048_576:.1f}",
    }
    return render(request, "library/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    member = request.user
    if request.method == "GET":
        into = request.GET.get("into", READING_LIST)
        return _import_page(request, ImportForm(member=member, initial={"into": into}))
    try:
        form = ImportForm(request.POST, request.FILES, member=member)
    except RequestDataTooBig:
        form = ImportForm(member=member)
        return _import_page(
            request,
            form,
            status=413,
            error="That is too much text to paste; upload it as a file instead.",
        )
    if not form.is_valid():
        return _import_page(request, form, status=400)
    refusal = limits.check(request, "import")
    if refusal:
        return render(request, "moderation/limited.html", {"message": refusal}, status=429)
    into = form.cleaned_data["into"]
    collection = None
    try:
        if into == NEW_COLLECTION:
            collection = services.create_collection(by=member, title=form.cleaned_data["title"])
        elif into != READING_LIST:
            collection = services.collection_by_id(int(into), viewer=member, edit=True)
        report = importing.run(form.data_bytes(), member=member, collection=collection)
    except (importing.Refused, services.Refused) as exc:
        if into == NEW_COLLECTION and collection is not None:
            services.delete_collection(collection, by=member)  # made for this import only
        return _import_page(request, form, status=exc.status, error=str(exc))
    return render(
        request, "library/import_result.html", {"report": report, "collection": collection}
    )


# --- Exports --------------------------------------------------------------------------------


@login_required
@require_GET
def export_reading_list(request: HttpRequest, ext: str) -> HttpResponse:
    ids = exporting.reading_list_ids(
        request.user,
        sort=request.GET.get("sort", "saved"),
        read=request.GET.get("read", "all"),
        q=request.GET.get("q", "")[:200],
    )
    return exporting.response(ids, ext=_ext(ext), name="reading-list")


@require_GET
def export_collection(
    request: HttpRequest, slug: str, ext: str, username: str | None = None, org: str | None = None
) -> HttpResponse:
    """A collection, for whoever may see it (a private one is a 404 to anyone else)."""
    _ext(ext)
    try:
        found = services.collection_at(
            owner=org or username, slug=slug, org=org is not None, viewer=request.user
        )
    except services.Refused as exc:
        raise Http404(str(exc)) from None
    return exporting.response(exporting.collection_ids(found), ext=ext, name=found.slug)


def _period_export(kind: str, text: str, ext: str) -> HttpResponse:
    _ext(ext)
    try:
        period = dates.PARSERS[kind](text)
    except dates.BadPeriod as exc:
        raise Http404(str(exc)) from None
    return exporting.response(exporting.period_ids(period), ext=ext, name=f"papers-{text}")


@require_GET
def export_day(request: HttpRequest, day: str, ext: str) -> HttpResponse:
    return _period_export(dates.DAY, day, ext)


@require_GET
def export_week(request: HttpRequest, week: str, ext: str) -> HttpResponse:
    return _period_export(dates.WEEK, week, ext)


@require_GET
def export_month(request: HttpRequest, month: str, ext: str) -> HttpResponse:
    return _period_export(dates.MONTH, month, ext)


@require_GET
def export_search(request: HttpRequest, ext: str) -> HttpResponse:
    """The first results of a search (up to ``exporting.SEARCH_LIMIT``), in the page's order."""
    _ext(ext)
    data = {k: v.replace("\x00", "") for k, v in request.GET.items()}
    form = SearchForm(data)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    q = form.cleaned_data["q"]
    ids = exporting.search_ids(
        q, filters=form.filters(), sort=form.cleaned_data.get("sort") or "relevance"
    )
    return exporting.response(ids, ext=ext, name=f"search-{q[:40]}")
