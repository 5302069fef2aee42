"""Input of the mediation pages. They check the shape of the input; the rules stay in
`mediation.services`, whose refusals are shown next to the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, CaseParty
from fengqiao.core.errors import DomainError
from fengqiao.mediation.models import (
    Agreement,
    JudicialResult,
    Mediation,
    Regime,
    Setting,
)
from fengqiao.mediation.selectors import proposed_team_for
from fengqiao.mediation.services import FAILURE, FAILURE_OUTCOMES, SUCCESS, TermInput
from fengqiao.orgs.models import Agency, AgencyKind, MediationOrganization
from fengqiao.ui.forms import DATETIME_LOCAL, DateTimeLocalInput, MultipleFileField
from fengqiao.ui.forms import apply_domain_error as _apply

MAX_TERM_ROWS = 30


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PartyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CaseParty) -> str:
        return f"{obj.get_role_display()} · {obj}"


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class DomainErrorForm(forms.Form):
    ALIASES: dict[str, str] = {}

    def apply_domain_error(self, error: DomainError) -> None:
        _apply(self, error, self.ALIASES)


def mediator_choices(case: Case) -> QuerySet[User]:
    """Mediators and agency liaisons who could take the case, and its handler."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_grants__role__in=[Role.MEDIATOR, Role.AGENCY_LIAISON, Role.VILLAGE_CADRE])
            | Q(pk=case.handler_user_id or 0)
        )
        .distinct()
        .order_by("full_name", "username")
    )


class StartForm(DomainErrorForm):
    regime = forms.ChoiceField(label=_("Kind of mediation"), choices=Regime.choices)
    organization = forms.ModelChoiceField(
        label=_("Committee or team"),
        queryset=MediationOrganization.objects.order_by("kind", "name"),
        required=False,
        empty_label="—",
        help_text=_("For people's mediation."),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="—",
        help_text=_("For administrative mediation (a department) or judicial mediation (a court)."),
    )

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediators"] = UserChoiceField(
            label=_("Mediators"),
            queryset=mediator_choices(case),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Name at least one mediator.")},
        )
        if not self.is_bound:
            team = case.handler_team or proposed_team_for(case)
            self.initial.setdefault("regime", Regime.PEOPLE)
            if team is not None:
                self.initial.setdefault("organization", team.pk)
                members = team.members.filter(pk=user.pk)
                self.initial.setdefault("mediators", list(members.values_list("pk", flat=True)))

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "regime": data["regime"],
            "organization": data["organization"],
            "agency": data["agency"],
            "mediators": list(data["mediators"]),
        }


class SessionForm(DomainErrorForm):
    held_at = forms.DateTimeField(
        label=_("Held at"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    others_present = forms.CharField(
        label=_("Others present"),
        required=False,
        widget=_textarea(2),
        help_text=_("People invited to help (village elders, lawyers …), one per line."),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=_textarea(10),
        help_text=_(
            "Rights explained, each side's statement, evidence, the terms agreed or why it "
            "failed. Start dialogue lines with the speaker, e.g. 调解员：…"
        ),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP) and PDF scans."),
    )

    def __init__(self, *args: Any, mediation: Mediation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = mediation.case
        self.fields["parties_present"] = PartyChoiceField(
            label=_("Parties present"),
            queryset=case.parties.select_related("person", "organization").order_by("id"),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.fields["recorder"] = forms.ModelChoiceField(
            label=_("Recorder"),
            queryset=User.objects.filter(
                Q(pk__in=mediation.mediators.values("pk"))
                | Q(pk__in=mediator_choices(case).values("pk"))
            ).order_by("full_name", "username"),
            required=False,
            empty_label="—",
        )
        self.order_fields(
            ["held_at", "place", "setting", "parties_present", "others_present", "recorder"]
        )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_at": data["held_at"],
            "place": data["place"],
            "setting": data["setting"],
            "minutes": data["minutes"],
            "parties_present": list(data["parties_present"]),
            "others_present": data["others_present"],
            "recorder": data["recorder"],
            "attachments": data["attachments"],
        }


class OutcomeForm(DomainErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(SUCCESS, _("Success: an agreement was reached")), (FAILURE, _("Failure"))],
        widget=forms.RadioSelect,
    )
    guided_to = forms.ChoiceField(
        label=_("If it failed: the parties were guided to"),
        choices=[("", "—"), *((o.value, o.label) for o in FAILURE_OUTCOMES)],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=_textarea(3),
        help_text=_("What was agreed, or why it failed and where the parties can go next."),
    )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "guided_to": data["guided_to"],
            "note": data["note"],
            "expected_version": data["version"],
        }


class AgreementForm(DomainErrorForm):
    oral = forms.BooleanField(
        label=_("Oral agreement"),
        required=False,
        help_text=_("The parties agreed orally; record its content below."),
    )
    made_on = forms.DateField(label=_("Made on"), widget=DateInput())
    facts = forms.CharField(label=_("Main facts"), widget=_textarea(4))
    matters = forms.CharField(label=_("Matters in dispute"), widget=_textarea(3))
    responsibilities = forms.CharField(
        label=_("Each party's responsibility"), widget=_textarea(3), required=False
    )
    performance_note = forms.CharField(
        label=_("Manner and time of performance"),
        widget=_textarea(2),
        required=False,
        help_text=_("In prose, if needed; for an oral agreement, its content."),
    )

    def __init__(self, *args: Any, mediation: Mediation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"] = PartyChoiceField(
            label=_("Parties"),
            queryset=mediation.case.parties.select_related("person", "organization").order_by("id"),
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _(
                    "An agreement needs its parties: choose them from the case's parties."
                )
            },
        )
        self.order_fields(["oral", "parties", "made_on"])


