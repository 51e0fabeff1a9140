"""The one door for every write to a member's library, and the one place that says who may see
or edit a collection. The pages, the JSON API, the CLI and the importer all call these; none
writes ``SavedPaper``, ``Collection`` or ``CollectionItem`` rows itself.

Every function refuses with ``Refused`` (``str(exc)`` is the message for the person,
``exc.status`` the HTTP status to answer with: 400 bad input or a cap reached, 403 may see but
not edit, 404 not found or not theirs to see; a private collection is a 404 to anyone but its
owner, so its existence does not leak). Public collection pages are served to visitors from
the page cache (``lib.pagecache``); a change of title, description or visibility and a deletion
drop those copies at once, while added, moved or removed papers show within
``PAPERBOY_LIST_CACHE_SECONDS``, like every list. Members' own copies of their pages
(``lib.memberpage``) are retired at once by every write here: the member's stamp
(``member_scope``) on saves, read marks and notes, the collection's (``collection_scope``) on
every change of it or its papers.

Typed text goes through ``lib.text.clean_input`` and the lengths of ``lib.limits``
(``COLLECTION_TITLE_CHARS``, ``COLLECTION_DESCRIPTION_CHARS``, ``SAVED_NOTE_CHARS``,
``ITEM_NOTE_CHARS``); the caps (``MAX_SAVED_PAPERS``, ``MAX_COLLECTIONS`` per owner,
``MAX_COLLECTION_ITEMS``) are counted inside the writing transaction, with the owner's (or the
collection's) row locked, so two concurrent requests cannot pass a cap.

Papers are given as ``Paper`` instances or primary keys; hidden or unknown papers are refused
(one at a time: 404) or skipped (the bulk calls return how many they wrote).

Reading list (a member's saved papers)::

    save(member=u, paper=p)                  # idempotent; returns the SavedPaper
    save_many(member=u, paper_ids=[...])     # bulk, for imports; returns how many were new
    unsave(member=u, paper=p)                # returns whether it was saved
    mark_read(member=u, paper=p, read=True)  # saves it first when needed
    set_note(member=u, paper=p, note="…")    # private; saves it first when needed
    saved_ids(u, paper_ids)                  # which of these u saved (one query; cards)

Collections (``by`` is the member acting; ``organization`` makes the organization the owner)::

    create_collection(by=u, title="…", description="", public=False, organization=None, slug="")
    update_collection(c, by=u, title=None, description=None, public=None)
    delete_collection(c, by=u)
    add_item(c, by=u, paper=p, note="")      # appended; idempotent; returns the CollectionItem
    add_items(c, by=u, paper_ids=[...])      # bulk append in order, skipping present; count
    remove_item(c, by=u, paper=p)
    move_item(c, by=u, paper=p, to=0)        # to an index (0 = first), or offset=-1 / +1
    set_item_note(c, by=u, paper=p, note="…")
    set_items(c, by=u, paper_ids=[...])      # exactly these papers in this order (notes kept)

Who may do what::

    can_view(c, user) / can_edit(c, user)
    collection_at(owner="alice", slug="…", viewer=u, org=False, edit=False)
    collection_by_hub_slug("alice/my-list-<24 hex>", viewer=u, edit=False)
    collection_by_id(pk, viewer=u, edit=False)
    collections_for_paper(u, p)              # [(collection u may edit, holds p?)]
    Collection.objects.visible_to(u) / .editable_by(u)   # lists
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from paperboy.lib import limits, memberpage, pagecache
from paperboy.lib.text import BadInput, clean_input
from paperboy.library.models import Collection, CollectionItem, SavedPaper, title_key
from paperboy.papers.models import Organization, Paper


class Refused(Exception):
    """A library write or look-up that cannot be done; ``str(exc)`` says why, for the person."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# --- Member page stamps (``lib.memberpage``) ---------------------------------------------------


def member_scope(member_id: int) -> str:
    """The stamp of everything a member's own library pages show of theirs: saves, read marks,
    notes (and, through ``receivers``, their upvotes and organization memberships)."""
    return f"library:member:{int(member_id)}"


def collection_scope(*, owner: str, slug: str, org: bool) -> str:
    """The stamp of a collection's pages, named from its address (no query needed to serve
    one; lower case, so addresses differing only in case share it)."""
    return f"library:collection:{'org' if org else 'u'}:{owner.lower()}:{slug.lower()}"


