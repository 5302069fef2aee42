from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridopsConfig(AppConfig):
    name = "fengqiao.gridops"
    label = "gridops"
    verbose_name = _("Grid operations")
