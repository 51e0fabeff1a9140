"""feed.cards: the one builder of paper cards, for lists of entries and of papers."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from paperboy.feed import cards, votes
from paperboy.feed.models import DailyEntry
from paperboy.lib import cardstate
from paperboy.papers.models import Organization, Paper
from paperboy.testing import make_entry, make_paper


def _entries(n: int, *, lab, submitter) -> list[DailyEntry]:
    return [
        make_entry(
            make_paper(organization=lab if i % 2 else None),
            organization=None if i % 3 else lab,
            submitted_by=submitter,
        )
        for i in range(n)
    ]


def test_an_entry_card_shows_the_entry_its_tagged_organization_and_the_readers_upvote(
    alice, bob, example_lab
):
    other = Organization.objects.create(slug="other", name="Other")
    tagged = make_entry(make_paper(organization=other), organization=example_lab)
    plain = make_entry(make_paper(organization=other), submitted_by=bob)
    votes.upvote(user_id=alice.pk, paper_id=tagged.paper_id)

    shown = cards.for_entries(DailyEntry.objects.for_list(), reader=alice)

    by_paper = {card.paper.pk: card for card in shown}
    assert by_paper[tagged.paper_id].organization == example_lab
    assert by_paper[tagged.paper_id].upvoted is True
    assert by_paper[plain.paper_id].organization == other
    assert by_paper[plain.paper_id].entry.submitted_by == bob
    assert by_paper[plain.paper_id].upvoted is False


def test_cards_of_a_list_page_cost_one_query_for_a_member_and_none_for_a_visitor(
    alice, bob, example_lab, django_assert_num_queries
):
    _entries(6, lab=example_lab, submitter=bob)
    entries = list(DailyEntry.objects.for_list())
    papers = list(Paper.objects.for_cards())

    # one per app with card state (feed's upvotes, …)
    with django_assert_num_queries(cardstate.queries()):
        cards.for_entries(entries, reader=alice)
    with django_assert_num_queries(cardstate.queries()):
        cards.for_papers(papers, reader=alice)
    with django_assert_num_queries(0):
        cards.for_entries(entries, reader=AnonymousUser())


def test_any_list_costs_the_same_queries_whatever_its_length(
    alice, bob, example_lab, django_assert_num_queries
):
    """Rows fetched without the card's relations get them in one query per relation."""

    def shown_entries() -> list:
        shown = cards.for_entries(DailyEntry.objects.all(), reader=alice)
        return [(c.paper.title, c.organization, c.entry.submitted_by) for c in shown]

    def shown_papers() -> list:
        shown = cards.for_papers(Paper.objects.all(), reader=alice)
        return [(c.paper.title, c.organization) for c in shown]

    # the rows, their papers, two organizations, submitters; the reader's card state
    for n in (2, 12):
        _entries(n - DailyEntry.objects.count(), lab=example_lab, submitter=bob)
        with django_assert_num_queries(5 + cardstate.queries()):
            assert len(shown_entries()) == n
        # the rows, their organizations; the reader's card state
        with django_assert_num_queries(2 + cardstate.queries()):
            assert len(shown_papers()) == n


def test_a_page_can_show_its_own_organization_and_extend_the_card(alice, example_lab):
    @dataclass
    class Marked(cards.Card):
        mark: str = ""

    other = Organization.objects.create(slug="other", name="Other")
    paper = make_paper(organization=other)

    [card] = cards.for_papers(
        [paper],
        reader=alice,
        organization=example_lab,
        card_type=Marked,
        extra=lambda p: {"mark": p.arxiv_id, "why": "because"},
    )

    assert isinstance(card, Marked)
    assert (card.organization, card.mark, card.why) == (example_lab, paper.arxiv_id, "because")
    assert card.entry is None and card.upvoted is False
