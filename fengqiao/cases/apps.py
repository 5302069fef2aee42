from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fengqiao.areas.services import register_path_copy
        from fengqiao.cases.services import case_recompute_deadlines
        from fengqiao.workcal.services import on_calendar_change

        register_path_copy("cases.Case", "area_path")
        on_calendar_change(case_recompute_deadlines)