def _scope_of(collection: Collection) -> str:
    if collection.organization_id:
        return collection_scope(owner=collection.organization.slug, slug=collection.slug, org=True)
    return collection_scope(owner=collection.member.get_username(), slug=collection.slug, org=False)


def bump_member_pages(member_id: int) -> None:
    """Retire the cached copies of the member's library pages (``library.receivers``: an
    upvote or membership of theirs changed)."""
    memberpage.bump(member_scope(member_id))


def _collection_changed(collection: Collection) -> None:
    memberpage.bump(_scope_of(collection))


# --- Helpers -----------------------------------------------------------------------------------


def _paper_id(paper: Paper | int) -> int:
    return paper.pk if isinstance(paper, Paper) else int(paper)


def _visible_paper_id(paper: Paper | int) -> int:
    paper_id = _paper_id(paper)
    if not Paper.objects.visible().filter(pk=paper_id).exists():
        raise Refused("There is no such paper in the catalog.", 404)
    return paper_id


def _visible_paper_ids(paper_ids: Iterable[int]) -> list[int]:
    """``paper_ids`` without duplicates, hidden or unknown papers, in their first order."""
    paper_ids = list(paper_ids)
    found = _sort_keys(paper_ids)
    return [i for i in dict.fromkeys(int(i) for i in paper_ids) if i in found]


def _sort_keys(paper_ids: Iterable[int], *, visible: bool = True) -> dict[int, dict]:
    """What a SavedPaper keeps of each paper (its arXiv date and title key), by id."""
    wanted = list(dict.fromkeys(int(i) for i in paper_ids))
    papers = Paper.objects.visible() if visible else Paper.objects.all()
    found: dict[int, dict] = {}
    for start in range(0, len(wanted), 1000):
        rows = papers.filter(pk__in=wanted[start : start + 1000])
        for pk, title, published_at in rows.values_list("pk", "title", "published_at"):
            found[pk] = {"published_at": published_at, "title_key": title_key(title)}
    return found


def refresh_sort_keys(paper_ids: Iterable[int]) -> int:
    """Bring the saved copies of these papers' arXiv date and title up to date (after an
    import changed them); the number of papers that had any saves."""
    saved = (
        SavedPaper.objects.filter(paper_id__in=list(paper_ids))
        .values_list("paper_id", flat=True)
        .distinct()
    )
    keys = _sort_keys(list(saved), visible=False)
    for paper_id, values in keys.items():
        SavedPaper.objects.filter(paper_id=paper_id).update(**values)
    return len(keys)


def clean_text(value: str | None, *, name: str, max_chars: int, required: bool = False) -> str:
    """Typed text as stored: ``clean_input``'s check, stripped, at most ``max_chars``."""
    try:
        value = clean_input(value or "", name=name).strip()
    except BadInput as exc:
        raise Refused(str(exc)) from None
    if required and not value:
        raise Refused(f"{name} cannot be empty.")
    if len(value) > max_chars:
        raise Refused(f"{name} is {len(value):,} characters long; the limit is {max_chars:,}.")
    return value


def _lock_member(member_id: int) -> None:
    # select_for_update is a no-op on SQLite, where IMMEDIATE transactions already serialize.
    list(get_user_model().objects.select_for_update().filter(pk=member_id).values_list("pk"))


def _lock_collection(collection: Collection) -> None:
    list(Collection.objects.select_for_update().filter(pk=collection.pk).values_list("pk"))


# --- The reading list --------------------------------------------------------------------------


def _save(member_id: int, paper_id: int) -> SavedPaper:
    """Inside a transaction: the member's SavedPaper for this paper, created when missing."""
    saved = SavedPaper.objects.filter(member_id=member_id, paper_id=paper_id).first()
    if saved is not None:
        return saved
    _lock_member(member_id)
    count = SavedPaper.objects.filter(member_id=member_id).count()
    if count >= limits.MAX_SAVED_PAPERS:
        raise Refused(
            f"Your reading list holds {count:,} papers, the most it can; "
            "remove some before saving more."
        )
    saved, _ = SavedPaper.objects.get_or_create(
        member_id=member_id, paper_id=paper_id, defaults=_sort_keys([paper_id]).get(paper_id, {})
    )
    bump_member_pages(member_id)
    return saved


def save(*, member, paper: Paper | int) -> SavedPaper:
    """Put ``paper`` on ``member``'s reading list (nothing changes when it is there)."""
    paper_id = _visible_paper_id(paper)
    with transaction.atomic():
        return _save(member.pk, paper_id)


