"""What the API accepts and returns. Input checks that need no database live here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from fengqiao.api.types import AwareDatetime, LocalDatetime, QueryAwareDatetime, invalid
from fengqiao.cases.models import Channel, Grade, Kind, Outcome, PartyRole, State
from fengqiao.people.models import Gender

MAX_DUE_WORKING_DAYS = 366


def _no_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail at the database.
    if isinstance(value, str) and "\x00" in value:
        raise invalid(_("Text cannot contain NUL characters."))
    return value


class Input(Schema):
    """Query parameters: every text checked for NUL."""

    @field_validator("*", mode="after")
    @classmethod
    def refuse_nul(cls, value: Any) -> Any:
        return _no_nul(value)


class StrictInput(Input):
    """A JSON body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _to_micro_degrees(value: Decimal) -> Decimal:
    # Phones report more decimals than the column keeps (about 0.1 m); round, do not refuse.
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


Latitude = Annotated[Decimal, Field(ge=-90, le=90), AfterValidator(_to_micro_degrees)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180), AfterValidator(_to_micro_degrees)]


# --------------------------------------------------------------------------- errors
class FieldErrorOut(Schema):
    field: str | None = None
    message: str
    code: str | None = None


class ErrorOut(Schema):
    """Every error: `code` for programs, `message` for people, `field` the input it is
    about; `errors` lists every problem when the input had several."""

    code: str
    message: str
    field: str | None = None
    errors: list[FieldErrorOut] = []


# The same shape, named for the answers (400) that list the problems of the input.
ValidationErrorOut = ErrorOut


class ConflictOut(ErrorOut):
    """409: the object's state does not allow it, or it changed since the client saw it
    (then: the version now, who changed it and when)."""

    current_version: int | None = None
    changed_by: str | None = None
    changed_at: LocalDatetime | None = None


# --------------------------------------------------------------------------- tokens
class TokenIn(StrictInput):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)


class TokenOut(Schema):
    token: str
    expires_at: LocalDatetime


# --------------------------------------------------------------------------- reference
class Ref(Schema):
    id: int
    name: str


def ref(obj: Any) -> dict[str, Any] | None:
    """An object as a `Ref`: its id and its name; None stays None."""
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None = None


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: int
    level_label: str
    parent_id: int | None = None


class AreaParams(Input):
    q: str = Field("", max_length=50)
    parent_id: int | None = None
    limit: int = Field(50, ge=1, le=200)


class TeamOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    area_id: int


class AgencyOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str


# --------------------------------------------------------------------------- calendar
class DueParams(Input):
    start: QueryAwareDatetime
    working_days: int = Field(ge=0, le=MAX_DUE_WORKING_DAYS)


class DueOut(Schema):
    due_at: LocalDatetime
    provisional: bool


# --------------------------------------------------------------------------- cases in
class NewPersonIn(StrictInput):
    """A person not yet registered. Give `id_number`, from which the gender is read, or
    `gender`: a new person without either is refused."""

    # The gender is required only without an ID number; JSON Schema says so with an
    # object-level anyOf, which pydantic cannot derive from the fields.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["id_number"], "properties": {"id_number": {"pattern": r"\S"}}},
                {"required": ["gender"], "properties": {"gender": {"not": {"type": "null"}}}},
            ]
        }
    )

    name: str = Field(min_length=1, max_length=50)
    # Before `gender`, whose check reads it.
    id_number: str = Field(
        "",
        max_length=18,
        description=(
            "The 18-character resident ID number. When given, the gender and the date of "
            "birth are read from it."
        ),
    )
    gender: Gender | None = Field(
        None,
        validate_default=True,
        description=(
            "Required unless `id_number` is given. With an ID number it may be left out: it "
            "is read from the ID number (its 17th digit), and a gender that contradicts the "
            "ID number is refused."
        ),
    )
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)

    @field_validator("gender", mode="after")
    @classmethod
    def _gender_or_id_number(cls, gender: Gender | None, info: ValidationInfo) -> Gender | None:
        # An id_number that failed its own checks is absent from `info.data`: that error
        # is the one to fix, so the gender is not reported as well.
        id_number = info.data.get("id_number")
        if gender is None and id_number is not None and not id_number.strip():
            raise invalid(_("Choose the gender, or give the ID number it is read from."))
        return gender


class PartyIn(StrictInput):
    role: PartyRole
    person_id: int | None = Field(None, ge=1)
    organization_id: int | None = Field(None, ge=1)
    new_person: NewPersonIn | None = None

    @model_validator(mode="after")
    def _one_party(self) -> PartyIn:
        named = [self.person_id, self.organization_id, self.new_person]
        if sum(value is not None for value in named) != 1:
            raise invalid(
                _("Give exactly one of person_id, organization_id or new_person for each party.")
            )
        return self


