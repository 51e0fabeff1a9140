"""LaTeX in titles and abstracts, for templates.

``{{ paper.abstract|tex_typography }}``  quotes and dashes as real characters (plain text)
``{{ paper.abstract|tex_markup }}``      the same, plus ``\\textbf{…}``, ``\\emph{…}`` and the
                                         other text styles as ``<strong>``/``<em>``: HTML made
                                         by escaping everything and adding only those tags
                                         (``lib.text.tex_html``)
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from paperboy.lib.text import tex_html
from paperboy.lib.text import tex_typography as _tex_typography

register = template.Library()


@register.filter(is_safe=True)
def tex_typography(value: str) -> str:
    return _tex_typography(str(value))


@register.filter
def tex_markup(value: str) -> SafeString:
    return mark_safe(tex_html(str(value)))  # tex_html escapes all but its own tags
