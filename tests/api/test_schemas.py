"""A new party's gender in the case-registration API: read from the ID number when one is
given, required otherwise; the OpenAPI schema says so and the API's validation holds to it."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cases.models import Case
from fengqiao.core import clock
from fengqiao.people.models import Gender, Person
from tests.fixtures import as_, assert_error, case_body, make_id_number, shanghai

pytestmark = pytest.mark.django_db

# Monday 29 September 2025, 10:00 in Shanghai, as in the other case-registration tests.
NOW = shanghai(2025, 9, 29, 10, 0)
MISSING_GENDER = {
    "en": "Choose the gender, or give the ID number it is read from.",
    "zh-hans": "请选择性别，或填写身份证号码（据此确定性别）。",
}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def with_party(town: Any, new_person: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return case_body(town, parties=[{"role": "applicant", "new_person": new_person}], **overrides)


# --------------------------------------------------------------------------- the schema
def test_the_schema_requires_the_gender_only_without_an_id_number(client):
    # when
    schema = client.get("/api/v1/openapi.json").json()

    # then the new person of a party is either identified by its ID number or gendered
    components = schema["components"]["schemas"]
    party = components["PartyIn"]["properties"]["new_person"]
    assert {"$ref": "#/components/schemas/NewPersonIn"} in party["anyOf"]
    new_person = components["NewPersonIn"]
    assert new_person["required"] == ["name"]
    assert new_person["anyOf"] == [
        {"required": ["id_number"], "properties": {"id_number": {"pattern": r"\S"}}},
        {"required": ["gender"], "properties": {"gender": {"not": {"type": "null"}}}},
    ]
    # and the fields explain it to a reader of the docs
    gender = new_person["properties"]["gender"]["description"]
    assert "Required unless `id_number` is given" in gender
    assert "read from the ID number" in gender
    assert "read from it" in new_person["properties"]["id_number"]["description"]


# --------------------------------------------------------------------------- registering
def test_a_new_party_with_an_id_number_and_no_gender_gets_the_gender_it_reads(town):
    # given a woman's ID number (its 17th digit is even) and no gender
    id_number = make_id_number(male=False)

    # when
    response = as_(town, "intake_clerk").post(
        "/cases", with_party(town, {"name": "田秀兰", "id_number": id_number})
    )

    # then
    assert response.status_code == 201, response.content
    person = Person.objects.get(name="田秀兰")
    assert person.gender == Gender.FEMALE


def test_a_new_party_with_a_gender_and_no_id_number_is_registered(town):
    response = as_(town, "intake_clerk").post(
        "/cases", with_party(town, {"name": "田秀兰", "gender": "F", "phone": "13912345678"})
    )

    assert response.status_code == 201, response.content
    assert Person.objects.get(name="田秀兰").gender == Gender.FEMALE


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_new_party_without_gender_or_id_number_names_the_gender(town, language):
    # when
    response = as_(town, "intake_clerk", language).post(
        "/cases", with_party(town, {"name": "田秀兰", "phone": "13912345678"})
    )

    # then the schema refuses it, in the caller's language, before anything is written
    body = assert_error(response, 400, "invalid", "parties.0.new_person.gender")
    assert body["message"] == MISSING_GENDER[language]
    assert body["errors"] == [
        {"field": "parties.0.new_person.gender", "message": MISSING_GENDER[language]}
    ]
    assert not Case.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    "new_person",
    [
        {"name": "田秀兰", "gender": None},
        {"name": "田秀兰", "id_number": ""},
        {"name": "田秀兰", "id_number": "   "},
    ],
    ids=["null gender", "empty id number", "blank id number"],
)
def test_a_null_gender_or_a_blank_id_number_is_no_answer(town, new_person):
    response = as_(town, "intake_clerk").post("/cases", with_party(town, new_person))

    assert_error(response, 400, "invalid", "parties.0.new_person.gender")


def test_in_a_batch_the_error_names_the_item_and_the_party(town):
    # given a batch whose first item's second party has neither
    parties = [
        {"role": "applicant", "new_person": {"name": "田秀兰", "id_number": make_id_number()}},
        {"role": "respondent", "new_person": {"name": "王建军"}},
    ]
    batch = {"items": [case_body(town, parties=parties)]}

    # when
    response = as_(town, "intake_clerk", "en").post("/cases/batch", batch)

    # then
    body = assert_error(response, 400, "invalid", "items.0.parties.1.new_person.gender")
    assert body["message"] == MISSING_GENDER["en"]
    assert not Case.objects.exists()


def test_an_id_number_that_fails_its_own_check_is_the_only_error(town):
    # given an ID number too long for the schema, and no gender
    response = as_(town, "intake_clerk").post(
        "/cases", with_party(town, {"name": "田秀兰", "id_number": "1" * 19})
    )

    # then the ID number is the one to fix; the gender is not reported as well
    body = assert_error(response, 400, "invalid", "parties.0.new_person.id_number")
    assert [error["field"] for error in body["errors"]] == ["parties.0.new_person.id_number"]


def test_a_gender_that_contradicts_the_id_number_is_refused(town):
    # given a man's ID number (its 17th digit is odd) and a woman's gender
    new_person = {"name": "田秀兰", "gender": "F", "id_number": make_id_number(male=True)}

    # when
    response = as_(town, "intake_clerk", "en").post("/cases", with_party(town, new_person))

    # then the service refuses it (the schema cannot read ID numbers) and nothing is written
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "party_invalid"
    assert body["field"].startswith("parties.0.") and body["field"].endswith("gender")
    assert body["message"] == "The gender does not match the ID number (its 17th digit)."
    assert not Case.objects.exists() and not Person.objects.exists()
