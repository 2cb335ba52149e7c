from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = _("站点")

    def ready(self):
        # Every admin form's ForeignKey / ManyToManyField refuses an impossible id as a form error (lib.forms),
        # in every ModelAdmin and inline, Django's own (users' groups) included. Inlines copy the defaults when
        # they are made (per request); the ModelAdmins registered before this ran copied them already.
        from django.contrib import admin
        from django.contrib.admin import options
        from django.db import models

        from lib.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

        safe = {models.ForeignKey: SafeModelChoiceField, models.ManyToManyField: SafeModelMultipleChoiceField}
        registered = [model_admin.formfield_overrides for model_admin in admin.site._registry.values()]
        for overrides in [options.FORMFIELD_FOR_DBFIELD_DEFAULTS, *registered]:
            for field_class, form_class in safe.items():
                overrides.setdefault(field_class, {}).setdefault("form_class", form_class)
