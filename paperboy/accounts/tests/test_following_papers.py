"""following_papers(user): the papers of what a member follows (the Following page, digests,
recommendations)."""

from paperboy.accounts.models import Follow, following_papers
from paperboy.testing import make_paper


def test_the_queryset_serves_digests_and_recommendations(alice, example_lab):
    paper = make_paper(organization=example_lab)
    assert list(following_papers(alice)) == []
    Follow.objects.create(user=alice, organization=example_lab)
    assert list(following_papers(alice)) == [paper]
