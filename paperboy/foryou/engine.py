"""For you's one door: what to recommend to a member, why, and "not interested".

Public interface (used by the page, the feeds, the API and the digests):

- ``recommend(user, *, limit=20, since=None, window_days=None, unseen_first=True)`` ->
  ``list[Recommendation]``: the best visible papers announced in the window (``since``, or the
  last ``window_days`` days, default ``settings.PAPERBOY_FOR_YOU_WINDOW_DAYS`` = 14), each with
  its ``score`` and ``reasons``. Never a dismissed paper, nor one the member already upvoted,
  saved or wrote. With ``unseen_first``, papers the seen ledger does not hold come first.
  With no signal at all: the window's trending papers (in the member's chosen categories when
  they picked some), each with a ``trending`` reason that says so.
- ``recommend_many(users, *, limit, since=None, window_days=None, exclude=None)`` -> ``{user
  id: list[Recommendation]}``: the same for a batch (the digests): the window loaded once,
  ``BATCH`` members' signals read with one query per kind and scored with one matrix product
  (``recommend`` is this path for a batch of one, so both give the same results).
- ``Recommendation(paper, score, reasons, seen)``; ``Reason(kind, text, paper=None, url=None)``
  with ``kind`` one of ``similar`` (closest to a paper of theirs, linked), ``author``,
  ``organization``, ``category`` (a followed author, lab or category) or ``trending``.
- ``dismiss(user, paper)`` / ``undismiss(user, paper)``: "not interested" and its undo. The
  paper is a ``Paper`` or an id. Errors are ``ForYouError`` subclasses carrying an HTTP
  ``status``: ``PaperNotFound`` (404: no such visible paper), ``AlreadyDismissed`` (409),
  ``NotDismissed`` (404). A failed call changes nothing.
- ``mark_seen(user, papers, via)``: add papers (or ids) to the seen ledger (``"page"`` or
  ``"digest"``); returns how many were new. ``seen_ids(user, via=None)``.
- ``reset(user)``: the model forgets every implicit signal given so far (upvotes, saves,
  collections, dismissals as negatives) and "show fewer like this"; the library, the upvotes
  themselves, follows, claims and chosen categories stay, and dismissed papers stay away.
- ``has_signals(user)``: whether the member has anything to learn from (else: trending).

Models are trained in ``tasks.train_member`` (``learning.py``), never here: a request only
reads the member's stored model and scores the window's papers (their vectors, word rows and
categories cached per process, see ``window_papers``; each paper's words are hashed once per
process, ``word_counts_of``). A member without a stored model yet is scored by the centroid of
their positives' vectors, read at request time (at most ``ANCHORS`` of them).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from scipy import sparse

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.foryou import keyphrases, learning, signals
from paperboy.foryou.models import (
    CategoryInterest,
    Dismissal,
    MemberModel,
    SeenPaper,
    TopicMute,
)
from paperboy.library.models import CollectionItem, SavedPaper
from paperboy.papers.models import Author, Organization, Paper, PaperAuthor
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id

# A muted author's or lab's key is their id; anything else stored there is ignored.
_WHOLE = re.compile(r"[0-9]{1,18}")

ANCHORS = 300  # the member's most recent positives kept for explanations and the fallback
# Scores are in standard deviations over the window (learning.score).
FOLLOW_BOOST = 1.5  # added to the score of a paper by a followed author or organization
CATEGORY_BOOST = 0.5  # … of a chosen category
MUTE_PENALTY = 1.5  # subtracted per muted topic a paper matches ("show fewer like this")
SIMILAR_MIN = 0.3  # a paper of theirs named as the reason must be at least this close (cosine)
WINDOW_CACHE_SECONDS = 60.0


class ForYouError(Exception):
    """A request For you refuses; ``status`` is the HTTP status that says so."""

    status = 400


class PaperNotFound(ForYouError):
    status = 404


class AlreadyDismissed(ForYouError):
    status = 409


class NotDismissed(ForYouError):
    status = 404


@dataclass(frozen=True)
class Reason:
    kind: str  # "similar" | "author" | "organization" | "category" | "trending"
    text: str
    paper: Paper | None = None
    url: str | None = None


@dataclass
class Recommendation:
    paper: Paper
    score: float
    reasons: list[Reason] = field(default_factory=list)
    seen: bool = False


# --- signals ---------------------------------------------------------------------------------


def _member_id(user) -> int:
    return user if isinstance(user, int) else user.pk


def reset_at(user) -> datetime | None:
    return (
        MemberModel.objects.filter(member_id=_member_id(user))
        .values_list("reset_at", flat=True)
        .first()
    )


def _dated_positives(member: int, since: datetime | None, limit: int | None) -> list[tuple]:
    """(paper id, when) of each kind of positive, at most ``limit`` of each, newest first.
    Upvotes, saves and collected papers (the member's own collections) count from the last
    reset on; claims always (they say who the member is)."""
    upvotes = Upvote.objects.filter(user_id=member)
    saves = SavedPaper.objects.filter(member_id=member)
    items = CollectionItem.objects.filter(collection__member_id=member)
    if since:
        upvotes = upvotes.filter(created_at__gt=since)
        saves = saves.filter(saved_at__gt=since)
        items = items.filter(added_at__gt=since)
    claims = AuthorClaim.objects.approved().filter(user_id=member)
    dated: list[tuple] = []
    for rows, when in (
        (upvotes, "created_at"),
        (saves, "saved_at"),
        (items, "added_at"),
        (claims, "created_at"),
    ):
        dated += list(rows.order_by(f"-{when}").values_list("paper_id", when)[:limit])
    return dated


def positive_ids(user, *, limit: int | None = None) -> list[int]:
    """The member's positives, most recent first (see ``_dated_positives``)."""
    member = _member_id(user)
    dated = _dated_positives(member, reset_at(member), limit)
    dated.sort(key=lambda row: row[1], reverse=True)
    seen: set[int] = set()
    out = [pk for pk, _ in dated if not (pk in seen or seen.add(pk))]
    return out[:limit] if limit else out


def latest_signal_at(user) -> datetime | None:
    """When the newest positive was given (a stored model older than this is stale)."""
    member = _member_id(user)
    dated = _dated_positives(member, reset_at(member), 1)
    return max((when for _, when in dated), default=None)


def negative_ids(user, *, limit: int | None = None) -> list[int]:
    """Papers the member dismissed (after a reset), most recent first."""
    member = _member_id(user)
    since = reset_at(member)
    rows = Dismissal.objects.filter(member_id=member)
    if since:
        rows = rows.filter(created_at__gt=since)
    return list(rows.order_by("-created_at").values_list("paper_id", flat=True)[:limit])


def excluded_ids(user) -> set[int]:
    """Never recommended: dismissed (even before a reset), upvoted, saved, claimed."""
    member = _member_id(user)
    out = set(Dismissal.objects.filter(member_id=member).values_list("paper_id", flat=True))
    out |= set(Upvote.objects.filter(user_id=member).values_list("paper_id", flat=True))
    out |= set(SavedPaper.objects.filter(member_id=member).values_list("paper_id", flat=True))
    out |= set(AuthorClaim.objects.filter(user_id=member).values_list("paper_id", flat=True))
    return out


def has_signals(user) -> bool:
    member = _member_id(user)
    return bool(
        positive_ids(member, limit=1)
        or Follow.objects.filter(user_id=member).exists()
        or CategoryInterest.objects.filter(member_id=member).exists()
    )


# --- the window's papers ---------------------------------------------------------------------


@dataclass
class Window:
    start: date
    ids: np.ndarray  # papers in the window with a vector, newest first
    matrix: np.ndarray  # their unit vectors (float32)
    model_id: str
    categories: list[frozenset[str]] = field(default_factory=list)  # per paper, in order
    authors: list[frozenset[int]] = field(default_factory=list)  # per paper, in order
    # Per paper: its organizations (own and listed) and primary category, for follows and mutes.
    listing: dict[int, tuple[frozenset[int], str]] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)  # paper id -> row
    category_table: learning.Incidence | None = None  # ``categories`` for overlap_prior
    author_table: learning.Incidence | None = None  # ``authors`` for overlap_prior
    by_author: dict[int, list[int]] = field(default_factory=dict)  # author -> rows
    # What the model reads of them besides vectors (``learning.paper_rows``: tf-idf words and
    # categories), and the window's idf their words are weighed by.
    words: sparse.csr_matrix | None = None
    idf: np.ndarray | None = None


