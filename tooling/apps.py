from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolingConfig(AppConfig):
    name = "tooling"
    verbose_name = _("测量工具")
