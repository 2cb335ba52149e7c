"""Model choice fields that refuse an impossible key before the database sees it.

Django's ModelChoiceField and ModelMultipleChoiceField send a posted key to the database as it is: an id beyond
any integer column raises OverflowError on SQLite (a 500), and the admin's autocomplete widget re-renders a
non-numeric one by querying with it (ValueError, a 500). These fields check the key against the target column
first — a form error, as for any unknown choice — and never re-render a key that cannot be one.
planner.apps installs them as the admin's defaults for every ForeignKey and ManyToManyField.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MAX_DB_INTEGER = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")


def possible_key(field, value):
    """Could `value` be a key of the field's queryset (its to_field_name, else the primary key)?"""
    if value in field.empty_values:
        return True
    text = str(value)
    if "\x00" in text:
        return False
    meta = field.queryset.model._meta
    target = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    while isinstance(target, (models.ForeignKey, models.OneToOneField)):
        target = target.target_field
    if isinstance(target, (models.IntegerField, models.AutoField)):
        text = text.strip()
        return bool(text.isascii() and _INTEGER.fullmatch(text)) and abs(int(text)) <= MAX_DB_INTEGER
    return True


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if not possible_key(self, value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def bound_data(self, data, initial):
        return data if possible_key(self, data) else None


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for key in value if isinstance(value, (list, tuple, set, frozenset)) else [value]:
            if not possible_key(self, key):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                )
        return super()._check_values(value)

    def bound_data(self, data, initial):
        if isinstance(data, (list, tuple)):
            return [key for key in data if possible_key(self, key)]
        return data
