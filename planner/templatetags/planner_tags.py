from django import template

from tasks.models import chinese_number

register = template.Library()


@register.filter
def cn_number(number):
    """3 → 三 (section numbers as plans write them)."""
    return chinese_number(int(number)) if number else ""
