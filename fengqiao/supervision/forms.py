"""Input of the supervision pages: the list's filters and period, raising, the transitions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import ADMIN_ROLES
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.supervision.models import OrderState, SupervisionLevel
from fengqiao.supervision.services import MAX_TEXT


def level_choices() -> list[tuple[str, str]]:
    return [(level.code, level.name) for level in SupervisionLevel.objects.order_by("rank")]


class OrderFilterForm(forms.Form):
    target = forms.ChoiceField(label=_("Lead unit"), required=False)
    level = forms.ChoiceField(label=_("Supervision level"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Not yet closed")), ("all", _("All")), *OrderState.choices],
    )
    overdue = forms.BooleanField(label=_("Reply overdue"), required=False)
    since = forms.DateField(
        label=_("Figures from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Figures until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("All lead units")), *targets]
        self.fields["level"].choices = [("", _("All levels")), *level_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period comes before its start."))
        return data


def person_choices(actor: Any) -> list[tuple[str, str]]:
    """Staff a leader may name as the lead person: active, with an everyday role, living in
    the leader's area (or an agency's liaison)."""
    areas = jurisdiction.areas_visible(actor)
    people = (
        User.objects.filter(is_active=True, role_grants__isnull=False)
        .exclude(role_grants__role__in=ADMIN_ROLES)
        .filter(Q(home_area__in=areas) | Q(agency__isnull=False))
        .distinct()
        .order_by("full_name", "username")
    )
    return [(f"person:{user.pk}", str(user)) for user in people]


class RaiseForm(forms.Form):
    matter = forms.CharField(
        label=_("Matter supervised"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Left empty: the case number and title."),
    )
    instruction = forms.CharField(
        label=_("Instruction"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the lead unit must do, and by when it must report."),
    )
    level = forms.ChoiceField(label=_("Supervision level"))
    target = forms.ChoiceField(
        label=_("Lead unit"),
        required=False,
        help_text=_("Left empty: whoever handles the case now."),
    )
    assisting_teams = forms.MultipleChoiceField(
        label=_("Assisting teams"), required=False, widget=forms.CheckboxSelectMultiple
    )
    assisting_agencies = forms.MultipleChoiceField(
        label=_("Assisting agencies"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = [(str(team.pk), team.name) for team in MediationOrganization.objects.all()]
        agencies = [
            (str(agency.pk), agency.name) for agency in Agency.objects.filter(is_active=True)
        ]
        self.fields["level"].choices = level_choices()
        self.fields["target"].choices = [
            ("", _("The case's current handler")),
            (_("People"), person_choices(actor)),
            (_("Mediation teams"), [(f"team:{pk}", name) for pk, name in teams]),
            (_("Agencies"), [(f"agency:{pk}", name) for pk, name in agencies]),
        ]
        self.fields["assisting_teams"].choices = teams
        self.fields["assisting_agencies"].choices = agencies

    def target_arguments(self) -> dict[str, Any]:
        kind, _sep, pk = self.cleaned_data.get("target", "").partition(":")
        field = {"person": "target_user", "team": "target_team", "agency": "target_agency"}
        return {field[kind]: int(pk)} if kind in field else {}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply of the handler"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(forms.Form):
    review = forms.CharField(
        label=_("Review of the supervision office"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
