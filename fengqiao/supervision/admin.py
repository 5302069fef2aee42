from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.supervision.models import SupervisionLevel


@admin.register(SupervisionLevel)
class SupervisionLevelAdmin(AuditedConfigAdmin):
    """The tiers of supervision. No national scheme exists; many places use three colours,
    blue (first reminder), orange (blue ignored, or a major matter) and red (orange ignored,
    or special handling). A missed reply moves an order to the next rank up."""

    list_display = ["rank", "name", "code", "reply_working_days", "colour"]
    list_display_links = ["name"]
    ordering = ["rank"]
    fields = ["code", "name", "rank", "reply_working_days", "colour", "about"]
    readonly_fields = ["about"]

    @admin.display(description=_("about the tiers"))
    def about(self, obj: Any = None) -> str:
        return str(
            _(
                "Many places colour their tiers blue, orange and red. A reply missed at one "
                "level moves the order to the next rank up, with a new reply time from "
                "that level; at the highest rank it is marked overdue."
            )
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Orders point at their level; an unused level may go.
        if obj is not None and obj.pk is not None:
            from fengqiao.supervision.models import SupervisionOrder

            if SupervisionOrder.objects.filter(level=obj).exists():
                return False
        return super().has_delete_permission(request, obj)
