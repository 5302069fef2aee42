"""Residents registered through the service: what the ID number says, one person per
number, every problem at once, identifiers encrypted at rest, revealing audited."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fengqiao.people.models import Person
from fengqiao.people.services import person_create, person_reveal
from tests.fixtures import make_id_number


def test_gender_and_birth_date_come_from_the_id_number(town):
    number = make_id_number(birth="19650304", male=False)
    person = person_create(actor=None, name="赵六", id_number=number, area=town.unit_a1)
    assert person.gender == "F"
    assert str(person.birth_date) == "1965-03-04"


def test_a_gender_that_contradicts_the_id_number_is_refused(town):
    number = make_id_number(male=True)
    with pytest.raises(ValidationError) as caught:
        person_create(actor=None, name="赵六", gender="F", id_number=number, area=town.unit_a1)
    assert "gender" in caught.value.message_dict
    assert not Person.objects.exists()


def test_one_id_number_is_one_person(town):
    number = make_id_number()
    person_create(actor=None, name="赵六", id_number=number, area=town.unit_a1)
    with pytest.raises(ValidationError) as caught:
        person_create(actor=None, name="赵六二", id_number=number.lower(), area=town.unit_a2)
    assert "id_number" in caught.value.message_dict
    assert Person.objects.count() == 1


def test_invalid_id_and_phone_are_both_reported_and_nothing_is_saved(town):
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=None,
            name="赵六",
            id_number="110105194912310021",
            phone="12345",
            area=town.unit_a1,
        )
    assert set(caught.value.message_dict) >= {"id_number", "phone"}
    assert not Person.objects.exists()


def _all_text_in_database() -> str:
    """Every text value of every table, read with raw SQL beneath the ORM."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def test_raw_database_holds_no_clear_id_number_or_phone(town, residents):
    dump = _all_text_in_database()
    for person in residents.values():
        assert person.id_number not in dump
        assert person.phone not in dump
    # And the values still decrypt through the ORM.
    reloaded = Person.objects.get(pk=residents["a1"].pk)
    assert reloaded.id_number == residents["a1"].id_number


def test_revealing_needs_a_reason_and_is_audited(town, residents):
    from fengqiao.audit.models import AuditEvent

    clerk = town.user("intake_clerk")
    zhang = residents["a1"]
    with pytest.raises(ValidationError):
        person_reveal(actor=clerk, person=zhang, field="id_number", reason="")
    value = person_reveal(actor=clerk, person=zhang, field="id_number", reason="核实当事人身份")
    assert value == zhang.id_number
    event = AuditEvent.objects.get(action="person.reveal")
    assert event.actor == clerk
    assert zhang.id_number not in str(event.details)
