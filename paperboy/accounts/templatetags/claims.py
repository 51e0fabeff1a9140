"""The paper page's authorship parts, for any page that shows a paper: which authors are
verified members, and the reader's own claim. A template tag, so the catalog's paper page
shows them without importing accounts."""

from django import template

from paperboy.accounts.claims import approved_on
from paperboy.accounts.models import AuthorClaim

register = template.Library()


@register.simple_tag(takes_context=True)
def paper_claims(context, paper):
    """Mark each of ``paper.authorships`` (prefetched: the objects the page lists) with its
    verified member (``authorship.claimed``) and give the reader's own claim, or None."""
    claimed = {c.author_id: c for c in approved_on(paper)}
    for authorship in paper.authorships.all():
        authorship.claimed = claimed.get(authorship.author_id)
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return AuthorClaim.objects.filter(user=user, paper=paper).select_related("author").first()
