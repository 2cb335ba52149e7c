"""Filters (django-filter): the task list (section, unit, unit kind, role, words) and the review queue."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from units.models import Unit

from .models import Assignment, ProgressReport, ReportingPeriod, Section, Task
from .selectors import sections_of, units_in_plan


class OneLoopSelect(forms.Select):
    """Django's select with its options written by one template loop (templates/widgets/select.html) instead
    of one template per option: a unit filter offers a hundred or more."""

    template = "widgets/select.html"

    def render(self, name, value, attrs=None, renderer=None):
        return get_template(self.template).render(self.get_context(name, value, attrs))


class TaskFilter(django_filters.FilterSet):
    section = django_filters.ModelChoiceFilter(
        widget=OneLoopSelect, label=_("部分"), queryset=None, empty_label=_("全部部分")
    )
    unit = django_filters.ModelChoiceFilter(
        widget=OneLoopSelect, label=_("单位"), queryset=None, empty_label=_("全部单位"), method="by_assignment"
    )
    unit_kind = django_filters.ChoiceFilter(
        widget=OneLoopSelect, label=_("单位类别"), choices=Unit.Kind.choices, empty_label=_("全部类别"), method="by_assignment"
    )
    role = django_filters.ChoiceFilter(
        widget=OneLoopSelect, label=_("分工"), choices=Assignment.Role.choices, empty_label=_("牵头或责任"), method="by_assignment"
    )
    # bounded: SQLite refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too complex")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_words", max_length=100)

    class Meta:
        model = Task
        fields = ["section", "unit", "unit_kind", "role", "q"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["section"].queryset = sections_of(plan)
        self.filters["unit"].queryset = units_in_plan(plan)

    def _assignments(self):
        """Assignments of the task being filtered, narrowed by the unit, kind and role chosen."""
        assignments = Assignment.objects.active().filter(task=OuterRef("pk"))
        data = self.form.cleaned_data
        if data.get("unit"):
            assignments = assignments.filter(unit=data["unit"])
        if data.get("unit_kind"):
            assignments = assignments.filter(unit__kind=data["unit_kind"])
        if data.get("role"):
            assignments = assignments.filter(role=data["role"])
        return assignments

    def by_assignment(self, queryset, name, value):
        return queryset  # applied once for all three in filter_queryset

    def filter_queryset(self, queryset):
        """Unit, kind and role combine on one assignment: "tasks where 市司法局 leads", not "… somewhere"."""
        queryset = super().filter_queryset(queryset)
        if any(self.form.cleaned_data.get(name) for name in ("unit", "unit_kind", "role")):
            queryset = queryset.filter(Exists(self._assignments()))
        return queryset

    def filter_words(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(content__icontains=word) | Q(responsibility_text__icontains=word)
            )
        return queryset


class ReportFilter(django_filters.FilterSet):
    """The review queue's filters: period, section, unit, unit kind, state."""

    period = django_filters.ModelChoiceFilter(
        widget=OneLoopSelect, label=_("报送期"), queryset=None, empty_label=_("全部报送期")
    )
    section = django_filters.ModelChoiceFilter(
        widget=OneLoopSelect, label=_("部分"), queryset=None, empty_label=_("全部部分"), field_name="assignment__task__section"
    )
    unit = django_filters.ModelChoiceFilter(
        widget=OneLoopSelect, label=_("单位"), queryset=None, empty_label=_("全部单位"), field_name="assignment__unit"
    )
    unit_kind = django_filters.ChoiceFilter(
        widget=OneLoopSelect, label=_("单位类别"), choices=Unit.Kind.choices, empty_label=_("全部类别"), field_name="assignment__unit__kind"
    )
    state = django_filters.ChoiceFilter(
        widget=OneLoopSelect, label=_("状态"), choices=ProgressReport.State.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = ProgressReport
        fields = ["period", "section", "unit", "unit_kind", "state"]

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["period"].queryset = ReportingPeriod.objects.filter(plan__in=plans).select_related("plan")
        self.filters["section"].queryset = Section.objects.filter(plan__in=plans).order_by("plan", "number")
        self.filters["unit"].queryset = (
            Unit.objects.filter(assignments__task__plan__in=plans, assignments__is_active=True).distinct().order_by("order", "name")
        )
