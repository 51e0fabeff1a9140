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
  id: list[Recommendation]}``: the same for a batch (the digests), the window loaded once.
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
reads the member's stored model and scores the window's papers (their vectors cached per
process, see ``window_papers``). A member without a stored model yet is scored by the centroid of
their positives' vectors, read at request time (at most ``ANCHORS`` of them).
"""

from __future__ import annotations

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

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.foryou import learning, signals
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
    window = Window(
        start,
        np.array(kept, dtype=np.int64),
        matrix,
        model_id,
        _categories_of(kept),
        _authors_of(kept),
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


def _authors_of(paper_ids: list[int]) -> list[frozenset[int]]:
    found: dict[int, set[int]] = {}
    for pk, author in PaperAuthor.objects.filter(paper_id__in=paper_ids).values_list(
        "paper_id", "author_id"
    ):
        found.setdefault(pk, set()).add(author)
    return [frozenset(found.get(pk, ())) for pk in paper_ids]


def forget_windows() -> None:
    """Drop the cached windows (tests)."""
    _windows.clear()


# --- recommending ----------------------------------------------------------------------------


@dataclass
class _Profile:
    """What a request reads of a member's model: the stored scorer, their papers and their
    dismissed papers (vectors), nothing trained here."""

    learnt: learning.Learnt | None
    anchor_ids: list[int]
    dismissed: np.ndarray | None


def _profile(member: int, model_id: str) -> _Profile:
    anchors = positive_ids(member, limit=ANCHORS)
    dismissed = negative_ids(member, limit=ANCHORS)
    found = vectors.vectors_for(anchors + dismissed, model_id) if model_id else {}
    anchor_ids = [pk for pk in anchors if pk in found]
    anchor_rows = (
        learning.unit_rows(np.stack([found[pk] for pk in anchor_ids])) if anchor_ids else None
    )
    dismissed_rows = [found[pk] for pk in dismissed if pk in found]
    negatives = learning.unit_rows(np.stack(dismissed_rows)) if dismissed_rows else None
    if anchor_rows is None:
        return _Profile(None, [], negatives)
    stored = MemberModel.objects.filter(member_id=member).first()
    weights = stored.weight_vector() if stored and stored.model_id == model_id else None
    if weights is not None and stored.n_positives:
        learnt = learning.Learnt(
            weights, stored.bias, stored.centroid_vector(), anchor_rows, negatives
        )
    else:
        # Not trained yet (the task follows within a second): the positives' centroid.
        centroid = learning.unit(anchor_rows.mean(axis=0)).astype(np.float32)
        learnt = learning.Learnt(centroid, 0.0, centroid, anchor_rows, negatives)
    if stored is None or (
        stored.signals_at and (latest_signal_at(member) or stored.signals_at) > stored.signals_at
    ):
        # A signal no receiver saw (a library import writes in bulk): retrain in the task.
        signals.schedule(member)
    return _Profile(learnt, anchor_ids, negatives)


def recommend(
    user,
    *,
    limit: int = 20,
    since: date | None = None,
    window_days: int | None = None,
    unseen_first: bool = True,
    exclude: Iterable[int] = (),
) -> list[Recommendation]:
    """See the module docstring; ``exclude``: more papers to leave out (a digest's)."""
    member = _member_id(user)
    if limit <= 0:
        return []
    window = window_papers(window_start(since, window_days))
    excluded = excluded_ids(member) | set(exclude)
    profile = _profile(member, window.model_id) if len(window.ids) else _Profile(None, [], None)
    follows = _follows(member)
    if profile.learnt is None and not (follows.authors or follows.orgs):
        return _trending(member, limit, window.start, excluded, follows, unseen_first)
    scores = _scores(window, profile, follows, excluded)
    order = np.argsort(-scores, kind="stable")
    seen = seen_ids(member)
    picked: list[int] = []
    for i in order:
        if not np.isfinite(scores[i]):
            break
        picked.append(int(window.ids[i]))
        if len(picked) >= (limit + len(seen) if unseen_first else limit):
            break
    if unseen_first:
        picked = [pk for pk in picked if pk not in seen] + [pk for pk in picked if pk in seen]
    picked = picked[:limit]
    score_of = {int(window.ids[i]): float(scores[i]) for i in order[: len(order)]}
    return _explain(picked, score_of, seen, follows, window, profile)


@dataclass
class _Follows:
    authors: set[int]
    orgs: set[int]
    categories: set[str]
    muted: dict[str, set[str]]


def _follows(member: int) -> _Follows:
    authors, orgs = set(), set()
    for author, org in Follow.objects.filter(user_id=member).values_list(
        "author_id", "organization_id"
    ):
        (authors.add(author) if author else orgs.add(org))
    categories = set(
        CategoryInterest.objects.filter(member_id=member).values_list("category", flat=True)
    )
    muted: dict[str, set[str]] = {}
    for kind, key in TopicMute.objects.filter(member_id=member).values_list("kind", "key"):
        muted.setdefault(kind, set()).add(key)
    return _Follows(authors, orgs, categories, muted)


def _scores(window: Window, profile: _Profile, follows: _Follows, excluded: set[int]):
    """The member's model's scores (standardised: in standard deviations over the window),
    dismissed papers' neighbours pushed down, follows up, mutes down, excluded papers out."""
    n = len(window.ids)
    if profile.learnt is not None and n:
        prior = authors = None
        if learning.DEFAULT.category_weight > 0:
            mine = _categories_of(profile.anchor_ids)
            prior = learning.overlap_prior(window.categories, mine)
        if learning.DEFAULT.author_weight > 0:
            authors = learning.overlap_prior(window.authors, _authors_of(profile.anchor_ids))
        scores = learning.score(profile.learnt, window.matrix, prior=prior, authors=authors).astype(
            np.float64
        )
    else:
        scores = np.zeros(n, dtype=np.float64)
    if n:
        scores -= learning.dismiss_penalty(window.matrix, profile.dismissed)
    index = {int(pk): i for i, pk in enumerate(window.ids)}
    for pk, (boost, _) in _matches(list(index), follows).items():
        scores[index[pk]] += boost
    for pk in excluded:
        if pk in index:
            scores[index[pk]] = -np.inf
    return scores


def _matches(paper_ids: list[int], follows: _Follows) -> dict[int, tuple[float, list[tuple]]]:
    """Per paper matching a follow or a mute: (score change, [(kind, key)] of follows)."""
    out: dict[int, tuple[float, list[tuple]]] = {}
    if not paper_ids:
        return out

    def add(pk: int, delta: float, match: tuple | None = None) -> None:
        total, matched = out.get(pk, (0.0, []))
        out[pk] = (total + delta, matched + ([match] if match else []))

    muted_authors = {int(k) for k in follows.muted.get("author", ()) if k.isdigit()}
    muted_orgs = {int(k) for k in follows.muted.get("organization", ()) if k.isdigit()}
    muted_categories = follows.muted.get("category", set())
    if follows.authors or muted_authors:
        for pk, author in PaperAuthor.objects.filter(
            paper_id__in=paper_ids, author_id__in=follows.authors | muted_authors
        ).values_list("paper_id", "author_id"):
            if author in follows.authors:
                add(pk, FOLLOW_BOOST, ("author", author))
            if author in muted_authors:
                add(pk, -MUTE_PENALTY)
    if follows.orgs or muted_orgs or follows.categories or muted_categories:
        rows = Paper.objects.filter(pk__in=paper_ids).values_list(
            "pk", "organization_id", "primary_category", "daily__organization_id"
        )
        for pk, org, category, listed_org in rows:
            for o in {org, listed_org} - {None}:
                if o in follows.orgs:
                    add(pk, FOLLOW_BOOST, ("organization", o))
                if o in muted_orgs:
                    add(pk, -MUTE_PENALTY)
            if category in follows.categories:
                add(pk, CATEGORY_BOOST, ("category", category))
            if category in muted_categories:
                add(pk, -MUTE_PENALTY)
    return out


def _trending(member, limit, start, excluded, follows: _Follows, unseen_first) -> list:
    entries = DailyEntry.objects.trending().filter(paper__published_at__date__gte=start)
    if follows.categories:
        entries = entries.filter(paper__primary_category__in=follows.categories)
    seen = seen_ids(member)
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


def _explain(picked, score_of, seen, follows: _Follows, window: Window, profile: _Profile):
    papers = Paper.objects.visible().for_cards().in_bulk(picked)
    closest: dict[int, list[int]] = {}
    anchors = profile.learnt.anchors if profile.learnt is not None else None
    if anchors is not None and picked:
        index = {int(pk): i for i, pk in enumerate(window.ids)}
        sims = window.matrix[[index[pk] for pk in picked]] @ anchors.T
        for pk, row in zip(picked, sims, strict=True):
            best = np.argsort(-row, kind="stable")[:2]
            # the second only when it is nearly as close as the first
            closest[pk] = [
                profile.anchor_ids[j]
                for n, j in enumerate(best)
                if row[j] >= SIMILAR_MIN and (n == 0 or row[j] >= row[best[0]] - 0.05)
            ]
    anchor_papers = Paper.objects.in_bulk({a for ids in closest.values() for a in ids})
    matches = _matches(picked, follows)
    names = _follow_names(matches)
    # Authors of the member's own papers (upvoted, saved, written) who wrote this one too.
    known = set().union(*_authors_of(profile.anchor_ids)) if profile.anchor_ids else set()
    shared: dict[int, int] = {}
    if known and picked:
        for pk, author in PaperAuthor.objects.filter(
            paper_id__in=picked, author_id__in=known - follows.authors
        ).values_list("paper_id", "author_id"):
            shared.setdefault(pk, author)
    author_names = dict(
        Author.objects.filter(pk__in=set(shared.values())).values_list("pk", "name")
    )
    out = []
    for pk in picked:
        if pk not in papers:
            continue
        reasons = []
        for kind, key in (matches.get(pk) or (0.0, []))[1]:
            reasons.append(_follow_reason(kind, key, names))
        for anchor in closest.get(pk, []):
            if anchor in anchor_papers:
                other = anchor_papers[anchor]
                reasons.append(
                    Reason("similar", f"Like “{other.title}”", other, other.get_absolute_url())
                )
        if pk in shared and shared[pk] in author_names:
            name = author_names[shared[pk]]
            url = reverse("feed:author", args=[shared[pk]])
            reasons.append(Reason("author", f"By {name}, an author of papers you liked", None, url))
        out.append(Recommendation(papers[pk], score_of.get(pk, 0.0), reasons[:3], pk in seen))
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


def recommend_many(
    users: Iterable,
    *,
    limit: int,
    since: date | None = None,
    window_days: int | None = None,
    exclude: dict[int, set[int]] | None = None,
) -> dict[int, list[Recommendation]]:
    """``recommend`` for each member (first version: one call each; the window is shared)."""
    out: dict[int, list[Recommendation]] = {}
    for user in users:
        member = _member_id(user)
        out[member] = recommend(
            member,
            limit=limit,
            since=since,
            window_days=window_days,
            exclude=(exclude or {}).get(member, ()),
        )
    return out


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
