"""The register's forms: what a page asks, each field checked again by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.keypersons.models import (
    Category,
    Duty,
    Level,
    ParticularKind,
    Risk,
    VisitKind,
    VisitMethod,
)
from fengqiao.ui.forms import textarea

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MENTAL_RISKS = [("", "—"), *[(str(n), str(n)) for n in range(6)]]


def _levels() -> Any:
    return Level.objects.filter(is_active=True).order_by("-rank")


class RegisterForm(forms.Form):
    """A resident on the register; each category's particulars are fields of their own,
    named `<category code>.<key>`, drawn from the category's schema."""

    level = forms.ModelChoiceField(label=_("Colour level"), queryset=None, empty_label=None)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Why the person is put on the register"), max_length=500)
    notes = forms.CharField(label=_("Notes"), required=False, widget=textarea(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = _levels()
        self.fields["level"].initial = Level.objects.filter(code="yellow").first()
        active = list(Category.objects.filter(is_active=True))
        self.fields["categories"].queryset = Category.objects.filter(is_active=True)
        self.particular_groups = []
        for category in active:
            names = []
            for spec in category.particulars or []:
                if spec.get("years_after"):
                    continue
                name = f"{category.code}.{spec['key']}"
                label = spec.get("label") or spec["key"]
                kind = spec.get("kind", ParticularKind.TEXT)
                if kind == ParticularKind.DATE:
                    field: forms.Field = forms.CharField(
                        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
                    )
                elif kind == ParticularKind.CHOICE:
                    field = forms.ChoiceField(
                        label=label,
                        required=False,
                        choices=[("", "—"), *[(c, c) for c in spec.get("choices") or []]],
                    )
                else:
                    field = forms.CharField(label=label, required=False, max_length=200)
                self.fields[name] = field
                names.append(name)
            if names:
                self.particular_groups.append((category, [self[name] for name in names]))

    def particulars(self) -> list[tuple[int, dict[str, Any]]]:
        """The categories chosen, each with what was typed for it (checked by the service)."""
        chosen = self.cleaned_data.get("categories") or []
        return [
            (
                category.pk,
                {
                    spec["key"]: self.data.get(f"{category.code}.{spec['key']}", "")
                    for spec in category.particulars or []
                    if not spec.get("years_after")
                    and self.data.get(f"{category.code}.{spec['key']}", "") != ""
                },
            )
            for category in chosen
        ]


class LevelForm(forms.Form):
    level = forms.ModelChoiceField(label=_("New level"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=textarea(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = _levels()


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    method = forms.ChoiceField(label=_("How"), choices=VisitMethod.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    findings = forms.CharField(label=_("What was found"), widget=textarea(4))
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices)
    mental_risk = forms.ChoiceField(
        label=_("Risk level (0–5), severe mental disorders"), choices=MENTAL_RISKS, required=False
    )
    companions = forms.CharField(label=_("With"), max_length=100, required=False)
    log_entry = forms.ChoiceField(label=_("From my daily log"), required=False)

    def __init__(self, *args: Any, entries: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["log_entry"].choices = [
            ("", _("Not from the daily log")),
            *[
                (entry.pk, f"{entry.occurred_at:%m-%d %H:%M} {entry.text[:30]}")
                for entry in entries
            ],
        ]


class StaffForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class TaskForm(forms.Form):
    text = forms.CharField(label=_("Task"), max_length=500, widget=textarea(2))
    due_on = forms.DateField(label=_("By"), widget=DATE_INPUT)
    assignee = forms.ChoiceField(label=_("Who"), required=False)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—"), *[(r.user_id, str(r.user)) for r in staff]]


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=500)


class ListFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Whose"),
        choices=[("mine", _("Mine")), ("all", _("All I may see"))],
        required=False,
    )
    level = forms.ModelChoiceField(
        label=_("Colour level"), queryset=None, required=False, empty_label=_("All")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("All")
    )
    due = forms.ChoiceField(
        label=_("Visits"),
        choices=[("", _("All")), ("overdue", _("Overdue")), ("week", _("Due within a week"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = _levels()
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def chosen(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v}


class ExportForm(forms.Form):
    reason = forms.CharField(label=_("Why the list is exported"), max_length=200)
