"""Field types shared by the schemas: instants in and out, and precise error messages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from fengqiao.api.errors import MESSAGE_ERROR_TYPE


def invalid(message: str) -> PydanticCustomError:
    """A validation error whose message reaches the client as written (already translated)."""
    return PydanticCustomError(MESSAGE_ERROR_TYPE, "{message}", {"message": str(message)})


# In a query string an unescaped "+" arrives as a space: "…T10:00:00 08:00".
_SPACE_FOR_PLUS = re.compile(r"^(.*T[0-9:.,]+) (\d{2}(?::?\d{2})?)$")


def _parse_instant(value: Any, *, from_query: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        # Strings only: pydantic would otherwise read a bare number as Unix time.
        if not isinstance(value, str):
            raise invalid(_instant_message())
        text = value.strip()
        if from_query:
            text = _SPACE_FOR_PLUS.sub(r"\1+\2", text)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise invalid(_instant_message()) from None
        if "T" not in text and " " not in text:
            raise invalid(_instant_message())
    if timezone.is_naive(parsed):
        raise invalid(
            _(
                "Give the time zone offset as well, for example "
                "2025-09-30T10:00:00+08:00; a time without one is ambiguous."
            )
        )
    return parsed


def _instant_message() -> str:
    return _(
        "Give a date and time in ISO 8601 with its offset, for example 2025-09-30T10:00:00+08:00."
    )


_INSTANT_SCHEMA = WithJsonSchema(
    {"type": "string", "format": "date-time", "example": "2025-09-30T10:00:00+08:00"}
)

# An instant sent by the client, in a JSON body: ISO 8601 with an offset, nothing else.
AwareDatetime = Annotated[
    dt.datetime,
    BeforeValidator(lambda value: _parse_instant(value, from_query=False)),
    _INSTANT_SCHEMA,
]
# The same in a query string, tolerating the "+" of the offset decoded as a space.
QueryAwareDatetime = Annotated[
    dt.datetime,
    BeforeValidator(lambda value: _parse_instant(value, from_query=True)),
    _INSTANT_SCHEMA,
]

# An instant sent to the client: always in the centre's time zone, with its offset (+08:00).
LocalDatetime = Annotated[
    dt.datetime,
    PlainSerializer(lambda value: timezone.localtime(value).isoformat(), return_type=str),
]
