"""Registering a batch of matters at once (`case_create_many`), e.g. the day's 12345 orders."""

from __future__ import annotations

import pytest

from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_chain_verify
from fengqiao.cases.models import Case, CaseCategory, CaseEvent, CaseParty
from fengqiao.cases.services import CREATE_MANY_LIMIT, PartyInput, case_create, case_create_many
from fengqiao.core.errors import DomainError
from fengqiao.core.models import YearlySequence
from tests.cases_helpers import shanghai

NOW = shanghai(2026, 3, 2, 9, 0)


def order(town, person, **overrides):
    fields = {
        "kind": "demand",
        "category": CaseCategory.objects.get(code="property"),
        "channel": "hotline_12345",
        "title": "小区路灯不亮",
        "account": "市民来电反映小区东门路灯已坏一周，夜间出行不便。",
        "area": town.unit_a1,
        "parties": [PartyInput(role="applicant", person_id=person.pk)],
    }
    fields.update(overrides)
    return fields


def test_a_batch_registers_each_matter_as_case_create_would(town, residents):
    # given three orders and, for comparison, the same order registered alone
    clerk = town.user("intake_clerk")
    items = [order(town, residents["a1"], title=f"路灯不亮 {n}") for n in range(3)]
    alone = case_create(actor=clerk, now=NOW, **order(town, residents["a1"]))

    # when
    cases = case_create_many(actor=clerk, items=items, now=NOW)

    # then each has the next number, the same deadline, its party, timeline and audit row
    assert [case.number for case in cases] == [f"FQ-2026-{n:06d}" for n in (2, 3, 4)]
    assert {case.due_at for case in cases} == {alone.due_at}
    for case in cases:
        case.refresh_from_db()
        assert case.state == "reported" and case.is_open
        assert CaseParty.objects.get(case=case).person_id == residents["a1"].pk
        assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
            "report"
        ]
        assert AuditEvent.objects.filter(action="case.report", target_id=str(case.pk)).count() == 1
    assert audit_chain_verify() == []


def test_a_batch_mixing_kinds_gives_each_its_own_tier(town, residents):
    clerk = town.user("intake_clerk")
    dispute = order(town, residents["a1"], kind="dispute", grade="complex")
    demand = order(town, residents["a1"])
    alone = {
        "dispute": case_create(actor=clerk, now=NOW, **dispute),
        "demand": case_create(actor=clerk, now=NOW, **demand),
    }

    cases = case_create_many(actor=clerk, items=[dispute, demand], now=NOW)

    assert [(c.kind, c.sla_working_days, c.due_at) for c in cases] == [
        (kind, alone[kind].sla_working_days, alone[kind].due_at) for kind in ("dispute", "demand")
    ]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"area": "unit_b1"}, "items.1.area"),
        ({"title": "  "}, "items.1.title"),
        ({"kind": "dispute", "grade": "general", "parties": []}, "items.1.parties"),
        ({"category": 999_999}, "items.1.category"),
        ({"person": "b1"}, "items.1.parties.0"),
    ],
)
def test_one_bad_order_names_itself_and_nothing_of_the_batch_is_saved(
    town, residents, bad, field
):
    # given a batch whose second order is wrong (a grid of another village for a clerk of
    # this one, no title, a dispute without applicant, an unknown category, a person
    # outside the jurisdiction)
    clerk = town.user("grid_worker")
    overrides = dict(bad)
    if "area" in overrides:
        overrides["area"] = getattr(town, overrides["area"])
    if "person" in overrides:
        person = residents[overrides.pop("person")]
        overrides["parties"] = [PartyInput(role="applicant", person_id=person.pk)]
    items = [order(town, residents["a1"]), order(town, residents["a1"], **overrides)]
    before = (Case.objects.count(), AuditEvent.objects.filter(action="case.report").count())

    # when / then
    with pytest.raises(DomainError) as refused:
        case_create_many(actor=clerk, items=items, now=NOW)
    assert refused.value.field == field
    assert (Case.objects.count(), AuditEvent.objects.filter(action="case.report").count()) == before
    assert not YearlySequence.objects.filter(name="case", last__gt=0).exists()


def test_a_role_that_does_not_register_cannot_register_a_batch(town, residents):
    with pytest.raises(DomainError) as refused:
        case_create_many(
            actor=town.user("audit_admin"), items=[order(town, residents["a1"])], now=NOW
        )
    assert refused.value.code == "not_allowed"
    assert not Case.objects.exists()


def test_a_batch_larger_than_the_limit_is_refused(town, residents):
    items = [order(town, residents["a1"])] * (CREATE_MANY_LIMIT + 1)
    with pytest.raises(DomainError) as refused:
        case_create_many(actor=town.user("intake_clerk"), items=items, now=NOW)
    assert refused.value.field == "items"
    assert not Case.objects.exists()


def test_an_empty_batch_registers_nothing(town):
    assert case_create_many(actor=town.user("intake_clerk"), items=[], now=NOW) == []


def test_ids_given_as_numbers_or_numeric_strings_are_accepted(town, residents):
    category = CaseCategory.objects.get(code="property")
    item = order(town, residents["a1"], category=str(category.pk), area=town.unit_a1.pk)
    (case,) = case_create_many(actor=town.user("intake_clerk"), items=[item], now=NOW)
    assert (case.category_id, case.area_id) == (category.pk, town.unit_a1.pk)
