import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from fengqiao.core.identifiers import (
    id_check_char,
    mask_id_number,
    mask_phone,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
    uscc_check_char,
)

# The sample number printed in GB 11643-1999 itself.
STANDARD_SAMPLE = "11010519491231002X"


def test_the_standard_sample_number_is_valid():
    assert normalise_id_number(STANDARD_SAMPLE) == STANDARD_SAMPLE


def test_lower_case_x_and_spaces_are_forgiven():
    assert normalise_id_number(" 110105 19491231 002x ") == STANDARD_SAMPLE


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010519491231002", "id_format"),
        ("1101051949123100AX", "id_format"),
        ("110105194902300020", "id_birth"),
        ("110105194912310021", "id_checksum"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        normalise_id_number(value)
    assert caught.value.code == code


birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))


@given(
    region=st.from_regex(r"[1-6]\d{5}", fullmatch=True),
    birth=birth_dates,
    sequence=st.from_regex(r"\d{3}", fullmatch=True),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_breaks_the_check_digit(region, birth, sequence, position, delta):
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    valid = first17 + id_check_char(first17)
    assert normalise_id_number(valid) == valid
    changed = list(valid)
    changed[position] = str((int(changed[position]) + delta) % 10)
    changed_number = "".join(changed)
    try:
        normalise_id_number(changed_number)
    except ValidationError:
        return
    # Changing a date digit can give another real date, but never the same check digit.
    raise AssertionError(f"{changed_number} passed although {valid} was the valid one")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("0472-1234567", "0472-1234567"),
        ("047212345678", "047212345678"),
    ],
)
def test_phones_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "23812345678", "1381234567", "abc"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_masks_keep_only_the_ends():
    assert mask_id_number("150202199001011234") == "1502**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0472-1234567") == "0472-****4567"


def test_credit_code_checksum():
    first17 = "91150200MA0N1ABC1"
    code = first17 + uscc_check_char(first17)
    assert normalise_credit_code(code.lower()) == code
    wrong = first17 + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        normalise_credit_code(wrong)
