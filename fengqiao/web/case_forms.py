"""Forms of the case pages: one-stop intake, the work-queue filters and one form per action.

They check the shape of the input and turn it into the arguments of `cases.services`; the
rules of the domain stay in the services, whose refusals (`DomainError.field`) are shown
next to the field they name (`apply_domain_error`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.cases import selectors, workflow
from fengqiao.cases.models import (
    Case,
    CaseCategory,
    Channel,
    Grade,
    Kind,
    Outcome,
    PartyRole,
    State,
)
from fengqiao.cases.selectors import QueueFilter, case_list_for_user
from fengqiao.cases.services import MAX_EXTENSION_DAYS, REQUIRED_MESSAGES, PartyInput
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.mediation.selectors import proposed_team_for
from fengqiao.orgs.models import MediationOrganization
from fengqiao.people.models import Gender, Organization
from fengqiao.people.selectors import organization_list_for_user, person_list_for_user
from fengqiao.ui.forms import (
    DATETIME_LOCAL,
    AreaChoiceField,
    DateTimeLocalInput,
    MultipleFileField,
    apply_domain_error,
    textarea,
)

MAX_PARTIES = 10


# --------------------------------------------------------------------------- intake
class IntakeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of matter"), choices=Kind.choices)
    grade = forms.ChoiceField(
        label=gettext_lazy("Grade"),
        choices=[("", "—"), *Grade.choices],
        required=False,
        help_text=gettext_lazy("Disputes only; it sets the deadline."),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=CaseCategory.objects.filter(is_active=True),
        empty_label="—",
    )
    channel = forms.ChoiceField(label=gettext_lazy("Came in by"), choices=Channel.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    account = forms.CharField(
        label=gettext_lazy("Account"),
        widget=textarea(5),
        help_text=gettext_lazy("What happened, in the words of the person reporting it."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    people_involved = forms.IntegerField(
        label=gettext_lazy("People involved"), min_value=1, initial=1
    )
    amount_involved = forms.DecimalField(
        label=gettext_lazy("Amount involved (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("Received at"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    # The default time of receipt as the form was opened: a time left unchanged means
    # "when the person came in", however long the clerk took to fill in the form.
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)
    backdate_reason = forms.CharField(
        label=gettext_lazy("Why is it registered later than it was received?"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Needed when the time of receipt is earlier than now."),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=gettext_lazy("Photos (JPEG, PNG, WebP) and PDF scans."),
    )
    accept_now = forms.BooleanField(
        label=gettext_lazy("Accept it at once (受理)"),
        required=False,
        help_text=gettext_lazy("The case is accepted as soon as it is registered."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"] = AreaChoiceField(
            user=user,
            label=_("Area"),
            help_text=_("Where it happened, as low in the tree as known; search by name or code."),
        )
        self.order_fields(
            [
                "kind",
                "grade",
                "category",
                "channel",
                "title",
                "account",
                "area",
                "address",
                "latitude",
                "longitude",
            ]
        )
        if not self.can_accept:
            del self.fields["accept_now"]
        if not self.is_bound:
            opened = timezone.localtime(clock.now()).strftime(DATETIME_LOCAL)
            self.initial.setdefault("received_at", opened)
            self.initial.setdefault("opened_at", opened)
            self.initial.setdefault("kind", Kind.DISPUTE)
            self.initial.setdefault("grade", Grade.GENERAL)
            self.initial.setdefault("channel", Channel.WALK_IN)

    @property
    def can_accept(self) -> bool:
        return bool(jurisdiction.roles_of(self.user) & workflow.INTAKE)

    @property
    def grade_hidden(self) -> bool:
        return self["kind"].value() != Kind.DISPUTE

    @property
    def backdate_hidden(self) -> bool:
        """Shown when a reason was typed or is missing, or the time was changed."""
        field = self["backdate_reason"]
        if field.value() or field.errors:
            return False
        return self["received_at"].value() == self["opened_at"].value()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") != Kind.DISPUTE:
            data["grade"] = ""
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def received_at_for_service(self) -> dt.datetime | None:
        """None (now) when the default time was left as it was, or could not be read."""
        received = self.cleaned_data.get("received_at")
        opened = self.cleaned_data.get("opened_at") or ""
        if received is None or received.strftime(DATETIME_LOCAL) == opened:
            return None
        return received

    def case_arguments(self) -> dict[str, Any]:
        """The service's arguments, from what the form could read: a field it could not read
        is passed empty, so that the service still checks all the others (and the page
        shows every problem at once; the field keeps its own message)."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "grade": data.get("grade") or "",
            "category": data.get("category"),
            "channel": data.get("channel") or "",
            "title": data.get("title") or "",
            "account": data.get("account") or "",
            "area": data.get("area"),
            "address": data.get("address") or "",
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "people_involved": data.get("people_involved"),
            "amount_involved": data.get("amount_involved"),
            "received_at": self.received_at_for_service(),
            "backdate_reason": data.get("backdate_reason") or "",
            "attachments": data.get("attachments") or [],
        }


