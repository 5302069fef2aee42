"""Statements the ORM does not write for us."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# Field types whose values the database takes as they are; exact types, so that a subclass
# with its own conversion (an encrypted text field) still gets it. Their get_db_prep_save
# costs more than the rest of the insert at sweep sizes.
_AS_IS = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
}


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if type(field) in _AS_IS:
        return _as_is
    if type(field) is models.DateTimeField:
        return connection.ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def _as_is(value: Any) -> Any:
    return value


def insert_new(
    model: type[models.Model],
    rows: Sequence[models.Model],
    *,
    fields: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert `rows` (their `fields`), skipping any that a unique constraint already holds;
    the `returning` columns of the rows this call inserted.

    INSERT … ON CONFLICT DO NOTHING RETURNING, which SQLite and PostgreSQL both have: a
    row another worker inserted first is neither written again nor returned, so "what did
    I insert" needs no second query. Names come from the model, values are parameters.
    """
    if not rows:
        return []
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(field.column) for field in columns)
    back = ", ".join(quote(meta.get_field(name).column) for name in returning)
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    converters = [(field.attname, _converter(field)) for field in columns]
    batch = connection.ops.bulk_batch_size(columns, rows)
    inserted: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            params = [
                prepare(getattr(row, attname)) for row in part for attname, prepare in converters
            ]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one_row] * len(part))} "  # noqa: S608
                f"ON CONFLICT DO NOTHING RETURNING {back}",
                params,
            )
            inserted.extend(tuple(row) for row in cursor.fetchall())
    return inserted
