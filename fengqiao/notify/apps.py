from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "fengqiao.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.core import checks

        from fengqiao.notify.checks import check_channels

        checks.register(check_channels)
