"""The filter of the figures page: period, area (inside the user's jurisdiction), team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.orgs.models import MediationOrganization
from fengqiao.reports.mediation import FigureFilter
from fengqiao.reports.presenting import BREAKDOWN_LABELS
from fengqiao.ui.forms import AreaChoiceField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FigureFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    team = forms.ModelChoiceField(
        label=_("Handling team"),
        queryset=MediationOrganization.objects.order_by("kind", "name"),
        required=False,
        empty_label=_("All teams"),
    )
    by = forms.ChoiceField(
        label=_("Break down by"), choices=list(BREAKDOWN_LABELS.items()), required=False
    )

    def __init__(self, data: Any = None, *, user: Any, today: dt.date) -> None:
        # An empty query string shows the year so far; a half-filled one keeps its defaults.
        defaults = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()}
        if data is not None:
            data = data.copy()
            for name, value in defaults.items():
                if not data.get(name):
                    data[name] = value
        else:
            data = defaults | {"by": "area"}
        super().__init__(data)
        self.fields["area"] = AreaChoiceField(
            user=user,
            label=_("Area"),
            required=False,
            help_text=_("Empty: all of your area."),
        )
        self.order_fields(["start", "end", "area", "team", "by"])

    def figure_filter(self) -> FigureFilter:
        data = self.cleaned_data
        return FigureFilter(
            period_start=data["start"],
            period_end=data["end"],
            area=data.get("area"),
            team=data.get("team"),
        )

    @property
    def breakdown(self) -> str:
        return self.cleaned_data.get("by") or "area"
