from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.alerts.models import AlertRule
from fengqiao.alerts.rules import get_rule
from fengqiao.alerts.services import alert_rules_install


@admin.register(AlertRule)
class AlertRuleAdmin(AuditedConfigAdmin):
    """The warning rules' switches and thresholds. Rows come from the rule registry; the
    model's `clean` has each rule check its thresholds, so a value out of range is refused
    with the reason and nothing is saved."""

    list_display = ["__str__", "code", "enabled", "thresholds", "updated_at"]
    list_editable = ["enabled"]
    fields = ["code", "description", "allowed", "enabled", "thresholds"]
    readonly_fields = ["code", "description", "allowed"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        alert_rules_install()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("what it watches"))
    def description(self, obj: AlertRule) -> str:
        rule = get_rule(obj.code)
        return str(rule.description) if rule else "—"

    @admin.display(description=_("thresholds allowed"))
    def allowed(self, obj: AlertRule) -> str:
        rule = get_rule(obj.code)
        if rule is None or not rule.thresholds:
            return str(_("This rule has no thresholds."))
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{}</code>: {} ({}–{}, {} {})</li>",
                (
                    (
                        t.name,
                        t.label,
                        t.minimum,
                        t.maximum,
                        _("default"),
                        rule.default_thresholds[t.name],
                    )
                    for t in rule.thresholds
                ),
            ),
        )
