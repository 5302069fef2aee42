"""Input of the follow-up pages: the queue's filters and the record form (phone-sized)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.followups.models import Method, OnFailure, Satisfaction
from fengqiao.followups.selectors import BUCKETS

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class QueueFilterForm(forms.Form):
    bucket = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("all", _("All to do")),
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("upcoming", _("Upcoming")),
            ("decision", _("Awaiting a leader's decision")),
            ("done", _("Done")),
        ],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def clean_bucket(self) -> str:
        bucket = self.cleaned_data["bucket"] or "all"
        return bucket if bucket in BUCKETS else "all"


class RecordForm(forms.Form):
    """One attempt; a field per agreed term ("term_<id>": performed yes / no)."""

    method = forms.ChoiceField(
        label=_("Follow-up method"),
        choices=Method.choices,
        widget=forms.RadioSelect,
        initial=Method.PHONE,
    )
    reached = forms.ChoiceField(
        label=_("Party reached"), choices=YES_NO, widget=forms.RadioSelect, initial="yes"
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    on_failure = forms.ChoiceField(
        label=_("If a term was not performed or the party is dissatisfied"),
        choices=OnFailure.choices,
        widget=forms.RadioSelect,
        initial=OnFailure.REOPEN,
    )

    def __init__(
        self, *args: Any, terms: list[Any] = (), labels: dict[int, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.term_names: list[str] = []
        for term in terms:
            name = f"term_{term.pk}"
            self.fields[name] = forms.ChoiceField(
                label=(labels or {}).get(term.pk, str(term)),
                choices=YES_NO,
                widget=forms.RadioSelect,
                required=False,
            )
            self.term_names.append(name)

    @property
    def term_fields(self) -> list[Any]:
        return [self[name] for name in self.term_names]

    @property
    def other_fields(self) -> list[Any]:
        return [self[name] for name in ("satisfaction", "notes", "on_failure")]

    def service_inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        reached = data["reached"] == "yes"
        checks = {}
        if reached:
            for name in self.term_names:
                if data.get(name) in ("yes", "no"):
                    checks[int(name.removeprefix("term_"))] = data[name] == "yes"
        return {
            "method": data["method"],
            "reached": reached,
            "satisfaction": data["satisfaction"] if reached else "",
            "term_checks": checks,
            "notes": data["notes"],
            "on_failure": data["on_failure"],
        }
