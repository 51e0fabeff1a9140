"""``{{ paper.abstract|tex_typography }}``: LaTeX quotes and dashes as real characters."""

from django import template

from paperboy.lib.text import tex_typography as _tex_typography

register = template.Library()


@register.filter(is_safe=True)
def tex_typography(value: str) -> str:
    return _tex_typography(str(value))