_lock = threading.Lock()
_windows: dict[tuple, tuple[float, Window]] = {}


def window_start(since: date | None, window_days: int | None) -> date:
    if since is not None:
        return since
    days = window_days or settings.PAPERBOY_FOR_YOU_WINDOW_DAYS
    return timezone.localdate() - timedelta(days=days)


def window_papers(start: date) -> Window:
    """The vectors of the visible papers published since ``start``, cached for a minute per
    process and reloaded at once when the vectors change (``vectors.state_version``)."""
    model_id = configured_model_id()
    key = (start, model_id, vectors.state_version())
    now = time.monotonic()
    cached = _windows.get(key)
    if cached and now - cached[0] < WINDOW_CACHE_SECONDS:
        return cached[1]
    ids = list(
        Paper.objects.visible()
        .filter(published_at__date__gte=start)
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)
    )
    found = vectors.vectors_for(ids, model_id) if model_id and ids else {}
    kept = [pk for pk in ids if pk in found]
    matrix = (
        learning.unit_rows(np.stack([found[pk] for pk in kept]).astype(np.float32))
        if kept
        else np.zeros((0, 0), dtype=np.float32)
    )
    categories, authors = _categories_of(kept), _authors_of(kept)
    by_author: dict[int, list[int]] = {}
    for i, written in enumerate(authors):
        for author in written:
            by_author.setdefault(author, []).append(i)
    idf = words = None
    if kept:
        counts = word_counts_of(kept)
        idf = learning.word_idf(counts)
        words = learning.paper_rows(counts, idf, categories)
    window = Window(
        start,
        np.array(kept, dtype=np.int64),
        matrix,
        model_id,
        categories,
        authors,
        _listing_of(kept),
        {pk: i for i, pk in enumerate(kept)},
        learning.incidence(categories),
        learning.incidence(authors),
        by_author,
        words,
        idf,
    )
    with _lock:
        _windows.clear()  # one window per process is what the pages use
        _windows[key] = (now, window)
    return window