def save_many(*, member, paper_ids: Iterable[int]) -> int:
    """Save many papers at once (an import), skipping saved, hidden and unknown ones: the
    number newly saved. Refused as a whole when it would pass ``MAX_SAVED_PAPERS``."""
    paper_ids = list(paper_ids)
    keys = _sort_keys(paper_ids)
    ids = [i for i in dict.fromkeys(int(i) for i in paper_ids) if i in keys]
    with transaction.atomic():
        _lock_member(member.pk)
        have = set(
            SavedPaper.objects.filter(member=member, paper_id__in=ids).values_list(
                "paper_id", flat=True
            )
        )
        new = [i for i in ids if i not in have]
        count = SavedPaper.objects.filter(member=member).count()
        if count + len(new) > limits.MAX_SAVED_PAPERS:
            raise Refused(
                f"Your reading list holds {count:,} papers; {len(new):,} more would pass "
                f"its limit of {limits.MAX_SAVED_PAPERS:,}."
            )
        now = timezone.now()
        SavedPaper.objects.bulk_create(
            [SavedPaper(member=member, paper_id=i, saved_at=now, **keys[i]) for i in new],
            batch_size=1000,
            ignore_conflicts=True,
        )
        if new:
            bump_member_pages(member.pk)
        return len(new)


def unsave(*, member, paper: Paper | int) -> bool:
    """Take ``paper`` off the reading list (its note goes with it); whether it was there."""
    deleted, _ = SavedPaper.objects.filter(member=member, paper_id=_paper_id(paper)).delete()
    if deleted:
        bump_member_pages(member.pk)
    return bool(deleted)


def mark_read(*, member, paper: Paper | int, read: bool = True) -> SavedPaper:
    """Mark a paper read (or unread again); a paper not yet saved is saved first."""
    paper_id = _visible_paper_id(paper)
    with transaction.atomic():
        saved = _save(member.pk, paper_id)
        if saved.read != read:
            saved.read = read
            saved.read_at = timezone.now() if read else None
            saved.save(update_fields=["read", "read_at"])
            bump_member_pages(member.pk)
    return saved


def set_note(*, member, paper: Paper | int, note: str) -> SavedPaper:
    """The member's private note on a paper ("" removes it); a paper not yet saved is saved."""
    note = clean_text(note, name="The note", max_chars=limits.SAVED_NOTE_CHARS)
    paper_id = _visible_paper_id(paper)
    with transaction.atomic():
        saved = _save(member.pk, paper_id)
        if saved.note != note:
            saved.note = note
            saved.save(update_fields=["note"])
            bump_member_pages(member.pk)
    return saved


def saved_ids(member, paper_ids: Iterable[int]) -> set[int]:
    """Which of ``paper_ids`` ``member`` saved: one query (none for a visitor or no ids)."""
    ids = list(paper_ids)
    if not ids or member is None or not member.is_authenticated:
        return set()
    # Plain SQL: it runs on every member's list page (the card parts, lib/cardstate.py), and
    # building it through the ORM took ~5x the query itself (bench/README.md, issue 13).
    with connection.cursor() as cursor:
        cursor.execute(_saved_sql(len(ids)), [member.pk, *ids])
        return {row[0] for row in cursor.fetchall()}


@cache
def _saved_sql(n: int) -> str:
    quote = connection.ops.quote_name
    meta = SavedPaper._meta
    paper, member = (quote(meta.get_field(f).column) for f in ("paper", "member"))
    return (
        f"SELECT {paper} FROM {quote(meta.db_table)} WHERE {member} = %s "
        f"AND {paper} IN ({', '.join(['%s'] * n)})"
    )


# --- Who may see and edit a collection ---------------------------------------------------------


def can_edit(collection: Collection, user) -> bool:
    """Its member owner, or any member of its organization owner."""
    if user is None or not user.is_authenticated:
        return False
    if collection.member_id:
        return collection.member_id == user.pk
    return collection.organization.memberships.filter(user=user).exists()


def can_view(collection: Collection, user) -> bool:
    """Anyone for a public collection; a private one only for those who may edit it."""
    return collection.public or can_edit(collection, user)


def _checked(collection: Collection | None, viewer, *, edit: bool) -> Collection:
    if collection is None or not can_view(collection, viewer):
        raise Refused("There is no such collection.", 404)
    if edit and not can_edit(collection, viewer):
        raise Refused("Only the collection's owner can change it.", 403)
    return collection


