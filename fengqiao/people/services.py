"""The only writers of persons and organisations."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record
from fengqiao.core import crypto
from fengqiao.core.identifiers import (
    id_birth_date,
    id_is_male,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
)
from fengqiao.people.models import Gender, Organization, Person

PERSON_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "occupation",
    "id_number",
    "phone",
    "address",
    "area",
)


def id_digest(id_number: str) -> str:
    return crypto.blind_index("id", id_number) if id_number else ""


def phone_digest(phone: str) -> str:
    return crypto.blind_index("phone", phone) if phone else ""


def _clean_person(person: Person) -> None:
    """Normalise identifiers, derive what the ID number says, collect every field error."""
    errors: dict[str, list[str]] = {}
    if not (person.name or "").strip():
        errors.setdefault("name", []).append(_("Enter the name."))
    person.name = (person.name or "").strip()
    if person.id_number:
        try:
            person.id_number = normalise_id_number(person.id_number)
        except ValidationError as error:
            errors.setdefault("id_number", []).extend(error.messages)
        else:
            derived = Gender.MALE if id_is_male(person.id_number) else Gender.FEMALE
            if person.gender and person.gender != derived:
                errors.setdefault("gender", []).append(
                    _("The gender does not match the ID number (its 17th digit).")
                )
            person.gender = derived
            person.birth_date = id_birth_date(person.id_number)
    if person.phone:
        try:
            person.phone = normalise_phone(person.phone)
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
    if not person.gender:
        errors.setdefault("gender", []).append(_("Choose the gender."))
    if person.area_id is None:
        errors.setdefault("area", []).append(_("Choose the area where the person lives."))
    person.id_number_digest = id_digest(person.id_number)
    person.phone_digest = phone_digest(person.phone)
    if person.id_number_digest and not errors.get("id_number"):
        clash = Person.objects.filter(id_number_digest=person.id_number_digest)
        if person.pk:
            clash = clash.exclude(pk=person.pk)
        if clash.exists():
            errors.setdefault("id_number", []).append(
                _("A person with this ID number is already registered.")
            )
    if errors:
        raise ValidationError(errors)


def _new_person(
    *,
    name: str,
    area: Area | None,
    gender: str = "",
    id_number: str = "",
    phone: str = "",
    address: str = "",
    ethnicity: str = "",
    occupation: str = "",
) -> Person:
    """A person of these particulars, checked (ValidationError: every field's problem)."""
    person = Person(
        name=name,
        area=area,
        gender=gender,
        id_number=id_number,
        phone=phone,
        address=address,
        ethnicity=ethnicity,
        occupation=occupation,
    )
    _clean_person(person)
    return person


def person_problems(**particulars: Any) -> dict[str, list[str]]:
    """What `person_create` would refuse in these particulars, field by field; nothing is
    written. A form checks a new person with it before anything is saved."""
    try:
        _new_person(**particulars)
    except ValidationError as error:
        return error.message_dict
    return {}


@transaction.atomic
def person_create(*, actor: Any, **particulars: Any) -> Person:
    """Register a person (the particulars of `_new_person`); ValidationError lists every
    field's problem and nothing is written."""
    person = _new_person(**particulars)
    person.save()
    audit_record(action="person.create", actor=actor, target=person)
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(person, field, value)
    _clean_person(person)
    person.save()
    audit_record(
        action="person.update", actor=actor, target=person, details={"fields": sorted(changes)}
    )
    return person


REVEALABLE = {"id_number", "phone"}


def person_reveal(*, actor: Any, person: Person, field: str, reason: str) -> str:
    """The clear value of a masked field, for a user allowed to see it and with a reason."""
    if field not in REVEALABLE:
        raise ValidationError({"field": _("This field cannot be revealed.")})
    jurisdiction.require(actor, Capability.REVEAL_IDENTIFIERS, what="person.reveal")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(
            {"reason": _("State why you need to see it (at least 4 characters).")}
        )
    audit_record(
        action="person.reveal",
        actor=actor,
        target=person,
        details={"field": field, "reason": reason[:200]},
    )
    return getattr(person, field)


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    name: str,
    area: Area,
    credit_code: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
) -> Organization:
    errors: dict[str, list[str]] = {}
    if credit_code:
        try:
            credit_code = normalise_credit_code(credit_code)
        except ValidationError as error:
            errors["credit_code"] = error.messages
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if not name.strip():
        errors["name"] = [_("Enter the name.")]
    if errors:
        raise ValidationError(errors)
    organization = Organization.objects.create(
        name=name.strip(),
        area=area,
        credit_code=credit_code,
        legal_representative=legal_representative,
        phone=phone,
        phone_digest=phone_digest(phone),
        address=address,
    )
    audit_record(action="organization.create", actor=actor, target=organization)
    return organization
