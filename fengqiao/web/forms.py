from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fengqiao.people.models import Gender
from fengqiao.ui.forms import AreaChoiceField


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        required=False,
        help_text=_("18 characters; gender and date of birth are read from it."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("(from the ID number)")), *Gender.choices],
        required=False,
    )
    phone = forms.CharField(label=_("Phone"), max_length=24, required=False)
    ethnicity = forms.CharField(label=_("Ethnic group"), max_length=20, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(
            user=user, label=_("Area"), help_text=_("Search by name or code.")
        )

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal next to the fields it names; nothing was saved."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", _("ID number")), ("phone", _("Phone"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
