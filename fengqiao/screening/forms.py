"""Input of the screening pages: opening and closing a round, a zero report, a finding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.areas.models import Area
from fengqiao.cases.models import CaseCategory, Grade, PartyRole
from fengqiao.cases.services import PartyInput
from fengqiao.people.models import Organization, Person
from fengqiao.people.selectors import organization_list_for_user, person_list_for_user
from fengqiao.screening.models import FindingKind, RoundKind
from fengqiao.screening.services import MAX_TEXT, FindingInput
from fengqiao.screening.services.rounds import MAX_TITLE, ROUND_LEVELS
from fengqiao.ui.forms import textarea

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenRoundForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of round"),
        choices=RoundKind.choices,
        initial=RoundKind.REGULAR,
        widget=forms.RadioSelect,
    )
    period_start = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=DATE,
        help_text=_("Left empty for a regular round: the current half month."),
    )
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    due_on = forms.DateField(
        label=_("Reports due by"),
        required=False,
        widget=DATE,
        help_text=_("Left empty: the working days the screening rule allows after the period."),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=MAX_TITLE,
        help_text=_("Left empty: the period's usual title."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas screened"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = jurisdiction.areas_visible(actor).filter(level__in=ROUND_LEVELS).order_by("path")
        self.fields["areas"].choices = [(str(area.pk), area.name) for area in areas]
        if actor.home_area_id:
            self.fields["areas"].initial = [str(actor.home_area_id)]


class CloseRoundForm(forms.Form):
    note = forms.CharField(
        label=_("Note on closing"), required=False, max_length=MAX_TEXT, widget=textarea(2)
    )


class ZeroReportForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_TEXT,
        widget=textarea(2),
        help_text=_("For example: every household of the unit visited, nothing found."),
    )


class PartyChoiceForm(forms.Form):
    """A party found with the intake's search: a resident or an organisation (hidden ids
    filled by the search, as on the intake form)."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.role = role

    @property
    def chosen(self) -> dict[str, Any] | None:
        """The party chosen (for the page's label), or None."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        person = data.get("person") or (self.initial or {}).get("person")
        organization = data.get("organization") or (self.initial or {}).get("organization")
        if person:
            found: Person | None = person_list_for_user(user=self.actor).filter(pk=person).first()
            return {"label": found.name} if found else None
        if organization:
            org: Organization | None = (
                organization_list_for_user(user=self.actor).filter(pk=organization).first()
            )
            return {"label": org.name} if org else None
        return None

    def party(self) -> PartyInput | None:
        data = self.cleaned_data
        if data.get("person"):
            return PartyInput(role=self.role, person_id=data["person"])
        if data.get("organization"):
            return PartyInput(role=self.role, organization_id=data["organization"])
        return None


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What was found"), choices=FindingKind.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("What was found, in a few sentences"), max_length=MAX_TEXT, widget=textarea(3)
    )
    area = forms.ModelChoiceField(label=_("Where"), queryset=Area.objects.none(), empty_label=None)
    grade = forms.ChoiceField(
        label=_("Grade (disputes)"), choices=Grade.choices, initial=Grade.GENERAL, required=False
    )
    handled_on_spot = forms.BooleanField(label=_("Handled on the spot"), required=False)
    handled_note = forms.CharField(
        label=_("How it was handled"), required=False, max_length=MAX_TEXT, widget=textarea(2)
    )

    def __init__(self, *args: Any, actor: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(is_active=True)
        places = jurisdiction.areas_visible(actor).filter(path__startswith=area.path)
        self.fields["area"].queryset = places.order_by("path")
        self.fields["area"].initial = area.pk
        data = args[0] if args else kwargs.get("data")
        self.parties = [
            PartyChoiceForm(data, prefix=role, actor=actor, role=role)
            for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)
        ]

    def is_valid(self) -> bool:
        own = super().is_valid()
        return all([own, *(party.is_valid() for party in self.parties)])

    def finding(self) -> FindingInput:
        data = self.cleaned_data
        return FindingInput(
            kind=data["kind"],
            category=data["category"],
            text=data["text"],
            grade=data.get("grade") or "",
            parties=[party for form in self.parties if (party := form.party()) is not None],
            area=data["area"],
            handled_on_spot=data.get("handled_on_spot", False),
            handled_note=data.get("handled_note", ""),
        )
