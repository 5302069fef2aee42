"""Input of the alert pages: the board's filters, a transition's note, a leader's flag."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.alerts.models import Severity, Status
from fengqiao.alerts.rules import all_rules


def status_choices() -> list[tuple[str, str]]:
    return [("active", _("Not yet closed")), ("all", _("All")), *Status.choices]


def rule_choices() -> list[tuple[str, str]]:
    return [("", _("All rules")), *((code, rule.label) for code, rule in all_rules().items())]


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=status_choices, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All severities")), *Severity.choices], required=False
    )
    rule = forms.ChoiceField(label=_("Rule"), choices=rule_choices, required=False)


class AlertActForm(forms.Form):
    note = forms.CharField(label=_("Note or reason"), max_length=2000, required=False)
    next = forms.CharField(required=False, max_length=500)


class FlagCaseForm(forms.Form):
    case = forms.IntegerField(label=_("Case"), min_value=1)
    note = forms.CharField(label=_("Why it needs attention"), max_length=2000)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.HIGH, required=False
    )
