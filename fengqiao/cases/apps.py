from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fengqiao.areas.services import register_path_copy

        register_path_copy("cases.Case", "area_path")