def _categories_of(paper_ids: list[int]) -> list[frozenset[str]]:
    codes: dict[int, set[str]] = {}
    through = Paper.categories.through.objects
    for pk, code in through.filter(paper_id__in=paper_ids).values_list("paper_id", "category_id"):
        codes.setdefault(pk, set()).add(code)
    return [frozenset(codes.get(pk, ())) for pk in paper_ids]


def _listing_of(paper_ids: list[int]) -> dict[int, tuple[frozenset[int], str]]:
    orgs: dict[int, set[int]] = {}
    category: dict[int, str] = {}
    rows = Paper.objects.filter(pk__in=paper_ids).values_list(
        "pk", "organization_id", "primary_category", "daily__organization_id"
    )
    for pk, org, primary, listed_org in rows:
        orgs.setdefault(pk, set()).update({org, listed_org} - {None})
        category[pk] = primary
    return {pk: (frozenset(orgs[pk]), category[pk]) for pk in category}


def _authors_of(paper_ids: list[int]) -> list[frozenset[int]]:
    found: dict[int, set[int]] = {}
    for pk, author in PaperAuthor.objects.filter(paper_id__in=paper_ids).values_list(
        "paper_id", "author_id"
    ):
        found.setdefault(pk, set()).add(author)
    return [frozenset(found.get(pk, ())) for pk in paper_ids]


def forget_windows() -> None:
    """Drop the cached windows and papers' word counts (tests)."""
    _windows.clear()
    _word_counts.clear()


# Per paper: its ``learning.word_counts`` row (columns, counts). Computed once per paper and
# process (~0.1 ms a paper); a later edit of a title or abstract is read after a restart.
_word_counts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
WORD_CACHE = 100_000  # papers; past it the cache starts again


def word_counts_of(paper_ids: list[int]) -> sparse.csr_matrix:
    """The papers' word counts, one row per id in order (a missing paper: an empty row)."""
    missing = [pk for pk in dict.fromkeys(paper_ids) if pk not in _word_counts]
    if len(_word_counts) + len(missing) > WORD_CACHE:
        _word_counts.clear()
        missing = list(dict.fromkeys(paper_ids))
    if missing:
        texts = Paper.objects.filter(pk__in=missing).values_list("pk", "title", "abstract")
        found = {pk: learning.paper_text(title, abstract) for pk, title, abstract in texts}
        counts = learning.word_counts(found.get(pk, "") for pk in missing)
        for i, pk in enumerate(missing):
            span = slice(counts.indptr[i], counts.indptr[i + 1])
            _word_counts[pk] = (counts.indices[span], counts.data[span])
    rows = [_word_counts.get(pk) or _NO_WORDS for pk in paper_ids]
    lengths = np.fromiter((len(columns) for columns, _ in rows), dtype=np.int64, count=len(rows))
    pointer = np.concatenate([[0], np.cumsum(lengths)])
    columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, np.int32)
    values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, np.float32)
    return sparse.csr_matrix(
        (values, columns, pointer), shape=(len(paper_ids), learning.WORD_SPACE)
    )