def collection_at(
    *, owner: str, slug: str, viewer, org: bool = False, edit: bool = False
) -> Collection:
    """The collection at ``/u/<owner>/collections/<slug>`` (or ``/<owner>/collections/<slug>``
    with ``org``), when ``viewer`` may see it (and edit it, with ``edit``)."""
    found = Collection.objects.select_related("member", "organization")
    if org:
        found = found.filter(organization__slug=owner, slug=slug)
    else:
        found = found.filter(member__username=owner, slug=slug)
    return _checked(found.first(), viewer, edit=edit)


_HUB_SLUG = re.compile(r"^(?P<owner>[^/]+)/(?P<slug>[-\w]*)-(?P<hub_id>[0-9a-f]{24})$")


def collection_by_hub_slug(hub_slug: str, *, viewer, edit: bool = False) -> Collection:
    """The collection whose Hugging Face-style id is ``hub_slug`` (``<owner>/<slug>-<hex>``;
    the slug part may be stale, the owner and the hex id must match)."""
    match = _HUB_SLUG.match(hub_slug or "")
    if match is None:
        raise Refused("There is no such collection.", 404)
    found = (
        Collection.objects.select_related("member", "organization")
        .filter(hub_id=match["hub_id"])
        .first()
    )
    if found is not None and found.owner_name != match["owner"]:
        found = None
    return _checked(found, viewer, edit=edit)


def collection_by_id(pk: int, *, viewer, edit: bool = False) -> Collection:
    found = Collection.objects.select_related("member", "organization").filter(pk=pk).first()
    return _checked(found, viewer, edit=edit)


def collections_for_paper(user, paper: Paper | int) -> list[tuple[Collection, bool]]:
    """The collections ``user`` may edit (the 100 most recently changed), each with whether it
    holds ``paper``: two queries."""
    mine = list(
        Collection.objects.editable_by(user)
        .select_related("member", "organization")
        .order_by("-updated_at", "-id")[:100]
    )
    holding = set(
        CollectionItem.objects.filter(
            paper_id=_paper_id(paper), collection__in=[c.pk for c in mine]
        ).values_list("collection_id", flat=True)
    )
    return [(c, c.pk in holding) for c in mine]


def _require_edit(collection: Collection, by) -> None:
    if not can_edit(collection, by):
        status = 403 if collection.public else 404
        message = (
            "Only the collection's owner can change it."
            if status == 403
            else "There is no such collection."
        )
        raise Refused(message, status)


# --- Collections -------------------------------------------------------------------------------


