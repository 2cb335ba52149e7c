"""The form renderer (settings.FORM_RENDERER): Django's own widgets, written by flat templates.

Django renders a widget through a chain of small templates — a radio group is multiple_input.html, then for each
choice radio_option.html → input_option.html → input.html → attrs.html — and every {% include %} looks its
template up again, and attrs.html's loop costs about 12 µs an attribute. The templates under
templates/widgets/flat/ are the same markup with the includes written in and the attributes made once here
(`attributes`: attrs.html's rule, every name and value escaped): the output is character for character Django's
(tests/test_form_renderer.py compares them, hostile values included), and attributes set on a widget or by a bound
field (id, aria-describedby, readonly, maxlength …) are written as Django writes them. Every other template (the
admin's own widgets, select boxes, the form, field and label templates) is Django's, through Django's renderer.
"""

from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString

WIDGETS = "django/forms/widgets/"
INPUTS = (
    "input", "text", "hidden", "number", "email", "password", "url", "search", "tel", "color", "date",
    "datetime", "time", "checkbox", "file",
)  # fmt: skip
MULTIPLE = "widgets/flat/multiple_input.html"
FLAT = {
    **{f"{WIDGETS}{name}.html": "widgets/flat/input.html" for name in INPUTS},
    f"{WIDGETS}textarea.html": "widgets/flat/textarea.html",
    f"{WIDGETS}clearable_file_input.html": "widgets/flat/clearable_file_input.html",
    f"{WIDGETS}radio.html": MULTIPLE,
    f"{WIDGETS}checkbox_select.html": MULTIPLE,
    f"{WIDGETS}multiple_input.html": MULTIPLE,
    f"{WIDGETS}radio_option.html": "widgets/flat/input_option.html",
    f"{WIDGETS}checkbox_option.html": "widgets/flat/input_option.html",
    f"{WIDGETS}input_option.html": "widgets/flat/input_option.html",
}
# A radio group or check-box list is written flat only when each choice uses Django's own option template (a
# widget with another option_template_name gets Django's loop, which includes that template).
STANDARD_OPTIONS = {f"{WIDGETS}radio_option.html", f"{WIDGETS}checkbox_option.html"}
# errors/list/default.html only includes ul.html.
SAME = {"django/forms/errors/list/default.html": "django/forms/errors/list/ul.html"}


def attributes(attrs):
    """django/forms/widgets/attrs.html: ` name="value"` for each attribute, ` name` for True, nothing for False."""
    return SafeString(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def with_attributes(widget):
    return {**widget, "attributes": attributes(widget["attrs"])}


class FlatWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        flat = FLAT.get(template_name)
        if flat is None:
            return super().render(SAME.get(template_name, template_name), context, request)
        widget = with_attributes(context["widget"])
        if flat == MULTIPLE:
            groups = widget.get("optgroups", ())
            if not all(option["template_name"] in STANDARD_OPTIONS for _g, options, _i in groups for option in options):
                return super().render(template_name, context, request)
            widget["optgroups"] = [
                (group, [with_attributes(option) for option in options], index) for group, options, index in groups
            ]
        # No request: a widget needs no context processor.
        return get_template(flat).render({**context, "widget": widget}).strip()
