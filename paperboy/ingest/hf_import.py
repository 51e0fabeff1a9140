"""Write Hugging Face daily papers into the catalog and the daily list.

For each item: the paper (created from the item when the catalog lacks it, through the
importer's ``import_records``; an existing paper keeps its arXiv metadata, which is richer),
the Hugging Face extras (links, GitHub stars, AI summary and keywords, organization, and the
upvote count in ``Paper.imported_upvotes``, apart from local votes) through the importer's
``import_extras``, which holds the catalog's rules for them; then its ``DailyEntry`` on the day
it entered Hugging Face's list (with the submitter's username in ``external_submitter``).
The entry is written here: it is the daily list's, not the catalog's. ``feed.votes.
refresh_counters`` then sums both vote counts into the shown count and rescores trending.
Running the same import twice changes nothing.

Entries that members submitted locally keep their day and submitter: a local submission wins.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest.hf import DailyItem, HfOrganization, ItemError
from paperboy.ingest.importer import ImportResult, RecordError, import_extras, import_records
from paperboy.ingest.records import SourceOrganization
from paperboy.ingest.runs import Progress
from paperboy.ingest.upsert import ensure_organization
from paperboy.papers.models import Organization, Paper


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


def _organization(value: HfOrganization | None) -> SourceOrganization | None:
    if value is None:
        return None
    return SourceOrganization(value.name, display_name=value.fullname, avatar=value.avatar)


def _apply(paper: Paper, item: DailyItem, orgs: dict[str, Organization]) -> bool:
    """Set the Hugging Face fields of ``paper`` and its entry; True when something changed."""
    r = item.record
    changed = import_extras(
        [paper.pk],
        project_page=r.project_page,
        github_repo=r.github_repo,
        github_stars=r.github_stars,
        imported_upvotes=item.upvotes,
        ai_summary=item.ai_summary,
        ai_keywords=item.ai_keywords,
        organization=_organization(item.paper_organization),
        # GitHub's own answer (the stars refresh) is fresher than Hugging Face's copy, and
        # an organization set before (by an operator, a JSONL import) is kept.
        only_if_missing={"github_stars", "organization"},
        at=item.submitted_at,
        organizations=orgs,
    )

    entry_org = _organization(item.entry_organization)
    if entry_org is not None:
        entry_org = ensure_organization(entry_org, orgs)
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