_NO_WORDS = (np.zeros(0, np.int32), np.zeros(0, np.float32))


def paper_rows_of(paper_ids: list[int], window: Window) -> sparse.csr_matrix:
    """``learning.paper_rows`` of any papers (a member's, inside the window or not), their
    words weighed by the window's idf."""
    inside = {pk: window.categories[window.index[pk]] for pk in paper_ids if pk in window.index}
    outside = [pk for pk in paper_ids if pk not in inside]
    inside.update(zip(outside, _categories_of(outside), strict=True))
    categories = [inside[pk] for pk in paper_ids]
    return learning.paper_rows(word_counts_of(paper_ids), window.idf, categories)


# --- recommending ----------------------------------------------------------------------------

BATCH = 500  # members gathered and scored together by ``recommend_many``


@dataclass
class _Profile:
    """What a request reads of a member's model: the stored scorer, their papers and their
    dismissed papers (vectors), nothing trained here."""

    learnt: learning.Learnt | None
    anchor_ids: list[int]
    dismissed: np.ndarray | None


@dataclass
class _Follows:
    authors: set[int]
    orgs: set[int]
    categories: set[str]
    muted: dict[str, set[str]]


@dataclass
class _Member:
    """One member's signals, read for a whole batch at once (``_gather``)."""

    stored: MemberModel | None = None
    anchors: list[int] = field(default_factory=list)  # newest positives (``ANCHORS``)
    latest: datetime | None = None  # the newest positive's time
    dismissed: list[int] = field(default_factory=list)  # newest dismissals after a reset
    excluded: set[int] = field(default_factory=set)
    follows: _Follows = field(default_factory=lambda: _Follows(set(), set(), set(), {}))
    seen: set[int] = field(default_factory=set)


def _newest(rows: list[tuple], since: datetime | None, limit: int) -> list[tuple]:
    """(paper, when) of ``rows`` = [(paper, when, row pk)] after ``since``, newest first."""
    if since:
        rows = [row for row in rows if row[1] > since]
    rows.sort(key=lambda row: (row[1], row[2]), reverse=True)
    return [(paper, when) for paper, when, _ in rows[:limit]]


def _gather(members: list[int]) -> dict[int, _Member]:
    """Every member's signals, follows and seen ledger with one query per kind (not per
    member): the positives are those of ``_dated_positives``, ties broken by the newest row."""
    out = {member: _Member() for member in members}
    for stored in MemberModel.objects.filter(member_id__in=members):
        out[stored.member_id].stored = stored
    kinds: dict[int, list[list[tuple]]] = {member: [[], [], [], []] for member in members}
    queries = (
        (Upvote.objects.filter(user_id__in=members), "user_id", "created_at"),
        (SavedPaper.objects.filter(member_id__in=members), "member_id", "saved_at"),
        (
            CollectionItem.objects.filter(collection__member_id__in=members),
            "collection__member_id",
            "added_at",
        ),
    )
    for kind, (rows, who, when) in enumerate(queries):
        for member, paper, at, pk in rows.values_list(who, "paper_id", when, "pk"):
            kinds[member][kind].append((paper, at, pk))
            if kind < 2:  # upvoted and saved papers are never recommended
                out[member].excluded.add(paper)
    approved = AuthorClaim.Status.APPROVED
    for member, paper, at, pk, status in AuthorClaim.objects.filter(
        user_id__in=members
    ).values_list("user_id", "paper_id", "created_at", "pk", "status"):
        out[member].excluded.add(paper)
        if status == approved:
            kinds[member][3].append((paper, at, pk))
    dismissals: dict[int, list[tuple]] = {member: [] for member in members}
    for member, paper, at, pk in Dismissal.objects.filter(member_id__in=members).values_list(
        "member_id", "paper_id", "created_at", "pk"
    ):
        dismissals[member].append((paper, at, pk))
        out[member].excluded.add(paper)
    for member, author, org in Follow.objects.filter(user_id__in=members).values_list(
        "user_id", "author_id", "organization_id"
    ):
        follows = out[member].follows
        (follows.authors.add(author) if author else follows.orgs.add(org))
    for member, category in CategoryInterest.objects.filter(member_id__in=members).values_list(
        "member_id", "category"
    ):
        out[member].follows.categories.add(category)
    for member, kind, key in TopicMute.objects.filter(member_id__in=members).values_list(
        "member_id", "kind", "key"
    ):
        out[member].follows.muted.setdefault(kind, set()).add(key)
    for member, paper in SeenPaper.objects.filter(member_id__in=members).values_list(
        "member_id", "paper_id"
    ):
        out[member].seen.add(paper)
    for member, one in out.items():
        since = one.stored.reset_at if one.stored else None
        ups, saves, items, claims = kinds[member]
        dated = (
            _newest(ups, since, ANCHORS)
            + _newest(saves, since, ANCHORS)
            + _newest(items, since, ANCHORS)
            + _newest(claims, None, ANCHORS)
        )
        dated.sort(key=lambda row: row[1], reverse=True)
        once: set[int] = set()
        one.anchors = [pk for pk, _ in dated if not (pk in once or once.add(pk))][:ANCHORS]
        one.latest = dated[0][1] if dated else None
        one.dismissed = [pk for pk, _ in _newest(dismissals[member], since, ANCHORS)]
    return out