def _free_slug(owned, base: str) -> str:
    taken = set(owned.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


_SLUG = re.compile(r"^[-a-z0-9_]+$")


def create_collection(
    *,
    by,
    title: str,
    description: str = "",
    public: bool = False,
    organization: Organization | None = None,
    slug: str = "",
) -> Collection:
    """A new collection of ``by``'s, or of ``organization`` when ``by`` is one of its members.

    Its slug is ``slug`` when given (refused when taken), else made from the title (with
    "-2", "-3"… when the owner already has that one)."""
    title = clean_text(
        title, name="The title", max_chars=limits.COLLECTION_TITLE_CHARS, required=True
    )
    description = clean_text(
        description, name="The description", max_chars=limits.COLLECTION_DESCRIPTION_CHARS
    )
    if slug and (not _SLUG.match(slug) or len(slug) > 80):
        raise Refused("A slug is up to 80 lower-case letters, digits, '-' and '_'.")
    if organization is not None and not organization.memberships.filter(user=by).exists():
        raise Refused("Only members of the organization can create its collections.", 403)
    with transaction.atomic():
        if organization is not None:
            list(
                Organization.objects.select_for_update()
                .filter(pk=organization.pk)
                .values_list("pk")
            )
            owned = Collection.objects.owned_by_org(organization)
        else:
            _lock_member(by.pk)
            owned = Collection.objects.owned_by_member(by)
        count = owned.count()
        if count >= limits.MAX_COLLECTIONS:
            raise Refused(
                f"{'The organization' if organization else 'You'} already "
                f"{'has' if organization else 'have'} {count:,} collections, the most allowed."
            )
        if slug:
            if owned.filter(slug=slug).exists():
                raise Refused(f"There is already a collection at “{slug}”.")
        else:
            slug = _free_slug(owned, slugify(title)[:60].strip("-") or "collection")
        try:
            with transaction.atomic():
                created = Collection.objects.create(
                    member=None if organization else by,
                    organization=organization,
                    slug=slug,
                    title=title,
                    description=description,
                    public=bool(public),
                    created_by=by,
                )
        except IntegrityError:  # the owner's row lock makes this near impossible
            raise Refused("That collection was just created; try again.") from None
        _collection_changed(created)
        return created


def cached_query(query: str) -> bool:
    """Whether a collection page's address with this query string may be kept in the page
    cache: only those ``_forget_pages`` drops (none, or ``p=N`` as the pager writes it)."""
    return query == "" or re.fullmatch(r"p=[1-9][0-9]{0,8}", query) is not None


def _forget_pages(collection: Collection) -> None:
    """Drop the visitors' cached copies of a collection's pages (and of its organization's
    page, which lists it), once this transaction commits: a collection made private or
    deleted must not be served from the page cache."""
    path = collection.get_absolute_url()
    pages = max(1, -(-collection.items.count() // settings.PAPERBOY_PAGE_SIZE))
    paths = [path, *(f"{path}?p={n}" for n in range(1, pages + 1))]
    if collection.organization_id:
        slug = collection.organization.slug
        paths += [
            collection.organization.get_absolute_url(),
            reverse("library:org_collections", args=[slug]),
        ]

    def forget() -> None:
        for each in paths:
            pagecache.forget(each)

    transaction.on_commit(forget)


def pages_changed(collection: Collection) -> None:
    """Drop every cached page of the collection (the visitors' and their organization's, once
    the transaction commits; the members' own at once): for a change made outside this module
    (the admin), before a deletion."""
    _forget_pages(collection)
    _collection_changed(collection)


def update_collection(
    collection: Collection,
    *,
    by,
    title: str | None = None,
    description: str | None = None,
    public: bool | None = None,
) -> Collection:
    """Change what is given (the slug stays, so links keep working)."""
    _require_edit(collection, by)
    fields = ["updated_at"]
    if title is not None:
        collection.title = clean_text(
            title, name="The title", max_chars=limits.COLLECTION_TITLE_CHARS, required=True
        )
        fields.append("title")
    if description is not None:
        collection.description = clean_text(
            description,
            name="The description",
            max_chars=limits.COLLECTION_DESCRIPTION_CHARS,
        )
        fields.append("description")
    was_public = collection.public
    if public is not None:
        collection.public = bool(public)
        fields.append("public")
    collection.updated_at = timezone.now()
    collection.save(update_fields=fields)
    _collection_changed(collection)
    if was_public:
        _forget_pages(collection)
    return collection


def delete_collection(collection: Collection, *, by) -> None:
    _require_edit(collection, by)
    if collection.public:
        _forget_pages(collection)
    _collection_changed(collection)
    collection.delete()


def _touch(collection: Collection) -> None:
    """Every change of a collection's papers ends here: its time, and its pages' stamp."""
    collection.updated_at = timezone.now()
    Collection.objects.filter(pk=collection.pk).update(updated_at=collection.updated_at)
    _collection_changed(collection)


def _next_position(collection: Collection) -> int:
    top = collection.items.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _room_for(collection: Collection, more: int) -> None:
    count = collection.items.count()
    if count + more > limits.MAX_COLLECTION_ITEMS:
        raise Refused(
            f"This collection holds {count:,} papers; "
            f"{f'{more:,} more' if more > 1 else 'one more'} would pass its limit of "
            f"{limits.MAX_COLLECTION_ITEMS:,}."
        )


def add_item(collection: Collection, *, by, paper: Paper | int, note: str = "") -> CollectionItem:
    """Append ``paper`` (nothing changes when it is in the collection already)."""
    _require_edit(collection, by)
    note = clean_text(note, name="The note", max_chars=limits.ITEM_NOTE_CHARS)
    paper_id = _visible_paper_id(paper)
    with transaction.atomic():
        _lock_collection(collection)
        item = collection.items.filter(paper_id=paper_id).first()
        if item is not None:
            return item
        _room_for(collection, 1)
        item = CollectionItem.objects.create(
            collection=collection, paper_id=paper_id, note=note, position=_next_position(collection)
        )
        _touch(collection)
        return item


def add_items(collection: Collection, *, by, paper_ids: Iterable[int]) -> int:
    """Append many papers in their order, skipping present, hidden and unknown ones: how many
    were added. Refused as a whole when it would pass ``MAX_COLLECTION_ITEMS``."""
    _require_edit(collection, by)
    ids = _visible_paper_ids(paper_ids)
    with transaction.atomic():
        _lock_collection(collection)
        have = set(collection.items.values_list("paper_id", flat=True))
        new = [i for i in ids if i not in have]
        if not new:
            return 0
        _room_for(collection, len(new))
        start = _next_position(collection)
        now = timezone.now()
        CollectionItem.objects.bulk_create(
            [
                CollectionItem(collection=collection, paper_id=i, position=start + n, added_at=now)
                for n, i in enumerate(new)
            ],
            batch_size=1000,
        )
        _touch(collection)
        return len(new)


def remove_item(collection: Collection, *, by, paper: Paper | int) -> bool:
    """Take ``paper`` out; whether it was in."""
    _require_edit(collection, by)
    with transaction.atomic():
        deleted, _ = collection.items.filter(paper_id=_paper_id(paper)).delete()
        if deleted:
            _touch(collection)
    return bool(deleted)


def _renumber(collection: Collection, order: list[tuple[int, int]]) -> None:
    """Give the items (``(item id, position)`` in their new order) positions 0, 1, 2…,
    writing only those that change."""
    changed = [
        CollectionItem(pk=item_id, position=n)
        for n, (item_id, position) in enumerate(order)
        if position != n
    ]
    CollectionItem.objects.bulk_update(changed, ["position"], batch_size=500)


def move_item(
    collection: Collection,
    *,
    by,
    paper: Paper | int,
    to: int | None = None,
    offset: int | None = None,
) -> int:
    """Move ``paper`` to index ``to`` (0 is first; past the end is last) or by ``offset``
    places (-1: up one); the index it ends at."""
    _require_edit(collection, by)
    if (to is None) == (offset is None):
        raise Refused("Say where to move the paper: to an index, or by an offset.")
    paper_id = _paper_id(paper)
    with transaction.atomic():
        _lock_collection(collection)
        rows = list(collection.items.in_order().values_list("id", "position", "paper_id"))
        index = next((n for n, row in enumerate(rows) if row[2] == paper_id), None)
        if index is None:
            raise Refused("That paper is not in this collection.", 404)
        target = to if to is not None else index + offset
        target = max(0, min(int(target), len(rows) - 1))
        row = rows.pop(index)
        rows.insert(target, row)
        _renumber(collection, [(item_id, position) for item_id, position, _ in rows])
        _touch(collection)
        return target


def set_item_note(collection: Collection, *, by, paper: Paper | int, note: str) -> CollectionItem:
    _require_edit(collection, by)
    note = clean_text(note, name="The note", max_chars=limits.ITEM_NOTE_CHARS)
    item = collection.items.filter(paper_id=_paper_id(paper)).first()
    if item is None:
        raise Refused("That paper is not in this collection.", 404)
    if item.note != note:
        item.note = note
        item.save(update_fields=["note"])
        _touch(collection)
    return item


def set_items(collection: Collection, *, by, paper_ids: Iterable[int]) -> None:
    """Make the collection exactly ``paper_ids`` in that order (duplicates count once; the notes
    of papers that stay are kept). Refused when a paper is unknown or hidden."""
    _require_edit(collection, by)
    wanted = list(dict.fromkeys(int(i) for i in paper_ids))
    if len(wanted) > limits.MAX_COLLECTION_ITEMS:
        raise Refused(
            f"A collection holds at most {limits.MAX_COLLECTION_ITEMS:,} papers; "
            f"{len(wanted):,} were given."
        )
    visible = _visible_paper_ids(wanted)
    if len(visible) != len(wanted):
        raise Refused(f"{len(wanted) - len(visible):,} of these papers are not in the catalog.")
    with transaction.atomic():
        _lock_collection(collection)
        have = {
            paper_id: (item_id, position)
            for item_id, position, paper_id in collection.items.values_list(
                "id", "position", "paper_id"
            )
        }
        keep = set(wanted)
        gone = [item_id for paper_id, (item_id, _) in have.items() if paper_id not in keep]
        for start in range(0, len(gone), 1000):
            CollectionItem.objects.filter(pk__in=gone[start : start + 1000]).delete()
        now = timezone.now()
        CollectionItem.objects.bulk_create(
            [
                CollectionItem(collection=collection, paper_id=i, position=-1, added_at=now)
                for i in wanted
                if i not in have
            ],
            batch_size=1000,
        )
        ids = dict(collection.items.values_list("paper_id", "id"))
        order = [(ids[i], have[i][1] if i in have else -1) for i in wanted]
        _renumber(collection, order)
        _touch(collection)
