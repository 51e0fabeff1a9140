"""Refresh the GitHub stars of every paper with a repository, and keep their history.

Repositories are asked least-recently-checked first, with the ETag of their last answer (a 304
is free and means nothing changed). A new count goes on the papers and into ``StarSnapshot``
(the history trending reads for its star velocity) through the importer's ``import_extras``,
and, for papers on the daily list, into their trending score. When GitHub's rate limit runs
out the refresh stops; the repositories it did not reach are reported as failed and come
first next time. So it does when GitHub has not answered for ``MAX_UNANSWERED`` repositories
in a row (the network is down): waiting out every retry of every other repository would only
take long to say the same.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest.github import (
    GithubClient,
    GithubError,
    GithubUnavailable,
    RateLimited,
    repo_name,
)
from paperboy.ingest.importer import ImportResult, RecordError, import_extras
from paperboy.ingest.models import GithubRepo
from paperboy.ingest.runs import Progress
from paperboy.papers.models import Paper

MAX_UNANSWERED = 3


def refresh_stars(
    client: GithubClient,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    heartbeat=lambda: None,
) -> ImportResult:
    """Counts are per paper: updated (stars changed), unchanged, failed."""
    progress = progress or Progress()
    papers_of: dict[str, list[int]] = {}
    for pk, url in Paper.objects.exclude(github_repo="").values_list("pk", "github_repo"):
        name = repo_name(url)
        if name:
            papers_of.setdefault(name, []).append(pk)
    GithubRepo.objects.bulk_create(
        [GithubRepo(name=n) for n in papers_of], ignore_conflicts=True, batch_size=500
    )
    repos = _all_repos(papers_of)
    if limit is not None:
        repos = repos[:limit]
    result = ImportResult()
    progress.start("GitHub stars", total=len(repos))
    unanswered = 0
    for n, repo in enumerate(repos):
        pks = papers_of[repo.name]
        part = ImportResult()
        try:
            answer = client.repo(repo.name, etag=repo.etag)
        except RateLimited as e:
            _fail_rest(result, repos[n:], papers_of, str(e))
            progress.note(str(e))
            break
        except GithubError as e:
            for _ in pks:
                part.fail(repo.name, str(e))
            result.add(part)
            progress.advance(part)
            unanswered = unanswered + 1 if isinstance(e, GithubUnavailable) else 0
            if unanswered >= MAX_UNANSWERED and n + 1 < len(repos):
                why = f"not asked: GitHub did not answer for {unanswered} repositories in a row"
                _fail_rest(result, repos[n + 1 :], papers_of, why)
                progress.note(why)
                break
            continue
        unanswered = 0
        now = timezone.now()
        try:
            with transaction.atomic():
                repo.checked_at = now
                if answer.status == "missing":
                    repo.missing = True
                    part.unchanged += len(pks)
                elif answer.status == "not_modified" and repo.stars is not None:
                    part.updated, part.unchanged = _apply(pks, repo.stars, now)
                elif answer.stars is not None:
                    repo.stars, repo.etag, repo.missing = answer.stars, answer.etag[:200], False
                    part.updated, part.unchanged = _apply(pks, answer.stars, now)
                else:  # a 304 for a repository we hold no count for: forget the ETag
                    repo.etag = ""
                    part.unchanged += len(pks)
                repo.save()
        except RecordError as e:  # a count the catalog refuses: nothing of it was written
            part = ImportResult()
            for _ in pks:
                part.fail(repo.name, str(e))
        result.add(part)
        progress.advance(part)
        heartbeat()
    return result


def _fail_rest(
    result: ImportResult, repos: list[GithubRepo], papers_of: dict[str, list[int]], why: str
) -> None:
    for repo in repos:
        for _ in papers_of[repo.name]:
            result.fail(repo.name, why)


def _all_repos(papers_of: dict[str, list[int]]) -> list[GithubRepo]:
    wanted = set(papers_of)
    return [
        r
        for r in GithubRepo.objects.order_by(
            F("checked_at").asc(nulls_first=True), "name"
        ).iterator()
        if r.name in wanted
    ]


def _apply(pks: list[int], stars: int, now) -> tuple[int, int]:
    """Store ``stars`` on these papers (and in their history); returns (changed, unchanged)
    paper counts."""
    changed = import_extras(pks, github_stars=stars, at=now)
    on_list = DailyEntry.objects.filter(paper_id__in=changed).values_list("paper_id", flat=True)
    for pk in on_list:
        list(Paper.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))
        votes.refresh_counters(pk)
    return len(changed), len(pks) - len(changed)