def _profiles(gathered: dict[int, _Member], model_id: str) -> dict[int, _Profile]:
    """Each member's ``_Profile``, their papers' vectors read in one query."""
    wanted = {pk for one in gathered.values() for pk in one.anchors + one.dismissed}
    found = vectors.vectors_for(list(wanted), model_id) if model_id and wanted else {}
    out: dict[int, _Profile] = {}
    for member, one in gathered.items():
        anchor_ids = [pk for pk in one.anchors if pk in found]
        anchor_rows = (
            learning.unit_rows(np.stack([found[pk] for pk in anchor_ids])) if anchor_ids else None
        )
        dismissed_rows = [found[pk] for pk in one.dismissed if pk in found]
        negatives = learning.unit_rows(np.stack(dismissed_rows)) if dismissed_rows else None
        if anchor_rows is None:
            out[member] = _Profile(None, [], negatives)
            continue
        stored = one.stored
        weights = stored.weight_vector() if stored and stored.model_id == model_id else None
        if weights is not None and stored.n_positives:
            word_index, word_weights = stored.word_arrays()
            learnt = learning.Learnt(
                weights,
                stored.bias,
                stored.centroid_vector(),
                anchor_rows,
                negatives,
                word_index,
                word_weights,
            )
        else:
            # Not trained yet (the task follows within a second): the positives' centroid.
            centroid = learning.unit(anchor_rows.mean(axis=0)).astype(np.float32)
            learnt = learning.Learnt(centroid, 0.0, centroid, anchor_rows, negatives)
        if stored is None or (
            stored.signals_at and (one.latest or stored.signals_at) > stored.signals_at
        ):
            # A signal no receiver saw (a library import writes in bulk): retrain in the task.
            signals.schedule(member)
        out[member] = _Profile(learnt, anchor_ids, negatives)
    return out


def recommend(
    user,
    *,
    limit: int = 20,
    since: date | None = None,
    window_days: int | None = None,
    unseen_first: bool = True,
    exclude: Iterable[int] = (),
) -> list[Recommendation]:
    """See the module docstring; ``exclude``: more papers to leave out (a digest's). The
    same code as ``recommend_many``, for a batch of one."""
    member = _member_id(user)
    if limit <= 0:
        return []
    window = window_papers(window_start(since, window_days))
    return _recommend_batch([member], window, limit, {member: set(exclude)}, unseen_first)[member]


def recommend_many(
    users: Iterable,
    *,
    limit: int,
    since: date | None = None,
    window_days: int | None = None,
    exclude: dict[int, set[int]] | None = None,
) -> dict[int, list[Recommendation]]:
    """``recommend`` for each member, ``BATCH`` members at a time: the window loaded once, each
    batch's signals read with a constant number of queries and scored with one matrix product;
    the results are those of ``recommend`` (its batch of one)."""
    members = list(dict.fromkeys(_member_id(user) for user in users))
    if limit <= 0:
        return {member: [] for member in members}
    window = window_papers(window_start(since, window_days))
    out: dict[int, list[Recommendation]] = {}
    for i in range(0, len(members), BATCH):
        out.update(_recommend_batch(members[i : i + BATCH], window, limit, exclude or {}, True))
    return out