class PartyForm(forms.Form):
    """One party: found (a person or an organisation) or a new person's particulars."""

    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=PartyRole.choices, initial=PartyRole.RESPONDENT
    )
    person = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, required=False)
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        choices=[("", gettext_lazy("(from the ID number)")), *Gender.choices],
        required=False,
    )
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=24, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=24, required=False)

    NEW_PERSON_FIELDS = ("name", "gender", "id_number", "phone")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("person") and data.get("organization"):
            self.add_error(None, _("Choose a person or an organisation, not both."))
        return data

    @property
    def chosen(self) -> dict[str, str] | None:
        """The person or organisation picked in the search, masked, for redisplay."""
        person_id, organization_id = self["person"].value(), self["organization"].value()
        if person_id and str(person_id).isdigit():
            person = person_list_for_user(user=self.user).filter(pk=person_id).first()
            if person is not None:
                return {"label": person_label(person)}
        if organization_id and str(organization_id).isdigit():
            organization = (
                organization_list_for_user(user=self.user).filter(pk=organization_id).first()
            )
            if organization is not None:
                return {"label": organization_label(organization)}
        return None

    @property
    def new_person_started(self) -> bool:
        return any(self[name].value() for name in ("name", "id_number", "phone"))

    def party_input(self) -> PartyInput | None:
        """The service's input, or None for a slot left empty."""
        data = getattr(self, "cleaned_data", {})
        role = data.get("role") or PartyRole.RESPONDENT
        if data.get("person"):
            return PartyInput(role=role, person_id=data["person"])
        if data.get("organization"):
            return PartyInput(role=role, organization_id=data["organization"])
        details = {
            name: (data.get(name) or "").strip()
            for name in self.NEW_PERSON_FIELDS
            if (data.get(name) or "").strip()
        }
        if not details:
            return None
        details.setdefault("name", "")
        return PartyInput(role=role, new_person=details)


class BasePartyFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.party_errors: list[str] = []
        self._index_map: list[int] = []

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"user": self.user}

    def party_inputs(self) -> list[PartyInput]:
        """The filled slots; remembers which form each came from for error messages."""
        inputs, self._index_map = [], []
        for index, form in enumerate(self.forms):
            party = form.party_input()
            if party is not None:
                inputs.append(party)
                self._index_map.append(index)
        return inputs

    def apply_domain_error(self, error: DomainError) -> bool:
        """Show a refusal about `parties`, `parties.N` or `parties.N.field`; False if another."""
        parts = (error.field or "").split(".")
        if parts[0] != "parties":
            return False
        if len(parts) == 1 or not parts[1].isdigit() or int(parts[1]) >= len(self._index_map):
            self.party_errors.append(error.message)
            return True
        form = self.forms[self._index_map[int(parts[1])]]
        field = parts[2] if len(parts) > 2 else None
        if field in form.fields and field in form.errors:
            return True  # the field shows its own problem already
        form.add_error(field if field in form.fields else None, error.message)
        return True


PartyFormSet = forms.formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=0,
    max_num=MAX_PARTIES,
    validate_max=True,
    absolute_max=MAX_PARTIES,
)


def party_formset(user: Any, data: Any = None) -> BasePartyFormSet:
    if data is not None:
        return PartyFormSet(data, prefix="parties", user=user)
    return PartyFormSet(
        prefix="parties",
        user=user,
        initial=[{"role": PartyRole.APPLICANT}, {"role": PartyRole.RESPONDENT}],
    )


def person_label(person: Any) -> str:
    parts = [person.name, person.id_number_masked, person.phone_masked]
    return " · ".join(part for part in parts if part)


def organization_label(organization: Organization) -> str:
    return f"{organization.name} · {organization.area.name}"


