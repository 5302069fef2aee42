"""The daily log's forms. The field pages' forms (a quick report, an entry) are drawn here
but sent by the page's script to the API, which checks them with the services; the other
forms are posted to the pages and turned into a service's arguments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.areas.models import Level
from fengqiao.cases.models import CaseCategory, Grade, Kind
from fengqiao.gridops.models import Activity, ExcuseKind, Finding
from fengqiao.gridops.selectors import workers_for
from fengqiao.gridops.services import KIND_OF_FINDING, MAX_TEXT, QUICK_KINDS
from fengqiao.ui.forms import AreaChoiceField, textarea

# A date input of the browser's own picker takes its value as YYYY-MM-DD, whatever the
# language of the page.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERIODS = [("today", _("Today")), ("week", _("This week")), ("month", _("This month"))]
# Which workers the compliance page lists, and in what order (see `selectors.worker_rows`).
WORKER_SHOWS = [
    ("all", _("All workers")),
    ("not_logged", _("Not logged today")),
    ("missed", _("With missed days")),
]
WORKER_SORTS = [
    ("area", _("Village and grid")),
    ("missed", _("Most missed days first")),
    ("rate", _("Lowest kept rate first")),
    ("run", _("Shortest run first")),
]
# Above this many places the entry form falls back from a list to the search box (which
# needs the network); a grid worker's grid and units are a few dozen at most.
AREA_LIST_LIMIT = 150


# --------------------------------------------------------------------------- field pages
class QuickReportForm(forms.Form):
    """A hazard or a demand in four things; the categories are large buttons."""

    kind = forms.ChoiceField(
        label=_("What is it"),
        choices=[(kind.value, kind.label) for kind in QUICK_KINDS],
        widget=forms.RadioSelect,
    )
    category_id = forms.ChoiceField(label=_("Category"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("In one sentence"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("What, where, how serious"),
            }
        ),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, shown: list[CaseCategory], folded: list[CaseCategory], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.shown, self.folded = shown, folded
        self.fields["category_id"].choices = [(c.pk, c.name) for c in [*shown, *folded]]


def _place_labeller(root_level: int) -> Any:
    """Places indented under the writer's own area, so the list reads as the tree."""
    return lambda area: f"{'　' * max(0, area.level - root_level)}{area.name}"


class LogEntryForm(forms.Form):
    """An entry of the daily log, with the API's field names."""

    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    area_id = AreaChoiceField(user=None, label=_("Place"))
    address = forms.CharField(
        label=_("Address or household"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. building 3, unit 2, room 401")}),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    activity_ids = forms.ModelMultipleChoiceField(
        label=_("What was done"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    finding = forms.ChoiceField(
        label=_("What was found"), choices=Finding.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What was done and seen"), max_length=MAX_TEXT, widget=textarea(4)
    )
    settled_on_spot = forms.BooleanField(label=_("Settled on the spot"), required=False)
    settlement = forms.CharField(
        label=_("How it was settled"), required=False, max_length=500, widget=textarea(2)
    )
    category_id = forms.ModelChoiceField(
        label=_("Category of the matter settled"),
        queryset=CaseCategory.objects.filter(is_active=True),
        required=False,
    )
    backdate_reason = forms.CharField(
        label=_("Why it is written later"), required=False, max_length=200
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = jurisdiction.areas_visible(user).order_by("path")
        place = AreaChoiceField(
            user=user,
            label=_("Place"),
            initial=user.home_area_id,
            empty_label=None,
        )
        if areas.count() <= AREA_LIST_LIMIT:
            place.widget = forms.Select()
            place.label_from_instance = _place_labeller(
                user.home_area.level if user.home_area_id else Level.TOWN
            )
            place.queryset = areas
        self.fields["area_id"] = place
        self.fields["activity_ids"].queryset = Activity.objects.filter(is_active=True)


# --------------------------------------------------------------------------- log pages
class LogFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=[("mine", _("Mine")), ("area", _("My area"))], required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    finding = forms.ChoiceField(
        label=_("What was found"),
        choices=[("", _("Any")), *Finding.choices],
        required=False,
    )
    area = AreaChoiceField(user=None, label=_("Village or grid"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(
            user=user,
            levels=(Level.TOWN, Level.VILLAGE, Level.GRID, Level.UNIT),
            label=_("Village or grid"),
            required=False,
        )

    def valid_data(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        if self.is_valid():
            return self.cleaned_data
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class ToCaseForm(forms.Form):
    """Making an entry a case: its category, and the kind and grade when not the usual."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.filter(is_active=True)
    )
    kind = forms.ChoiceField(label=_("Kind of matter"), choices=Kind.choices)
    grade = forms.ChoiceField(
        label=_("Grade (disputes)"), choices=[("", "—"), *Grade.choices], required=False
    )

    def __init__(self, *args: Any, finding: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("kind", KIND_OF_FINDING.get(finding, Kind.DEMAND))
        kwargs["initial"].setdefault("grade", Grade.GENERAL)
        super().__init__(*args, **kwargs)


class ComplianceForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False)
    village = forms.ModelChoiceField(
        label=_("Village or community"), queryset=None, required=False, empty_label=_("All")
    )
    show = forms.ChoiceField(label=_("Show"), choices=WORKER_SHOWS, required=False)
    sort = forms.ChoiceField(label=_("Order"), choices=WORKER_SORTS, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            jurisdiction.areas_visible(user).filter(level=Level.VILLAGE).order_by("path")
        )

    def chosen(self) -> tuple[str, Any]:
        """The period and village asked for; what is not valid falls back to its default."""
        if not self.is_bound:
            return "today", None
        self.is_valid()
        return self.cleaned_data.get("period") or "today", self.cleaned_data.get("village")

    def listing(self) -> tuple[str, str]:
        """Which workers to list and in what order; what is not valid falls back to all, by
        village and grid."""
        if not self.is_bound:
            return "all", "area"
        self.is_valid()
        return self.cleaned_data.get("show") or "all", self.cleaned_data.get("sort") or "area"


class ExcuseForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=None)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("To"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExcuseKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, user: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": today, "ends_on": today})
        super().__init__(*args, **kwargs)
        worker = self.fields["worker"]
        worker.queryset = workers_for(user)
        worker.label_from_instance = lambda user: (
            f"{user} · {user.home_area.name}" if user.home_area_id else str(user)
        )