def _recommend_batch(
    members: list[int], window: Window, limit: int, exclude: dict, unseen_first: bool
) -> dict[int, list[Recommendation]]:
    gathered = _gather(members)
    if len(window.ids):
        profiles = _profiles(gathered, window.model_id)
    else:
        profiles = {member: _Profile(None, [], None) for member in members}
    out: dict[int, list[Recommendation]] = {}
    scored: list[int] = []
    for member in members:
        one, profile = gathered[member], profiles[member]
        one.excluded |= set(exclude.get(member, ()))
        if profile.learnt is None and not (one.follows.authors or one.follows.orgs):
            out[member] = _trending(
                member, limit, window.start, one.excluded, one.follows, one.seen, unseen_first
            )
        else:
            scored.append(member)
    learnt = [m for m in scored if profiles[m].learnt is not None]
    linear = None
    if learnt and len(window.ids):
        models = [profiles[m].learnt for m in learnt]
        linear = window.matrix @ np.stack([model.weights for model in models]).T
        if window.words is not None and any(m.word_index is not None for m in models):
            # The word part: one sparse product of the window's tf-idf rows by the weights.
            linear = linear + (window.words @ learning.word_weight_matrix(models)).toarray()
    column = {m: j for j, m in enumerate(learnt)}
    anchor_categories, anchor_authors = _anchor_keys(window, profiles, scored)
    picks: dict[int, tuple[list[int], dict[int, float], dict]] = {}
    for member in scored:
        one, profile = gathered[member], profiles[member]
        base = None
        if member in column and linear is not None:
            base = linear[:, column[member]] + profile.learnt.bias
        matches = _matches(window, one.follows)
        scores = _scores(
            window, profile, base, anchor_categories, anchor_authors, matches, one.excluded
        )
        wanted = limit + len(one.seen) if unseen_first else limit
        picked: list[int] = []
        for i in _top(scores, wanted):
            if not np.isfinite(scores[i]):
                break
            picked.append(int(window.ids[i]))
        if unseen_first:
            picked = [pk for pk in picked if pk not in one.seen] + [
                pk for pk in picked if pk in one.seen
            ]
        picked = picked[:limit]
        picks[member] = (picked, {pk: float(scores[window.index[pk]]) for pk in picked}, matches)
    out.update(_explain_many(picks, gathered, profiles, window, anchor_authors))
    return {member: out[member] for member in members}


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` rows of ``np.argsort(-scores, kind="stable")`` (ties: the earlier row
    first) without sorting the whole window."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    cut = np.partition(-scores, k - 1)[k - 1]  # the k-th highest score, negated
    rows = np.flatnonzero(-scores <= cut)  # every row at least as high, in row order
    return rows[np.argsort(-scores[rows], kind="stable")][:k]


def _anchor_keys(
    window: Window, profiles: dict[int, _Profile], members: list[int]
) -> tuple[dict, dict]:
    """Categories and authors of the members' papers: the window's when it holds them, the
    others read once for the batch."""
    ids = {pk for m in members for pk in profiles[m].anchor_ids}
    inside = [pk for pk in ids if pk in window.index]
    outside = sorted(ids - set(inside))
    categories = {pk: window.categories[window.index[pk]] for pk in inside}
    authors = {pk: window.authors[window.index[pk]] for pk in inside}
    categories.update(zip(outside, _categories_of(outside), strict=True))
    authors.update(zip(outside, _authors_of(outside), strict=True))
    return categories, authors


def _scores(
    window: Window,
    profile: _Profile,
    linear: np.ndarray | None,
    anchor_categories: dict,
    anchor_authors: dict,
    matches: dict,
    excluded: set[int],
):
    """The member's model's scores (standardised: in standard deviations over the window),
    dismissed papers' neighbours pushed down, follows up, mutes down, excluded papers out.
    ``linear``: the model's linear part over the window (the batch's matrix product)."""
    n = len(window.ids)
    if profile.learnt is not None and n and linear is not None:
        prior = authors = None
        if learning.DEFAULT.category_weight > 0:
            mine = [anchor_categories[pk] for pk in profile.anchor_ids]
            prior = learning.overlap_prior(window.category_table, mine)
        if learning.DEFAULT.author_weight > 0:
            mine = [anchor_authors[pk] for pk in profile.anchor_ids]
            authors = learning.overlap_prior(window.author_table, mine)
        close = learning.closeness_part(profile.learnt, window.matrix, learning.DEFAULT)
        scores = learning.blend(linear, close, prior, learning.DEFAULT, authors=authors)
        scores = np.asarray(scores, dtype=np.float64)
    else:
        scores = np.zeros(n, dtype=np.float64)
    if n and profile.dismissed is not None:
        scores -= learning.dismiss_penalty(window.matrix, profile.dismissed)
    for pk, (boost, _) in matches.items():
        scores[window.index[pk]] += boost
    for pk in excluded:
        if pk in window.index:
            scores[window.index[pk]] = -np.inf
    return scores


def _matches(window: Window, follows: _Follows) -> dict[int, tuple[float, list[tuple]]]:
    """Per window paper matching a follow or a mute: (score change, [(kind, key)] of follows),
    from the window's own listing (no query)."""
    out: dict[int, tuple[float, list[tuple]]] = {}

    def add(pk: int, delta: float, match: tuple | None = None) -> None:
        total, matched = out.get(pk, (0.0, []))
        out[pk] = (total + delta, matched + ([match] if match else []))

    muted_authors = {int(k) for k in follows.muted.get("author", ()) if _WHOLE.fullmatch(k)}
    muted_orgs = {int(k) for k in follows.muted.get("organization", ()) if _WHOLE.fullmatch(k)}
    muted_categories = follows.muted.get("category", set())
    for author in sorted(follows.authors | muted_authors):
        for i in window.by_author.get(author, ()):
            pk = int(window.ids[i])
            if author in follows.authors:
                add(pk, FOLLOW_BOOST, ("author", author))
            if author in muted_authors:
                add(pk, -MUTE_PENALTY)
    if follows.orgs or muted_orgs or follows.categories or muted_categories:
        for pk, (orgs, category) in window.listing.items():
            for o in sorted(orgs):
                if o in follows.orgs:
                    add(pk, FOLLOW_BOOST, ("organization", o))
                if o in muted_orgs:
                    add(pk, -MUTE_PENALTY)
            if category in follows.categories:
                add(pk, CATEGORY_BOOST, ("category", category))
            if category in muted_categories:
                add(pk, -MUTE_PENALTY)
    return out


def _trending(member, limit, start, excluded, follows: _Follows, seen, unseen_first) -> list:
    entries = DailyEntry.objects.trending().filter(paper__published_at__date__gte=start)
    if follows.categories:
        entries = entries.filter(paper__primary_category__in=follows.categories)
    picked: list[int] = []
    for pk in entries.values_list("paper_id", flat=True)[: limit + len(excluded) + len(seen)]:
        if pk not in excluded:
            picked.append(pk)
    if unseen_first:
        picked = [pk for pk in picked if pk not in seen] + [pk for pk in picked if pk in seen]
    picked = picked[:limit]
    papers = Paper.objects.visible().for_cards().in_bulk(picked)
    where = " in " + ", ".join(sorted(follows.categories)) if follows.categories else ""
    text = f"Trending{where}: no signals to learn from yet"
    return [
        Recommendation(papers[pk], 0.0, [Reason("trending", text)], pk in seen)
        for pk in picked
        if pk in papers
    ]


def _explain_many(picks, gathered, profiles, window: Window, anchor_authors: dict) -> dict:
    """The batch's recommendations with their reasons: papers, names and links read once."""
    papers = (
        Paper.objects.visible()
        .for_cards()
        .in_bulk({pk for picked, _, _ in picks.values() for pk in picked})
    )
    closest: dict[int, dict[int, list[int]]] = {}
    shared: dict[int, dict[int, int]] = {}
    for member, (picked, _, _) in picks.items():
        profile, follows = profiles[member], gathered[member].follows
        closest[member] = mine = {}
        anchors = profile.learnt.anchors if profile.learnt is not None else None
        if anchors is not None and picked:
            sims = window.matrix[[window.index[pk] for pk in picked]] @ anchors.T
            for pk, row in zip(picked, sims, strict=True):
                best = np.argsort(-row, kind="stable")[:2]
                # the second only when it is nearly as close as the first
                mine[pk] = [
                    profile.anchor_ids[j]
                    for n, j in enumerate(best)
                    if row[j] >= SIMILAR_MIN and (n == 0 or row[j] >= row[best[0]] - 0.05)
                ]
        # Authors of the member's own papers (upvoted, saved, written) who wrote this one too.
        known = set().union(*(anchor_authors[pk] for pk in profile.anchor_ids)) - follows.authors
        shared[member] = {}
        for pk in picked:
            common = window.authors[window.index[pk]] & known
            if common:
                shared[member][pk] = min(common)
    anchor_papers = Paper.objects.in_bulk(
        {a for mine in closest.values() for ids in mine.values() for a in ids}
    )
    names = _follow_names(_all_matches(picks))
    author_names = dict(
        Author.objects.filter(
            pk__in={a for mine in shared.values() for a in mine.values()}
        ).values_list("pk", "name")
    )
    out = {}
    for member, (picked, score_of, matches) in picks.items():
        seen = gathered[member].seen
        out[member] = []
        for pk in picked:
            if pk not in papers:
                continue
            reasons = []
            for kind, key in (matches.get(pk) or (0.0, []))[1]:
                reasons.append(_follow_reason(kind, key, names))
            for anchor in closest[member].get(pk, []):
                if anchor in anchor_papers:
                    other = anchor_papers[anchor]
                    # Keyphrases come with both rows already read: no query per card.
                    both = keyphrases.both_on(
                        keyphrases.shared(papers[pk].ai_keywords, other.ai_keywords)
                    )
                    text = f"Like “{other.title}”{both}"
                    reasons.append(Reason("similar", text, other, other.get_absolute_url()))
            author = shared[member].get(pk)
            if author in author_names:
                url = reverse("feed:author", args=[author])
                text = f"By {author_names[author]}, an author of papers you liked"
                reasons.append(Reason("author", text, None, url))
            out[member].append(
                Recommendation(papers[pk], score_of.get(pk, 0.0), reasons[:3], pk in seen)
            )
    return out


def _all_matches(picks) -> dict:
    """The follows matched by any picked paper of the batch (for ``_follow_names``)."""
    out: dict = {}
    for picked, _, matches in picks.values():
        for pk in picked:
            if pk in matches:
                out[(len(out), pk)] = matches[pk]
    return out


def _follow_names(matches) -> dict[tuple, tuple[str, str | None]]:
    wanted = {m for _, matched in matches.values() for m in matched}
    authors = Author.objects.in_bulk([k for kind, k in wanted if kind == "author"])
    orgs = Organization.objects.in_bulk([k for kind, k in wanted if kind == "organization"])
    names: dict[tuple, tuple[str, str | None]] = {}
    for kind, key in wanted:
        if kind == "author" and key in authors:
            names[(kind, key)] = (authors[key].name, reverse("feed:author", args=[key]))
        elif kind == "organization" and key in orgs:
            org = orgs[key]
            names[(kind, key)] = (org.name, org.get_absolute_url())
        elif kind == "category":
            names[(kind, key)] = (key, None)
    return names


def _follow_reason(kind: str, key, names) -> Reason:
    name, url = names.get((kind, key), (str(key), None))
    text = {
        "author": f"By {name}, whom you follow",
        "organization": f"From {name}, which you follow",
        "category": f"In {name}, a category you follow",
    }[kind]
    return Reason(kind, text, None, url)


# --- not interested, seen, reset -------------------------------------------------------------


def _visible_paper_id(paper) -> int:
    pk = paper.pk if isinstance(paper, Paper) else paper
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise PaperNotFound("no such paper") from None
    if not Paper.objects.visible().filter(pk=pk).exists():
        raise PaperNotFound("no such paper")
    return pk


def dismiss(user, paper) -> Dismissal:
    """ "Not interested": the paper never returns (see the module docstring for errors)."""
    pk = _visible_paper_id(paper)
    try:
        with transaction.atomic():
            return Dismissal.objects.create(member_id=_member_id(user), paper_id=pk)
    except IntegrityError:
        raise AlreadyDismissed("this paper is already dismissed") from None


def undismiss(user, paper) -> None:
    pk = paper.pk if isinstance(paper, Paper) else paper
    deleted, _ = Dismissal.objects.filter(member_id=_member_id(user), paper_id=pk).delete()
    if not deleted:
        raise NotDismissed("this paper is not dismissed")


def mark_seen(user, papers: Iterable, via: str) -> int:
    if via not in SeenPaper.Via.values:
        raise ValueError(f"via must be one of {SeenPaper.Via.values}")
    member = _member_id(user)
    ids = {p.pk if isinstance(p, Paper) else int(p) for p in papers}
    if not ids:
        return 0
    before = SeenPaper.objects.filter(member_id=member, paper_id__in=ids).count()
    SeenPaper.objects.bulk_create(
        [SeenPaper(member_id=member, paper_id=pk, via=via) for pk in ids], ignore_conflicts=True
    )
    return SeenPaper.objects.filter(member_id=member, paper_id__in=ids).count() - before


def seen_ids(user, *, via: str | None = None) -> set[int]:
    rows = SeenPaper.objects.filter(member_id=_member_id(user))
    if via:
        rows = rows.filter(via=via)
    return set(rows.values_list("paper_id", flat=True))


def reset(user) -> None:
    """Forget the learnt model (see the module docstring); the library is never touched."""
    member = _member_id(user)
    with transaction.atomic():
        TopicMute.objects.filter(member_id=member).delete()
        MemberModel.objects.update_or_create(
            member_id=member,
            defaults={
                "weights": b"",
                "centroid": b"",
                "bias": 0.0,
                "dimension": 0,
                "n_positives": 0,
                "n_negatives": 0,
                "reset_at": timezone.now(),
            },
        )
