"""``{% cardpart "<app>:<name>" card %}…what a visitor sees…{% endcardpart %}``: a part of a
paper card that shows the signed-in reader's own state (see ``lib/cardstate.py``).

For a visitor the body is rendered inside a marker that the page cache fills in for members;
for a member the owning app's ``card_part`` hook gives the HTML from ``card.state``."""

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.utils.safestring import mark_safe

from paperboy.lib import cardstate

register = template.Library()

MARK_OPEN = "<!--card {name} {pk}-->"
MARK_CLOSE = "<!--/card-->"


class CardPartNode(template.Node):
    def __init__(self, name: FilterExpression, card: FilterExpression, nodelist: template.NodeList):
        self.name = name
        self.card = card
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        name = self.name.resolve(context)
        card = self.card.resolve(context)
        request = context["request"]
        if request.user.is_authenticated:
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
