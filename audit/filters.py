"""The audit log's filters (django-filter): person, date range (local dates), action, object type."""

import datetime

import django_filters
from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .receivers import AUDITED


def model_choices():
    """(label, verbose name) of every object type the log holds entries about; no query."""
    return [(label.lower(), apps.get_model(label)._meta.verbose_name) for label in AUDITED]


def start_of(day):
    """Midnight at the start of `day` in the site's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


# The log starts with the system; a date outside these years is a typing error (and 9999-12-31 + 1 day would
# overflow).
DATE_RANGE = [
    MinValueValidator(datetime.date(2000, 1, 1), message=_("日期须在 2000 年到 2100 年之间。")),
    MaxValueValidator(datetime.date(2100, 12, 31), message=_("日期须在 2000 年到 2100 年之间。")),
]


class AuditFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(
        label=_("人员"),
        method="filter_person",
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("用户名或姓名"), "maxlength": 50}),
    )
    date_from = django_filters.DateFilter(
        label=_("起始日期"),
        method="filter_from",
        validators=DATE_RANGE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"),
        method="filter_to",
        validators=DATE_RANGE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    action = django_filters.ChoiceFilter(
        label=_("操作"), choices=AuditEntry.Action.choices, empty_label=_("全部操作")
    )
    model = django_filters.ChoiceFilter(label=_("对象类型"), choices=model_choices, empty_label=_("全部类型"))

    class Meta:
        model = AuditEntry
        fields = ["person", "date_from", "date_to", "action", "model"]

    def filter_person(self, queryset, name, value):
        """Username (also as it was when the entry was written) or full name contains the words."""
        for word in value.split():
            queryset = queryset.filter(
                Q(username__icontains=word)
                | Q(user__username__icontains=word)
                | Q(user__full_name__icontains=word)
            )
        return queryset

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=start_of(value))

    def filter_to(self, queryset, name, value):
        """Inclusive: everything before midnight at the end of that day."""
        return queryset.filter(at__lt=start_of(value + datetime.timedelta(days=1)))
