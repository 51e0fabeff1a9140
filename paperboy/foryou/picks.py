"""For you's stored picks: each member's recommended papers (ids, scores and reasons), computed
off the request path and kept until what they were computed from changes.

The page does not score the window per request: ``tasks.train_member`` stores the member's
picks right after each training (``refresh``), and the page reads them (``read``):

- a stored list names the state it was computed for (``state``): the member's model (its
  version and last reset) and the candidate window (its first day, the embedding model and the
  vectors' version). When the page finds the state changed, or the list older than
  ``MAX_AGE`` (trending moves, for members without a model), or a positive came that the
  model has not learnt (a library import saves without a signal), it is served as it is and
  ``tasks.refresh_picks`` recomputes it in the background (once: ``claim_refresh``);
- papers the member dismissed, upvoted, saved or claimed since, and papers hidden since, are
  left out when the list is read (a few queries over its own ids), so a signal shows at once,
  before the retraining that follows it; ``STORED`` is twice the page so the gaps are filled;
- ``refresh`` bumps the member's page stamp (``signals.page_scope``): their cached page is
  rendered anew with the new list;
- a member with no list at all (their first visit, a cache that lost it) gets a page that
  says their papers are being picked and fills itself in (htmx) once the task stored them:
  nothing scores the window on a request.

``serve`` is the one door every reader goes through: the page, ``GET /api/for_you`` and the
private For you feed. It reads the list (optionally only papers published from ``since`` on:
the list covers the window, ``PAPERBOY_FOR_YOU_WINDOW_DAYS``, so an earlier ``since`` changes
nothing and a later one filters it; at most ``STORED`` papers) and has it recomputed in the
background when it is stale or missing.

Lists live in the ``default`` cache (a directory shared by the web and task workers, or Redis),
one key per member, for ``KEEP_SECONDS``. "Show fewer like this" and the reset change the
ranking without a training: their views have ``tasks.refresh_picks`` recompute the list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache

from paperboy.accounts.models import AuthorClaim
from paperboy.feed.models import Upvote
from paperboy.foryou import engine, signals
from paperboy.foryou.models import Dismissal, MemberModel
from paperboy.lib import memberpage
from paperboy.library.models import SavedPaper
from paperboy.papers.models import Paper
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id

STORED = 60  # papers kept per member: the page shows 30, the rest fill what a signal removes
MAX_AGE = 3600.0  # seconds after which a list is recomputed in the background when read
KEEP_SECONDS = 30 * 86400  # a member away for a month has theirs computed on their return
REFRESH_CLAIM_SECONDS = 60  # one background refresh per member at a time (see claim_refresh)
_VERSION = 1  # of the stored format


@dataclass(frozen=True)
class Stored:
    """A member's picks as stored: ``items`` are ``(paper id, score, seen, reasons)`` with
    ``reasons`` as ``(kind, text, paper id or None, url or None)``."""

    state: tuple
    items: tuple
    computed_at: float


def _key(member_id: int) -> str:
    return f"foryou:picks:v{_VERSION}:{member_id}"


def state(member_id: int) -> tuple:
    """What a member's picks depend on, besides the signals ``read`` filters by: their model
    (version, last reset) and the candidate window (first day, embedding model, vectors)."""
    model = (
        MemberModel.objects.filter(member_id=member_id).values_list("version", "reset_at").first()
    )
    version, reset_at = model or (0, None)
    start = engine.window_start(None, None)
    return (
        version,
        reset_at.isoformat() if reset_at else "",
        start.isoformat(),
        configured_model_id() or "",
        vectors.state_version(),
    )


def refresh(member_id: int) -> Stored:
    """Compute and store the member's picks (``engine.recommend``, unseen first)."""
    now_state = state(member_id)
    found = engine.recommend(member_id, limit=STORED, unseen_first=True)
    items = tuple(
        (
            r.paper.pk,
            float(r.score),
            bool(r.seen),
            tuple((x.kind, x.text, x.paper.pk if x.paper else None, x.url) for x in r.reasons),
        )
        for r in found
    )
    stored = Stored(now_state, items, time.time())
    cache.set(_key(member_id), stored, KEEP_SECONDS)
    memberpage.bump(signals.page_scope(member_id))
    return stored


