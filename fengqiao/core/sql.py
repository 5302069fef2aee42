"""Statements the ORM does not write for us."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

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
    return lambda value: None if value is None else field.get_db_prep_save(value, connection)


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
    return _insert(model, rows, tuple(fields), tuple(returning), skip_conflicts=True)


def insert_rows(
    model: type[models.Model], rows: Sequence[models.Model], *, fields: Sequence[str] | None = None
) -> None:
    """Insert new `rows` (all concrete fields, or `fields`) and give each its primary key:
    one INSERT … RETURNING per batch, in the order of `rows`. No model signals are sent:
    the project connects none to the models it serves."""
    if not rows:
        return
    if fields is None:
        fields = tuple(field.name for field in model._meta.concrete_fields if not field.primary_key)
    pk = model._meta.pk
    inserted = _insert(model, rows, tuple(fields), (pk.name,), skip_conflicts=False)
    alias = connections[DEFAULT_DB_ALIAS].alias
    for row, (new_pk,) in zip(rows, inserted, strict=True):
        setattr(row, pk.attname, new_pk)
        row._state.adding = False
        row._state.db = alias


# Through the ORM a statement costs more to build than SQLite takes to run it (a
# registration writes four rows): each INSERT is built once per model, column list and
# conflict rule, and afterwards only values are bound.
_inserts: dict[tuple[Any, ...], tuple[str, list[tuple[str, Callable[[Any], Any], Any]]]] = {}
_selects: dict[tuple[Any, ...], tuple[str, list[Callable[[Any], Any]]]] = {}


def _insert(
    model: type[models.Model],
    rows: Sequence[models.Model],
    fields: tuple[str, ...],
    returning: tuple[str, ...],
    *,
    skip_conflicts: bool,
) -> list[tuple[Any, ...]]:
    """The `returning` columns of the rows inserted, in their order, a batch a statement."""
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    key = (db.vendor, model, fields, returning, skip_conflicts)
    cached = _inserts.get(key)
    if cached is None:
        cached = _inserts[key] = _insert_statement(db, model, fields, returning, skip_conflicts)
    statement, converters = cached
    one_row = "(" + ", ".join(["%s"] * len(converters)) + ")"
    batch = (
        len(rows)
        if len(rows) == 1
        else db.ops.bulk_batch_size([name for name, _c, _f in converters], rows)
    )
    inserted: list[tuple[Any, ...]] = []
    with db.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            params = [
                prepare(field.pre_save(row, True) if field else getattr(row, attname))
                for row in part
                for attname, prepare, field in converters
            ]
            cursor.execute(statement % ", ".join([one_row] * len(part)), params)
            inserted.extend(tuple(row) for row in cursor.fetchall())
    return inserted


def _insert_statement(
    db: Any,
    model: type[models.Model],
    fields: tuple[str, ...],
    returning: tuple[str, ...],
    skip_conflicts: bool,
) -> tuple[str, list[tuple[str, Callable[[Any], Any], Any]]]:
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = db.ops.quote_name
    statement = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(field.column) for field in columns)}) VALUES %s "
        + ("ON CONFLICT DO NOTHING " if skip_conflicts else "")
        + f"RETURNING {', '.join(quote(meta.get_field(name).column) for name in returning)}"
    )
    # Fields that set their own value on insert (auto_now) are asked for it, as save() would.
    converters = [
        (
            field.attname,
            _converter(field),
            field
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else None,
        )
        for field in columns
    ]
    return statement, converters


def select_values(
    model: type[models.Model], fields: Sequence[str], **where: Any
) -> list[tuple[Any, ...]]:
    """The values of `fields` of each row of `model` where each `where` column equals its
    value, or is in it when the value is a list, set or tuple.

    For plain columns (numbers, text, booleans, ids), whose values need no conversion
    beyond a boolean's.
    """
    db = connections[DEFAULT_DB_ALIAS]
    shape = tuple(
        (column, len(value) if isinstance(value, (list, set, tuple, frozenset)) else None)
        for column, value in where.items()
    )
    if any(size == 0 for _column, size in shape):
        return []
    statement, converters = _select_statement(db, model, tuple(fields), shape)
    params: list[Any] = []
    for value in where.values():
        if isinstance(value, (list, set, tuple, frozenset)):
            params.extend(value)
        else:
            params.append(value)
    with db.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if all(convert is _as_is for convert in converters):
        return rows
    return [
        tuple(
            None if value is None else convert(value)
            for value, convert in zip(row, converters, strict=True)
        )
        for row in rows
    ]


def _select_statement(
    db: Any, model: type[models.Model], names: tuple[str, ...], shape: tuple[Any, ...]
) -> tuple[str, list[Callable[[Any], Any]]]:
    key = (db.vendor, model, names, shape)
    cached = _selects.get(key)
    if cached is not None:
        return cached
    meta = model._meta
    quote = db.ops.quote_name
    selected = [meta.get_field(name) for name in names]
    for field in selected:
        plain = field.target_field if isinstance(field, models.ForeignKey) else field
        if type(plain) not in _AS_IS:
            raise ValueError(f"{model.__name__}.{field.name} is not a plain column")
    conditions = [
        f"{quote(meta.get_field(column).column)} "
        + ("= %s" if size is None else f"IN ({', '.join(['%s'] * size)})")
        for column, size in shape
    ]
    statement = (
        f"SELECT {', '.join(quote(field.column) for field in selected)} "  # noqa: S608
        f"FROM {quote(meta.db_table)}"
        + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
    )
    converters = [bool if isinstance(field, models.BooleanField) else _as_is for field in selected]
    _selects[key] = (statement, converters)
    return statement, converters


def select_plain(
    model: type[models.Model], fields: Sequence[str], **where: Any
) -> list[models.Model]:
    """As `select_values`, as instances of `model` with only `fields` loaded (the rest
    deferred)."""
    attnames = [model._meta.get_field(name).attname for name in fields]
    return [
        model.from_db(DEFAULT_DB_ALIAS, attnames, row)
        for row in select_values(model, fields, **where)
    ]