# --------------------------------------------------------------------------- queues
SCOPE_MINE, SCOPE_TEAM, SCOPE_AREA = "mine", "team", "area"
STATE_OPEN, STATE_ANY = "", "any"


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[
            (STATE_OPEN, gettext_lazy("All open cases")),
            *State.choices,
            (STATE_ANY, gettext_lazy("All cases, closed ones too")),
        ],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of matter"), required=False, choices=[("", "—"), *Kind.choices]
    )
    grade = forms.ChoiceField(
        label=gettext_lazy("Grade"), required=False, choices=[("", "—"), *Grade.choices]
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=CaseCategory.objects.all(),
        required=False,
        empty_label="—",
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Came in by"), required=False, choices=[("", "—"), *Channel.choices]
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=gettext_lazy("Due within (working days)"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=gettext_lazy("0: due by the end of today."),
    )
    text = forms.CharField(
        label=gettext_lazy("Number or title"), required=False, max_length=50, strip=True
    )

    def __init__(self, *args: Any, user: Any, scopes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["scope"] = forms.ChoiceField(
            choices=[(scope, scope) for scope in scopes], required=False, widget=forms.HiddenInput
        )
        self.fields["area"] = AreaChoiceField(user=user, label=_("Area"), required=False)
        self.order_fields(["scope", "text", "state", "kind", "grade", "category", "area"])
        self.scopes = scopes

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or self.scopes[0]

    def valid_data(self) -> dict[str, Any]:
        """The filters that are valid; a bad value in one does not drop the others."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def queue_filter(self, *, due_before: dt.datetime | None) -> QueueFilter:
        data = self.valid_data()
        state = data.get("state") or ""
        return QueueFilter(
            scope=data.get("scope") or self.scopes[0],
            states=(state,) if state not in (STATE_OPEN, STATE_ANY) else (),
            include_closed=state == STATE_ANY,
            kind=data.get("kind") or "",
            grade=data.get("grade") or "",
            category_id=data["category"].pk if data.get("category") else None,
            area=data.get("area"),
            channel=data.get("channel") or "",
            overdue=bool(data.get("overdue")),
            due_before=due_before,
            text=data.get("text") or "",
        )

    def audit_details(self) -> dict[str, Any]:
        """The filters in use, as plain values, for the audit row of an export."""
        data = self.valid_data()
        result: dict[str, Any] = {}
        for name, value in data.items():
            if value in (None, "", False):
                continue
            result[name] = value.pk if hasattr(value, "pk") else value
        return result


# --------------------------------------------------------------------------- actions
class HandlerChoiceField(forms.ChoiceField):
    """Who the case is sent to, in one list grouped by kind: the teams and committees (the
    one the category is routed to first, then those taking the category), the people, the
    agencies; each with the open cases they hold now. Only those `cases.selectors` allows
    this user to send this case to are offered; the service checks the rule again.

    The value is "team:3", "user:12" or "agency:2"; `clean` gives the service's
    `{"team": 3}`.
    """

    KINDS = ("team", "user", "agency")

    @staticmethod
    def group_label(kind: str) -> str:
        return {
            "team": _("Teams and committees"),
            "user": _("People"),
            "agency": _("Agencies"),
        }[kind]

    def __init__(
        self,
        *,
        user: Any,
        case: Case,
        action: str,
        proposed: MediationOrganization | None,
        kinds: tuple[str, ...] = KINDS,
        **kwargs: Any,
    ) -> None:
        current = {
            "user": case.handler_user_id,
            "team": case.handler_team_id,
            "agency": case.handler_agency_id,
        }
        found = {
            "team": lambda: sorted(
                selectors.handler_teams(actor=user, case=case, action=action),
                # The team the category is routed to comes first.
                key=lambda team: proposed is None or team.pk != proposed.pk,
            ),
            "user": lambda: selectors.handler_users(actor=user, case=case, action=action),
            "agency": lambda: selectors.handler_agencies(actor=user, case=case, action=action),
        }
        labels = {
            "team": lambda team: self._team_label(team, proposed),
            "user": self._person_label,
            "agency": lambda agency: self._open(agency.name, agency.open_cases),
        }
        groups = [
            (
                self.group_label(kind),
                [
                    (f"{kind}:{handler.pk}", labels[kind](handler))
                    for handler in found[kind]()
                    if handler.pk != current[kind]
                ],
            )
            for kind in self.KINDS
            if kind in kinds
        ]
        choices = [("", "—"), *((label, options) for label, options in groups if options)]
        super().__init__(choices=choices, **kwargs)

    @staticmethod
    def _open(name: str, count: int) -> str:
        return ngettext("%(name)s · %(n)d open case", "%(name)s · %(n)d open cases", count) % {
            "name": name,
            "n": count,
        }

    def _team_label(self, team: MediationOrganization, proposed: Any) -> str:
        label = self._open(team.name, team.open_cases)
        if proposed is not None and team.pk == proposed.pk:
            return _("%(team)s — proposed for this category") % {"team": label}
        if team.takes_category:
            return _("%(team)s — takes this category") % {"team": label}
        return label

    def _person_label(self, person: User) -> str:
        roles = pgettext("list separator", ", ").join(person.role_labels())
        where = person.home_area.name if person.home_area_id else ""
        who = " · ".join(part for part in (str(person), roles, where) if part)
        return self._open(who, person.open_cases)

    def clean(self, value: Any) -> dict[str, int] | None:
        value = super().clean(value)
        if not value:
            return None
        kind, _sep, pk = value.partition(":")
        return {kind: int(pk)}


class ActionForm(forms.Form):
    """The inputs of one action of the table (`Transition.requires`), and the version seen."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    # Unfolded on the page: the form just sent back with an error or a conflict.
    opened = False

    # Where the service's field names land on this form.
    ALIASES = {"attachments": "files"}

    def __init__(
        self, *args: Any, transition: workflow.Transition, case: Case, user: Any, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", transition.action)
        kwargs.setdefault("initial", {"version": case.version})
        super().__init__(*args, **kwargs)
        self.transition, self.case, self.user = transition, case, user
        requires = transition.requires
        for name in requires:
            self._add_input(name)
        if "reason" not in requires and "note" not in requires:
            self.fields["note"] = forms.CharField(
                label=_("Note (optional)"), required=False, widget=textarea(2)
            )

    def _required(self, name: str) -> dict[str, Any]:
        return {"required": True, "error_messages": {"required": REQUIRED_MESSAGES[name]()}}

    def _add_input(self, name: str) -> None:
        case, user = self.case, self.user
        if name == "reason":
            self.fields["reason"] = forms.CharField(
                label=_("Reason"), widget=textarea(), **self._required("reason")
            )
        elif name == "note":
            self.fields["note"] = forms.CharField(
                label=_("What was done"), widget=textarea(), **self._required("note")
            )
        elif name == "handler":
            # The team routed for the category is proposed first, and chosen at dispatch;
            # the dispatcher may choose otherwise.
            proposed = proposed_team_for(case)
            self.fields["handler"] = HandlerChoiceField(
                label=_("Who handles it"),
                user=user,
                case=case,
                action=self.transition.action,
                proposed=proposed,
                help_text=_(
                    "A team, a person or an agency of the case's area, or above or below it; "
                    "with the open cases each holds now."
                ),
                **self._required("handler"),
            )
            if self.transition.action == "dispatch" and proposed is not None:
                self.initial.setdefault("handler", f"team:{proposed.pk}")
        elif name == "target_case":
            self.fields["target_case"] = forms.CharField(
                label=_("Number of the case it duplicates"),
                max_length=20,
                widget=forms.TextInput(attrs={"placeholder": "FQ-2026-000001"}),
                **self._required("target_case"),
            )
        elif name == "outcome":
            self.fields["outcome"] = forms.ChoiceField(
                label=_("Result"),
                choices=[("", "—"), *Outcome.choices],
                **self._required("outcome"),
            )
        elif name == "grade":
            self.fields["grade"] = forms.ChoiceField(
                label=_("New grade"),
                choices=[("", "—"), *((v, lb) for v, lb in Grade.choices if v != case.grade)],
                **self._required("grade"),
            )
        elif name == "days":
            self.fields["days"] = forms.IntegerField(
                label=_("Working days"),
                min_value=1,
                max_value=MAX_EXTENSION_DAYS,
                **self._required("days"),
            )
        elif name == "agency":
            self.fields["agency"] = HandlerChoiceField(
                label=_("Agency"),
                user=user,
                case=case,
                action=self.transition.action,
                proposed=None,
                kinds=("agency",),
                **self._required("agency"),
            )
        elif name == "files":
            self.fields["files"] = MultipleFileField(
                label=_("Files"),
                help_text=_("Photos (JPEG, PNG, WebP) and PDF scans."),
                **self._required("files"),
            )
        else:  # pragma: no cover - a new input in the table needs a field here
            raise ValueError(f"no form field for the input {name!r}")

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != "version"]

    def clean_target_case(self) -> int:
        number = self.cleaned_data["target_case"].strip()
        target = case_list_for_user(user=self.user).filter(number__iexact=number).first()
        if target is None:
            raise forms.ValidationError(_("No case with this number is visible to you."))
        return target.pk

    def inputs(self) -> dict[str, Any]:
        """The keyword inputs of `case_act`."""
        data = self.cleaned_data
        result: dict[str, Any] = {}
        for name in ("reason", "note", "target_case", "outcome", "grade", "days", "files"):
            if data.get(name) not in (None, ""):
                result[name] = data[name]
        if data.get("agency") is not None:
            result["agency"] = data["agency"]["agency"]
        if data.get("handler") is not None:
            result["handler"] = data["handler"]
        return result

    def apply_domain_error(self, error: DomainError) -> None:
        apply_domain_error(self, error, self.ALIASES)
