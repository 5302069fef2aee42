"""Reads of persons, always through the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.core.identifiers import normalise_id_number, normalise_phone
from fengqiao.people.models import Organization, Person
from fengqiao.people.services import id_digest, phone_digest


def person_list_for_user(*, user: Any) -> QuerySet[Person]:
    return jurisdiction.scope_by_area(
        user, Person.objects.select_related("area"), capability=Capability.VIEW_PEOPLE
    )


def person_get_for_user(*, user: Any, pk: Any) -> Person:
    return jurisdiction.get_in_scope(user, person_list_for_user(user=user), pk)


def identifier_filter(text: str) -> Q | None:
    """Exact ID number or phone → a blind-index filter; anything else → None."""
    try:
        return Q(id_number_digest=id_digest(normalise_id_number(text)))
    except ValidationError:
        pass
    try:
        return Q(phone_digest=phone_digest(normalise_phone(text)))
    except ValidationError:
        return None


def person_search(*, user: Any, text: str) -> QuerySet[Person]:
    """By exact ID number or phone (blind index), otherwise by name."""
    queryset = person_list_for_user(user=user)
    text = (text or "").strip()
    if not text:
        return queryset
    exact = identifier_filter(text)
    if exact is not None:
        return queryset.filter(exact)
    return queryset.filter(name__icontains=text)


def organization_list_for_user(*, user: Any) -> QuerySet[Organization]:
    return jurisdiction.scope_by_area(
        user, Organization.objects.select_related("area"), capability=Capability.VIEW_PEOPLE
    )
