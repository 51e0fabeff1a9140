"""library.services: the one door for library writes, its rules, caps and permissions."""

import pytest

from paperboy.lib import limits
from paperboy.library import services
from paperboy.library.models import Collection, CollectionItem, SavedPaper
from paperboy.library.services import Refused
from paperboy.testing import make_paper


@pytest.fixture
def papers(db):
    return [make_paper() for _ in range(4)]


def order(collection) -> list[int]:
    return list(collection.items.in_order().values_list("paper_id", flat=True))


def test_saving_twice_keeps_one_row(alice, papers):
    services.save(member=alice, paper=papers[0])
    services.save(member=alice, paper=papers[0].pk)
    assert SavedPaper.objects.filter(member=alice).count() == 1


def test_it_refuses_a_hidden_paper(alice):
    hidden = make_paper(hidden=True)
    with pytest.raises(Refused) as exc:
        services.save(member=alice, paper=hidden)
    assert exc.value.status == 404
    assert not SavedPaper.objects.exists()


def test_mark_read_and_note_save_the_paper_first(alice, papers):
    saved = services.mark_read(member=alice, paper=papers[0])
    assert saved.read and saved.read_at is not None
    saved = services.mark_read(member=alice, paper=papers[0], read=False)
    assert not saved.read and saved.read_at is None
    saved = services.set_note(member=alice, paper=papers[1], note="  <b>read §3</b>\x07 ")
    assert saved.note == "<b>read §3</b>"  # stored as typed (escaped when shown), control gone
    assert services.saved_ids(alice, [p.pk for p in papers]) == {papers[0].pk, papers[1].pk}


def test_a_note_with_a_nul_or_too_long_is_refused(alice, papers):
    with pytest.raises(Refused, match="NUL"):
        services.set_note(member=alice, paper=papers[0], note="a\x00b")
    with pytest.raises(Refused, match="limit is 10,000"):
        services.set_note(member=alice, paper=papers[0], note="x" * (limits.SAVED_NOTE_CHARS + 1))
    assert not SavedPaper.objects.exists()


