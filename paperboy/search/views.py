"""``/papers/search?q=``: the results as paper cards, with filters as links and pagination.

An htmx request (search-as-you-type in the header box) gets the same page; the box's
``hx-select`` keeps only ``#main``. Bad filter values get a 400 page saying what is wrong; a
query past ``lib.query.MAX_QUERY_CHARS`` is cut there and the page says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from paperboy.feed.cards import Card, for_papers
from paperboy.lib.query import MAX_QUERY_CHARS, trim_query
from paperboy.papers.models import Paper
from paperboy.search import engine
from paperboy.search.forms import SearchForm
from paperboy.search.highlight import highlight
from paperboy.search.similar import similar_papers

PAGE_SIZE = 20
SIMILAR_COUNT = 6
FILTER_KEYS = ("q", "category", "org", "code", "date_from", "date_to", "sort", "as_typed")


@dataclass
class SearchCard(Card):
    """A feed card whose title and abstract highlight the query's words."""

    title_html: SafeString = SafeString("")
    abstract_html: SafeString = SafeString("")


def search(request: HttpRequest) -> HttpResponse:
    data = {k: v.replace("\x00", "") for k, v in request.GET.items()}
    form = SearchForm(data)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return render(
            request,
            "search/search.html",
            {"form": form, "errors": errors, "search_query": trim_query(data.get("q", ""))[0]},
            status=400,
        )
    q = form.cleaned_data["q"]
    number = form.cleaned_data.get("p") or 1
    sort = form.cleaned_data.get("sort") or "relevance"
    filters = form.filters()
    results = engine.search(
        q,
        filters=filters,
        sort=sort,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
        spell=not form.cleaned_data.get("as_typed"),
    )
    papers = [h.paper for h in results.hits]
    terms = results.terms + tuple(results.corrected.split())
    cards = _cards(request, results.hits, terms, results.corrected or q)
    nearest_cards = _cards(request, results.nearest, (), results.corrected or q)
    params = {k: data[k] for k in FILTER_KEYS if data.get(k)}
    pages = max(1, -(-results.total // PAGE_SIZE))
    context = {
        "form": form,
        "q": q,
        "search_query": q,
        "trimmed_from": form.trimmed_from,
        "max_query_chars": MAX_QUERY_CHARS,
        "results": results,
        "cards": cards,
        "nearest_cards": nearest_cards,
        "filters": filters,
        "sort": sort,
        "number": number,
        "pages": pages,
        "as_typed_url": _url(params, as_typed="1", p=None) if results.corrected else "",
        "prev_url": _url(params, p=number - 1) if number > 1 else "",
        "next_url": _url(params, p=number + 1) if number < pages else "",
        "sort_links": [
            (label, _url(params, sort=value), sort == value)
            for value, label in (("relevance", "Relevance"), ("date", "Newest"))
        ],
        **_filter_links(params, papers, filters),
    }
    return render(request, "search/search.html", context)


MEANING = {"similar meaning", "nearest in meaning"}


def _cards(request: HttpRequest, hits: list[engine.Hit], terms, query: str) -> list[SearchCard]:
    """Cards whose title and abstract mark the query's words, each saying why it is here: the
    words it matched, or the sentence of its abstract closest in meaning to the query."""
    meaning = [h.paper for h in hits if h.why in MEANING or not h.matched]
    closest = engine.closest_sentences(query, meaning) if meaning else {}
    by_pk = {h.paper.pk: h for h in hits}
    return for_papers(
        [h.paper for h in hits],
        reader=request.user,
        card_type=SearchCard,
        extra=lambda paper: {
            "why": why_html(by_pk[paper.pk], closest.get(paper.pk, "")),
            "title_html": highlight(paper.title, terms),
            "abstract_html": highlight(paper.abstract, terms),
        },
    )


def why_html(hit: engine.Hit, sentence: str = "") -> SafeString:
    """One hit's reason, specific to it: an exact id or title; the query's words it contains
    (marked as on the card); or, for a paper found by meaning, the sentence of its abstract
    closest to the query."""
    if hit.why in ("exact arXiv id", "exact title", "close title"):
        return format_html("{}", hit.why)
    if hit.why not in MEANING and hit.matched:
        marked = format_html_join(", ", "<mark>{}</mark>", ((w,) for w in hit.matched))
        more = " and similar in meaning" if hit.why == "matching words and meaning" else ""
        where = " in the title" if hit.why == "title match" else ""
        return format_html("contains {}{}{}", marked, where, more)
    label = (
        "nearest in meaning (not a close match)"
        if hit.why == "nearest in meaning"
        else "similar in meaning to your query"
    )
    if sentence:
        return format_html("{}: “{}”", label, sentence)
    return format_html("{}", label)


def _url(params: dict, **changes) -> str:
    merged = {**params, **{k: v for k, v in changes.items()}}
    merged = {k: v for k, v in merged.items() if v not in (None, "", False)}
    if merged.get("p") == 1:
        del merged["p"]
    return "?" + urlencode(merged)


def _filter_links(params: dict, papers: list[Paper], filters: engine.SearchFilters) -> dict:
    base = {k: v for k, v in params.items() if k != "p"}
    today = timezone.localdate()
    dates = [
        ("Any time", "", ""),
        ("Past week", (today - timedelta(days=7)).isoformat(), ""),
        ("Past month", (today - timedelta(days=31)).isoformat(), ""),
        ("Past year", (today - timedelta(days=365)).isoformat(), ""),
    ]
    current_from = params.get("date_from", "")
    date_links = [
        (label, _url(base, date_from=start, date_to=end), current_from == start)
        for label, start, end in dates
    ]
    categories = Counter(p.primary_category for p in papers if p.primary_category)
    if filters.category:
        categories[filters.category] += 0
    category_links = [("All", _url(base, category=""), not filters.category)] + [
        (code, _url(base, category=code), filters.category == code)
        for code, _ in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    ]
    orgs = {p.organization.slug: p.organization.name for p in papers if p.organization}
    if filters.organization and filters.organization not in orgs:
        orgs[filters.organization] = filters.organization
    org_links = []
    if orgs or filters.organization:
        org_links = [("Any", _url(base, org=""), not filters.organization)] + [
            (name, _url(base, org=slug), filters.organization == slug)
            for slug, name in sorted(orgs.items(), key=lambda kv: kv[1].lower())[:8]
        ]
    code_link = _url(base, code="" if filters.has_code else "1")
    return {
        "date_links": date_links,
        "category_links": category_links,
        "org_links": org_links,
        "code_link": code_link,
    }


def similar(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """The paper page's "Similar papers" block, loaded by htmx after the page."""
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).only("pk").first()
    if paper is None:
        raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
    papers = similar_papers([paper.pk], k=SIMILAR_COUNT)
    return render(request, "search/similar.html", {"papers": papers, "paper": paper})
