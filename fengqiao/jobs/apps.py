from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "fengqiao.jobs"
    label = "jobs"
    verbose_name = _("Scheduled jobs")

    def ready(self) -> None:
        from django.core import checks

        from fengqiao.jobs.checks import check_deadline_warning

        checks.register(check_deadline_warning)