class CaseCreateIn(StrictInput):
    kind: Kind
    grade: Grade | None = None
    category_id: int
    channel: Channel
    title: str = Field(min_length=1, max_length=120)
    account: str = Field(min_length=1, max_length=20_000)
    area_id: int
    address: str = Field("", max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    people_involved: int = Field(1, ge=1, le=1_000_000)
    amount_involved: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    received_at: AwareDatetime | None = None
    backdate_reason: str = Field("", max_length=200)
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)


class CaseBatchIn(StrictInput):
    items: list[CaseCreateIn] = Field(min_length=1, max_length=500)


class HandlerIn(StrictInput):
    user: int | None = Field(None, ge=1)
    team: int | None = Field(None, ge=1)
    agency: int | None = Field(None, ge=1)


class ActionIn(StrictInput):
    """The version the client saw, and the inputs the action requires (see `actions`)."""

    version: int = Field(ge=1)
    reason: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=20_000)
    handler: HandlerIn | None = None
    level: int | None = Field(None, ge=0, le=4)
    target_case: int | None = Field(None, ge=1)
    outcome: Outcome | None = None
    grade: Grade | None = None
    days: int | None = Field(None, ge=1, le=365)
    agency: int | None = Field(None, ge=1)


class QueueParams(Input):
    scope: Literal["mine", "team", "area"] = "area"
    state: list[State] = Field(default_factory=list)
    kind: Kind | None = None
    grade: Grade | None = None
    category_id: int | None = None
    area_id: int | None = None
    channel: Channel | None = None
    overdue: bool = False
    due_within: int | None = Field(None, ge=0, le=MAX_DUE_WORKING_DAYS)
    q: str = Field("", max_length=50)
    include_closed: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


# --------------------------------------------------------------------------- cases out
class HandlerOut(Schema):
    user: Ref | None = None
    team: Ref | None = None
    agency: Ref | None = None
    label: str = ""


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    kind_label: str
    grade: str
    grade_label: str
    category: Ref
    channel: str
    channel_label: str
    area: Ref
    state: str
    state_label: str
    is_open: bool
    version: int
    received_at: LocalDatetime
    due_at: LocalDatetime
    due_provisional: bool
    overdue: bool
    handler: HandlerOut


class CasePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseSummaryOut]


class CaseBatchOut(Schema):
    count: int
    results: list[CaseSummaryOut]


class PartyOut(Schema):
    id: int
    role: str
    role_label: str
    type: Literal["person", "organization"]
    person_id: int | None = None
    organization_id: int | None = None
    name: str
    # Masked, always: revealing a clear number is a separate, audited act with a reason.
    id_number_masked: str = ""
    phone_masked: str = ""


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: LocalDatetime


class DeadlineOut(Schema):
    due_at: LocalDatetime
    provisional: bool
    milestone: str
    milestone_label: str
    met_at: LocalDatetime | None = None
    on_time: bool | None = None
    overdue: bool
    working_days_left: int
    sla_working_days: int
    extension_days: int
    suspended_days: int
    extension_requested_days: int | None = None
    extension_request_reason: str = ""


class ActionOut(Schema):
    action: str
    label: str
    requires: list[str]


class MergedIntoOut(Schema):
    id: int
    number: str


class CaseDetailOut(CaseSummaryOut):
    account: str
    address: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    people_involved: int
    amount_involved: Decimal | None = None
    backdate_reason: str
    reported_by: Ref
    created_at: LocalDatetime
    updated_at: LocalDatetime
    handling_level: int | None = None
    handling_level_label: str = ""
    outcome: str
    outcome_label: str
    resolved_at: LocalDatetime | None = None
    closed_at: LocalDatetime | None = None
    merged_into: MergedIntoOut | None = None
    deadline: DeadlineOut
    parties: list[PartyOut]
    attachments: list[AttachmentOut]
    actions: list[ActionOut]


class CaseLeftViewOut(Schema):
    """After an action that took the case out of the actor's view: its fate, nothing more."""

    id: int
    number: str
    state: str
    state_label: str
    version: int
    visible: Literal[False]


class TimelineEntryOut(Schema):
    sequence: int
    at: LocalDatetime
    actor: Ref | None = None
    action: str
    action_label: str
    from_state: str
    from_state_label: str
    to_state: str
    to_state_label: str
    note: str
