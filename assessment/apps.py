from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("考核与通报")

    def ready(self):
        # The year-end report's part editor shows the good practice marked here (annual imports no assessment).
        from annual.assembly import register_material_source

        from .practice import practices_for_reports

        register_material_source(practices_for_reports)
