"""Write Hugging Face daily papers into the catalog and the daily list.

For each item: the paper (created from the item when the catalog lacks it; an existing paper
keeps its arXiv metadata, which is richer), the Hugging Face extras (links, AI summary and
keywords, organization), its ``DailyEntry`` on the day it entered Hugging Face's list (with
the submitter's username in ``external_submitter``), and the upvote count in
``Paper.imported_upvotes``, apart from local votes; ``feed.votes.refresh_counters`` then sums
both into the shown count and rescores trending. Running the same import twice changes nothing.

Entries that members submitted locally keep their day and submitter: a local submission wins.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest.hf import DailyItem, HfOrganization, ItemError
from paperboy.ingest.importer import ImportResult, RecordError, import_records
from paperboy.ingest.runs import Progress
from paperboy.lib.weblinks import BadLink, clean_link
from paperboy.papers.models import Organization, Paper, StarSnapshot


def import_daily_items(
    items: list[DailyItem], errors: list[ItemError] = (), *, progress: Progress | None = None
) -> ImportResult:
    progress = progress or Progress()
    result = ImportResult()
    for error in errors:
        result.fail(error.id, error.reason)
    by_id = {item.record.arxiv_id: item for item in items}  # the last one wins
    result.unchanged += len(items) - len(by_id)
    progress.start("Hugging Face", total=len(by_id))
    known = set(Paper.objects.filter(arxiv_id__in=list(by_id)).values_list("arxiv_id", flat=True))
    orgs: dict[str, Organization] = {}
    for arxiv_id, item in by_id.items():
        one = ImportResult()
        try:
            # One item, one transaction: its paper, extras, entry and counts, or nothing.
            with transaction.atomic():
                if arxiv_id not in known:
                    one = import_records([item.record])
                    if one.failed:
                        raise _Failed
                paper = Paper.objects.select_for_update().get(arxiv_id=arxiv_id)
                changed = _apply(paper, item, orgs)
                if changed:
                    votes.refresh_counters(paper.pk)
        except _Failed:
            pass
        except RecordError as e:
            orgs.clear()  # what this transaction created is gone
            one = ImportResult()
            one.fail(arxiv_id, str(e))
        except DatabaseError as e:
            orgs.clear()  # what this transaction created is gone
            one = ImportResult()
            one.fail(arxiv_id, f"database refused it: {e}".strip())
        else:
            if arxiv_id in known:
                one.updated, one.unchanged = int(changed), int(not changed)
        result.add(one)
        progress.advance(one)
    return result


class _Failed(Exception):
    """The importer refused the item's paper; its reason is in the result already."""


def _organization(value: HfOrganization | None, cache: dict[str, Organization]):
    if value is None:
        return None
    if value.name not in cache:
        try:
            avatar = clean_link(value.avatar, field="avatar")
        except BadLink:
            avatar = ""  # a picture is optional: the organization is imported without it
        cache[value.name] = Organization.objects.ensure(
            value.name, display_name=value.fullname, avatar_url=avatar
        )
    return cache[value.name]


def _apply(paper: Paper, item: DailyItem, orgs: dict[str, Organization]) -> bool:
    """Set the Hugging Face fields of ``paper`` and its entry; True when something changed."""
    fields = {"imported_upvotes": item.upvotes}
    r = item.record
    for name in ("project_page", "github_repo"):
        try:
            link = clean_link(getattr(r, name), field=name)
        except BadLink as e:
            raise RecordError(str(e)) from None
        if link:
            fields[name] = link
    # GitHub's own answer (the stars refresh) is fresher than Hugging Face's copy.
    if r.github_stars is not None and paper.github_stars is None:
        fields["github_stars"] = r.github_stars
    if item.ai_summary:
        fields["ai_summary"] = item.ai_summary
    if item.ai_keywords:
        fields["ai_keywords"] = item.ai_keywords
    paper_org = _organization(item.paper_organization, orgs)
    if paper_org is not None and paper.organization_id is None:
        fields["organization_id"] = paper_org.pk
    changed = {k: v for k, v in fields.items() if getattr(paper, k) != v}
    if changed:
        Paper.objects.filter(pk=paper.pk).update(**changed)
    stars = changed.get("github_stars", paper.github_stars)
    if stars is not None:
        # The first count we see starts the paper's star history (a no-op when unchanged).
        StarSnapshot.record([paper.pk], stars, at=item.submitted_at)

    entry_org = _organization(item.entry_organization, orgs)
    entry = DailyEntry.objects.filter(paper_id=paper.pk).first()
    wanted = {
        "day": item.day,
        "submitted_at": item.submitted_at,
        "external_submitter": item.submitter[:150],
        "organization_id": entry_org.pk if entry_org else None,
    }
    entry_changed = False
    if entry is None:
        DailyEntry.objects.create(paper_id=paper.pk, **wanted)
        entry_changed = True
    elif entry.submitted_by_id is None:
        diff = {k: v for k, v in wanted.items() if getattr(entry, k) != v}
        if diff:
            DailyEntry.objects.filter(pk=entry.pk).update(**diff)
            entry_changed = True
    return bool(changed) or entry_changed
