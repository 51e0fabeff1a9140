"""A paper's discussion as a block any page can include (the paper page does)."""

from django import template

from paperboy.comments.views import paper_context

register = template.Library()


@register.inclusion_tag("comments/block.html", takes_context=True)
def paper_discussion(context, paper) -> dict:
    return {**context.flatten(), **paper_context(context["request"], paper)}