def test_the_saved_cap_holds(alice, papers, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SAVED_PAPERS", 2)
    services.save(member=alice, paper=papers[0])
    services.save(member=alice, paper=papers[1])
    with pytest.raises(Refused, match="the most it can"):
        services.save(member=alice, paper=papers[2])
    with pytest.raises(Refused, match="pass its limit"):
        services.save_many(member=alice, paper_ids=[p.pk for p in papers])
    assert SavedPaper.objects.filter(member=alice).count() == 2


def test_save_many_skips_saved_unknown_and_hidden(alice, papers):
    hidden = make_paper(hidden=True)
    services.save(member=alice, paper=papers[0])
    added = services.save_many(member=alice, paper_ids=[p.pk for p in papers] + [hidden.pk, 10**9])
    assert added == 3
    assert SavedPaper.objects.filter(member=alice).count() == 4


def test_unsave(alice, papers):
    services.set_note(member=alice, paper=papers[0], note="mine")
    assert services.unsave(member=alice, paper=papers[0]) is True
    assert services.unsave(member=alice, paper=papers[0]) is False


def test_collection_slugs_are_unique_per_owner(alice, bob):
    one = services.create_collection(by=alice, title="Long context!")
    two = services.create_collection(by=alice, title="Long context?")
    bobs = services.create_collection(by=bob, title="Long context")
    assert (one.slug, two.slug, bobs.slug) == ("long-context", "long-context-2", "long-context")
    assert one.hub_slug == f"alice/long-context-{one.hub_id}" and len(one.hub_id) == 24
    with pytest.raises(Refused, match="already a collection"):
        services.create_collection(by=alice, title="x", slug="long-context")


def test_a_title_is_required_and_bounded(alice):
    with pytest.raises(Refused, match="cannot be empty"):
        services.create_collection(by=alice, title="   ")
    with pytest.raises(Refused, match="limit is 100"):
        services.create_collection(by=alice, title="t" * 101)
    assert not Collection.objects.exists()


def test_the_collection_cap_holds(alice, monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLLECTIONS", 1)
    services.create_collection(by=alice, title="One")
    with pytest.raises(Refused, match="the most allowed"):
        services.create_collection(by=alice, title="Two")


def test_items_append_move_and_reorder(alice, papers):
    c = services.create_collection(by=alice, title="Reading group")
    for p in papers:
        services.add_item(c, by=alice, paper=p)
    services.add_item(c, by=alice, paper=papers[0])  # already in: nothing changes
    ids = [p.pk for p in papers]
    assert order(c) == ids
    assert services.move_item(c, by=alice, paper=papers[3], to=0) == 0
    assert order(c) == [ids[3], ids[0], ids[1], ids[2]]
    assert services.move_item(c, by=alice, paper=papers[0], offset=+1) == 2
    assert order(c) == [ids[3], ids[1], ids[0], ids[2]]
    assert services.move_item(c, by=alice, paper=papers[2], offset=+5) == 3  # clamped
    services.set_item_note(c, by=alice, paper=papers[1], note="start here")
    services.set_items(c, by=alice, paper_ids=[ids[2], ids[1]])
    assert order(c) == [ids[2], ids[1]]
    assert c.items.get(paper=papers[1]).note == "start here"
    assert services.remove_item(c, by=alice, paper=papers[2]) is True
    assert order(c) == [ids[1]]


def test_add_items_appends_in_order_within_the_cap(alice, papers, monkeypatch):
    c = services.create_collection(by=alice, title="Bulk")
    services.add_item(c, by=alice, paper=papers[1])
    assert services.add_items(c, by=alice, paper_ids=[papers[2].pk, papers[1].pk]) == 1
    monkeypatch.setattr(limits, "MAX_COLLECTION_ITEMS", 3)
    with pytest.raises(Refused, match="pass its limit of 3"):
        services.add_items(c, by=alice, paper_ids=[papers[0].pk, papers[3].pk])
    with pytest.raises(Refused, match="at most 3 papers; 4 were given"):
        services.set_items(c, by=alice, paper_ids=[p.pk for p in papers])
    assert order(c) == [papers[1].pk, papers[2].pk]


def test_private_collections_are_their_owners_only(alice, bob, charlie, papers):
    from django.contrib.auth.models import AnonymousUser

    c = services.create_collection(by=alice, title="Secret")
    for viewer in (bob, charlie, AnonymousUser()):
        with pytest.raises(Refused) as exc:
            services.collection_at(owner="alice", slug="secret", viewer=viewer)
        assert exc.value.status == 404
        with pytest.raises(Refused) as exc:
            services.add_item(c, by=viewer, paper=papers[0])
        assert exc.value.status == 404
    assert services.collection_at(owner="alice", slug="secret", viewer=alice) == c
    assert not CollectionItem.objects.exists()


def test_a_public_collection_is_seen_by_all_and_edited_by_its_owner(alice, bob, papers):
    c = services.create_collection(by=alice, title="Open", public=True)
    assert services.collection_at(owner="alice", slug="open", viewer=bob) == c
    assert services.collection_by_hub_slug(f"alice/open-{c.hub_id}", viewer=bob) == c
    with pytest.raises(Refused) as exc:
        services.collection_at(owner="alice", slug="open", viewer=bob, edit=True)
    assert exc.value.status == 403
    with pytest.raises(Refused) as exc:
        services.delete_collection(c, by=bob)
    assert exc.value.status == 403
    with pytest.raises(Refused):
        services.collection_by_hub_slug(f"bob/open-{c.hub_id}", viewer=bob)


def test_organization_members_edit_its_collections(alice, bob, charlie, example_lab, papers):
    c = services.create_collection(by=alice, title="Lab picks", organization=example_lab)
    assert c.member is None and c.owner == example_lab
    services.add_item(c, by=bob, paper=papers[0])
    assert services.collection_at(owner="example-lab", slug="lab-picks", viewer=bob, org=True)
    with pytest.raises(Refused) as exc:
        services.collection_at(owner="example-lab", slug="lab-picks", viewer=charlie, org=True)
    assert exc.value.status == 404
    with pytest.raises(Refused) as exc:
        services.create_collection(by=charlie, title="Mine now", organization=example_lab)
    assert exc.value.status == 403
    assert set(Collection.objects.editable_by(bob)) == {c}
    assert not Collection.objects.editable_by(charlie).exists()