class TermForm(forms.Form):
    obligor = forms.TypedChoiceField(label=_("Who performs"), coerce=int, required=False)
    obligor_text = forms.CharField(label=_("or, as written"), max_length=100, required=False)
    content = forms.CharField(label=_("What"), widget=_textarea(2), required=False)
    manner = forms.CharField(label=_("How"), max_length=200, required=False)
    due_on = forms.DateField(label=_("By when"), widget=DateInput(), required=False)
    recurring = forms.CharField(
        label=_("Regular upkeep afterwards"),
        max_length=200,
        required=False,
        help_text=_("E.g. trim the trees every spring."),
    )

    def __init__(self, *args: Any, parties: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["obligor"].choices = [("", "—"), *parties]

    @property
    def blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("obligor", "obligor_text", "content", "due_on"))

    def term_input(self) -> TermInput:
        data = self.cleaned_data
        return TermInput(
            content=data.get("content") or "",
            due_on=data.get("due_on"),
            manner=data.get("manner") or "",
            obligor_party_id=data.get("obligor") or None,
            obligor_text=data.get("obligor_text") or "",
            recurring=data.get("recurring") or "",
        )


class BaseTermFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, parties: list[tuple[Any, str]], **kwargs: Any) -> None:
        self.parties = parties
        super().__init__(*args, **kwargs)
        self.term_errors: list[str] = []
        self._index_map: list[int] = []

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"parties": self.parties}

    @property
    def empty_form(self) -> forms.Form:
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            parties=self.parties,
        )
        self.add_fields(form, None)
        return form

    def term_inputs(self) -> list[TermInput]:
        """The filled rows; a row left blank is not a term."""
        inputs, self._index_map = [], []
        for index, form in enumerate(self.forms):
            if form.blank:
                continue
            inputs.append(form.term_input())
            self._index_map.append(index)
        return inputs

    def apply_domain_error(self, error: DomainError) -> bool:
        parts = (error.field or "").split(".")
        if parts[0] != "terms":
            return False
        if len(parts) == 1 or not parts[1].isdigit() or int(parts[1]) >= len(self._index_map):
            self.term_errors.append(error.message)
            return True
        form = self.forms[self._index_map[int(parts[1])]]
        field = parts[2] if len(parts) > 2 else None
        form.add_error(field if field in form.fields else None, error.message)
        return True


TermFormSet = forms.formset_factory(
    TermForm,
    formset=BaseTermFormSet,
    extra=0,
    max_num=MAX_TERM_ROWS,
    absolute_max=MAX_TERM_ROWS,
    validate_max=True,
)


def party_options(mediation: Mediation) -> list[tuple[Any, str]]:
    return [
        (party.pk, f"{party.get_role_display()} · {party}")
        for party in mediation.case.parties.select_related("person", "organization").order_by("id")
    ]


def term_formset(
    mediation: Mediation,
    data: Any = None,
    agreement: Agreement | None = None,
    initial: list[dict[str, Any]] | None = None,
) -> BaseTermFormSet:
    parties = party_options(mediation)
    if data is not None:
        return TermFormSet(data, prefix="terms", parties=parties)
    if initial is not None:
        return TermFormSet(prefix="terms", parties=parties, initial=initial)
    initial = [
        {
            "obligor": term.obligor_id,
            "obligor_text": term.obligor_text,
            "content": term.content,
            "manner": term.manner,
            "due_on": term.due_on,
            "recurring": term.recurring,
        }
        for term in (agreement.terms.order_by("position") if agreement else [])
    ] or [{}]
    return TermFormSet(prefix="terms", parties=parties, initial=initial)


class SignatureForm(DomainErrorForm):
    ALIASES = {"attachments": "attachments"}

    signer = forms.ChoiceField(label=_("Who signed"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    attachments = MultipleFileField(
        label=_("Scan of the signed paper"),
        required=False,
        help_text=_("PDF or photos of the signed agreement."),
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        signed = list(agreement.signatures.all())
        party_ids = {s.party_id for s in signed}
        mediator_ids = {s.mediator_id for s in signed}
        choices = [
            (f"party:{party.pk}", f"{party.get_role_display()} · {party}")
            for party in agreement.parties.select_related("person", "organization").order_by("id")
            if party.pk not in party_ids
        ] + [
            (f"mediator:{user.pk}", _("Mediator · %(name)s") % {"name": user})
            for user in agreement.mediation.mediators.order_by("id")
            if user.pk not in mediator_ids
        ]
        self.fields["signer"].choices = [("", "—"), *choices]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _sep, pk = data["signer"].partition(":")
        return {
            "party": int(pk) if kind == "party" else None,
            "mediator": int(pk) if kind == "mediator" else None,
            "signed_on": data["signed_on"],
            "attachments": data["attachments"],
        }


class JudicialForm(DomainErrorForm):
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput())
    court = forms.ModelChoiceField(
        label=_("Court"),
        queryset=Agency.objects.filter(kind=AgencyKind.COURT, is_active=True),
        required=False,
        empty_label="—",
    )
    court_name = forms.CharField(label=_("or the court's name"), max_length=100, required=False)

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "applied_on": data["applied_on"],
            "court": data["court"],
            "court_name": data["court_name"],
        }


class JudicialResultForm(DomainErrorForm):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(v, lb) for v, lb in JudicialResult.choices if v != JudicialResult.PENDING],
    )
    result_on = forms.DateField(label=_("Result on"), widget=DateInput())

    def arguments(self) -> dict[str, Any]:
        return {"result": self.cleaned_data["result"], "result_on": self.cleaned_data["result_on"]}