def forget(member_id: int) -> None:
    cache.delete(_key(member_id))


def stored(member_id: int) -> Stored | None:
    found = cache.get(_key(member_id))
    return found if isinstance(found, Stored) else None


def is_stale(picks: Stored, member_id: int) -> bool:
    """The model or the window changed, the list is old, or a positive came that no receiver
    saw (a library import saves in bulk): the model has not learnt it yet, and
    ``engine.recommend`` schedules that training when the list is recomputed."""
    if picks.state != state(member_id) or time.time() - picks.computed_at > MAX_AGE:
        return True
    learnt = MemberModel.objects.filter(member_id=member_id).values_list("signals_at", flat=True)
    learnt_at = learnt.first()
    latest = engine.latest_signal_at(member_id)
    return latest is not None and (learnt_at is None or latest > learnt_at)


def claim_refresh(member_id: int) -> bool:
    """True for the first caller in ``REFRESH_CLAIM_SECONDS``: that one enqueues the refresh."""
    return cache.add(f"{_key(member_id)}:refreshing", 1, REFRESH_CLAIM_SECONDS)


def serve(
    member_id: int, *, limit: int, since: date | None = None
) -> list[engine.Recommendation] | None:
    """What the page, the API and the feed show: ``read``, and ``tasks.refresh_picks``
    enqueued (once per ``REFRESH_CLAIM_SECONDS``) when the list is stale or missing. None:
    nothing stored yet, the task is picking them (a second or two). Nothing is scored here."""
    recommended, stale = read(member_id, limit=limit, since=since)
    if stale and claim_refresh(member_id):
        # tasks imports this module (train_member stores the picks it trains): a cycle.
        from paperboy.foryou import tasks

        tasks.refresh_picks.enqueue(member_id)
    return recommended


def read(
    member_id: int, *, limit: int, since: date | None = None
) -> tuple[list[engine.Recommendation] | None, bool]:
    """The member's stored picks as ``engine.Recommendation``s, best first, at most ``limit``,
    published from ``since`` on, without the papers a signal since removed, or None when none
    is stored yet; and whether they are stale or missing (``serve`` has them computed in the
    background). Nothing is scored here."""
    picks = stored(member_id)
    if picks is None:
        return None, True
    found = materialise(member_id, picks, limit=limit, since=since)
    return found, is_stale(picks, member_id)


def materialise(
    member_id: int, picks: Stored, *, limit: int, since: date | None = None
) -> list[engine.Recommendation]:
    ids = [item[0] for item in picks.items]
    if not ids:
        return []
    # What engine.excluded_ids leaves out, asked of these papers only.
    gone: set[int] = set()
    for rows in (
        Dismissal.objects.filter(member_id=member_id),
        Upvote.objects.filter(user_id=member_id),
        SavedPaper.objects.filter(member_id=member_id),
        AuthorClaim.objects.filter(user_id=member_id),
    ):
        gone.update(rows.filter(paper_id__in=ids).values_list("paper_id", flat=True))
    papers = Paper.objects.visible().for_cards()
    if since is not None:
        papers = papers.filter(published_at__date__gte=since)  # as engine.window_papers
    papers = papers.in_bulk([pk for pk in ids if pk not in gone])
    kept = [item for item in picks.items if item[0] in papers][:limit]
    named = {pid for item in kept for _, _, pid, _ in item[3] if pid is not None}
    # Only visible papers name a reason: a hidden one's title leaves the reasons at once too.
    others = Paper.objects.visible().only("pk", "arxiv_id", "title").in_bulk(named) if named else {}
    out = []
    for pk, score, seen, reasons in kept:
        explained = [
            engine.Reason(kind, text, others.get(pid) if pid is not None else None, url)
            for kind, text, pid, url in reasons
            if pid is None or pid in others
        ]
        out.append(engine.Recommendation(papers[pk], score, explained, seen))
    return out
