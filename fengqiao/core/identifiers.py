"""Chinese resident ID numbers (GB 11643-1999) and phone numbers: validate, normalise, mask."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: str) -> str:
    """Return the canonical ID number or raise ValidationError with a clear message."""
    cleaned = re.sub(r"\s+", "", value or "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", cleaned):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="id_format",
        )
    try:
        birth = dt.date(int(cleaned[6:10]), int(cleaned[10:12]), int(cleaned[12:14]))
    except ValueError:
        raise ValidationError(
            _("The date of birth in this ID number does not exist."), code="id_birth"
        ) from None
    if birth.year < 1900 or birth > dt.date.today():
        raise ValidationError(
            _("The date of birth in this ID number is out of range."), code="id_birth"
        )
    if id_check_char(cleaned[:17]) != cleaned[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check the number."),
            code="id_checksum",
        )
    return cleaned


def id_birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_is_male(id_number: str) -> bool:
    return int(id_number[16]) % 2 == 1


def normalise_phone(value: str) -> str:
    """A mobile (11 digits) or landline with area code; spaces and +86 are forgiven."""
    cleaned = re.sub(r"[\s()（）]", "", value or "")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    elif cleaned.startswith("0086"):
        cleaned = cleaned[4:]
    if MOBILE_RE.fullmatch(cleaned.replace("-", "")):
        return cleaned.replace("-", "")
    if LANDLINE_RE.fullmatch(cleaned):
        return cleaned
    raise ValidationError(
        _("Enter an 11-digit mobile number or a landline with its area code, e.g. 0472-1234567."),
        code="phone_format",
    )


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return value[:-4].rstrip("0123456789") + "****" + value[-4:]


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    """The unified social credit code (GB 32100-2015) of an organisation."""
    cleaned = re.sub(r"\s+", "", value or "").upper()
    if len(cleaned) != 18 or any(char not in USCC_ALPHABET for char in cleaned):
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters."),
            code="uscc_format",
        )
    if uscc_check_char(cleaned[:17]) != cleaned[17]:
        raise ValidationError(
            _("The check character of this credit code is wrong; please check the code."),
            code="uscc_checksum",
        )
    return cleaned
