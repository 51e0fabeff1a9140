"""The reader's upvote on a paper, for pages outside the lists (the paper page)."""

from django import template

from paperboy.feed import votes

register = template.Library()


@register.simple_tag(takes_context=True)
def upvoted(context, paper) -> bool:
    return paper.pk in votes.user_upvoted_ids(context["request"].user, [paper.pk])
