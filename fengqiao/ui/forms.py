"""Form pieces every page's forms share, below the domains so that their forms (mediation,
reports) and the shell's (`web`) use the same ones: the area picker, date-time and
several-file inputs, and how a service's refusal lands on a form.

A form checks the shape of the input and turns it into a service's arguments; the rules
stay in the services, whose refusals (`DomainError.field`, every problem of an
`InvalidInput`) are shown next to the fields they name (`apply_domain_error`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.areas.models import Area
from fengqiao.core.errors import DomainError

ATTACHMENT_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class AreaPickerWidget(forms.Widget):
    """A search box that finds areas by name or code (htmx) and keeps the chosen id."""

    template_name = "ui/widgets/area_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = None
        if value not in (None, ""):
            chosen = Area.objects.filter(pk=value).first()
        context["widget"].update(
            {
                "chosen": chosen,
                "search_url": reverse("area_picker") + f"?field={name}",
            }
        )
        return context


class AreaChoiceField(forms.ModelChoiceField):
    """An area inside the user's jurisdiction; anything else is "not found"."""

    widget = AreaPickerWidget
    default_error_messages = {
        "invalid_choice": _("Choose an area from the list; this one is not in your area."),
    }

    def __init__(self, *, user: Any, levels: tuple[int, ...] | None = None, **kwargs: Any):
        queryset = jurisdiction.areas_visible(user)
        if levels:
            queryset = queryset.filter(level__in=levels)
        super().__init__(queryset=queryset, **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; their kind and size are checked by the services."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
            if self.required and not files:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return files
        return [single(data, initial)] if data else []


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def apply_domain_error(
    form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None
) -> None:
    """Put each problem of a service's refusal next to the field it names, or at the top of
    the form; a field that already shows an error keeps that one."""
    for problem in error.problems:
        field = (aliases or {}).get(problem.field or "", problem.field)
        if field in form.fields:
            if field not in form.errors:
                form.add_error(field, problem.message)
        elif problem.message not in form.non_field_errors():
            form.add_error(None, problem.message)
