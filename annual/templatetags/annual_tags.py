"""Template filters of the year-end report pages: a report's text with its figures and placeholders marked."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from annual import digest

register = template.Library()


@register.filter
def marked(text):
    """The text escaped, then each figure (12 件, 98%, 〔2022〕9号) in <mark class="fig"> and each 【待补充：…】 in
    <mark class="todo">. Escaping comes first, so the text can never inject markup; the patterns match neither
    "<" nor "&"."""
    html = escape(text or "")
    html = digest.MARKABLE.sub(lambda m: f'<mark class="{_css(m)}">{m.group()}</mark>', html)
    return mark_safe(html)


def _css(match):
    return "todo" if match.group().startswith("【") else "fig"


@register.filter
def todo_marked(text):
    """The text escaped, only its 【待补充：…】 placeholders marked (the print view)."""
    html = escape(text or "")
    return mark_safe(digest.PLACEHOLDER.sub(lambda m: f'<mark class="todo">{m.group()}</mark>', html))
