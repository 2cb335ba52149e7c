"""Excel/CSV import and export of plan tasks (django-import-export), with Chinese headers."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from units.resources import NamedForeignKeyWidget

from .models import Section, Task, WorkPlan

DOC_NUMBER = _("文号")


class SectionWidget(widgets.Widget):
    """The section given by its number within the row's plan (the plan comes from the 文号 column)."""

    def clean(self, value, row=None, **kwargs):
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(_("部分序号应为数字，如 1、2、3。")) from None
        doc_number = str((row or {}).get(str(DOC_NUMBER), "")).strip()
        section = Section.objects.filter(plan__doc_number=doc_number, number=number).first()
        if section is None:
            raise ValueError(
                _("计划“%(doc)s”中没有第%(number)s部分，请先在计划中添加该部分。")
                % {"doc": doc_number, "number": number}
            )
        return section

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


class TaskResource(resources.ModelResource):
    plan = fields.Field(
        attribute="plan",
        column_name=DOC_NUMBER,
        widget=NamedForeignKeyWidget(WorkPlan, "doc_number", _("文号为此的工作计划")),
    )
    section = fields.Field(attribute="section", column_name=_("部分序号"), widget=SectionWidget())
    number = fields.Field(attribute="number", column_name=_("编号"), widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name=_("标题"))
    content = fields.Field(attribute="content", column_name=_("任务内容"))
    deadline = fields.Field(attribute="deadline", column_name=_("完成时限"), widget=widgets.DateWidget())
    responsibility_text = fields.Field(attribute="responsibility_text", column_name=_("责任分工原文"))

    class Meta:
        model = Task
        fields = ("plan", "section", "number", "title", "content", "deadline", "responsibility_text")
        import_id_fields = ("plan", "number")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def get_queryset(self):
        return super().get_queryset().select_related("plan", "section")
