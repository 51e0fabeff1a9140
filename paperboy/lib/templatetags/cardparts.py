"""The marks of what a page shows a signed-in reader differently (``lib/pagecache.py`` fills
them in when it serves the visitors' copy of a page to a member):

- ``{% cardpart "<app>:<name>" card %}…what a visitor sees…{% endcardpart %}``: a part of a
  paper card with the reader's own state (``lib/cardstate.py``). For a visitor the body is
  rendered inside a marker; for a member the owning app's ``card_part`` hook gives the HTML
  from ``card.state``.
- ``{% memberpart "<template>#<partial>" %}{% partialdef <partial> inline %}…{% endpartialdef %}
  {% endmemberpart %}``: any other part (the header's account menu, the paper page's claim
  box). Rendered in place for everyone, inside a marker for a visitor; for a member served
  from the copy, the partial is rendered alone with the view's member context. Parts do not
  nest."""

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.utils.safestring import mark_safe

from paperboy.lib import cardstate

register = template.Library()

MARK_OPEN = "<!--card {name} {pk}-->"
MARK_CLOSE = "<!--/card-->"
PART_OPEN = "<!--part {name}-->"
PART_CLOSE = "<!--/part-->"


def _is_member(context: template.Context) -> bool:
    """A signed-in reader (an error page rendered before the auth middleware has no user)."""
    user = getattr(context.get("request"), "user", None)
    return user is not None and user.is_authenticated


class CardPartNode(template.Node):
    def __init__(self, name: FilterExpression, card: FilterExpression, nodelist: template.NodeList):
        self.name = name
        self.card = card
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        name = self.name.resolve(context)
        card = self.card.resolve(context)
        request = context["request"]
        if _is_member(context):
            page = cardstate.PagePart(
                csrf_token=str(context.get("csrf_token", "")),
                next_url=request.get_full_path(),
            )
            return mark_safe(cardstate.part(name, card.paper.pk, card.state, page))
        body = self.nodelist.render(context)
        return mark_safe(MARK_OPEN.format(name=name, pk=card.paper.pk) + body + MARK_CLOSE)


@register.tag
def cardpart(parser: Parser, token: Token) -> CardPartNode:
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError('usage: {% cardpart "<app>:<name>" card %}')
    nodelist = parser.parse(("endcardpart",))
    parser.delete_first_token()
    return CardPartNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]), nodelist)


class MemberPartNode(template.Node):
    def __init__(self, name: FilterExpression, nodelist: template.NodeList):
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        body = self.nodelist.render(context)
        if _is_member(context):
            return body
        return mark_safe(PART_OPEN.format(name=self.name.resolve(context)) + body + PART_CLOSE)


@register.tag
def memberpart(parser: Parser, token: Token) -> MemberPartNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('usage: {% memberpart "<template>#<partial>" %}')
    nodelist = parser.parse(("endmemberpart",))
    parser.delete_first_token()
    return MemberPartNode(parser.compile_filter(bits[1]), nodelist)
