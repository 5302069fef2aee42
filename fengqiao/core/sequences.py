"""Yearly number sequences (case numbers, supervision orders, mediation agreements).

One table (`core.YearlySequence`) holds, for each numbering and year, the last number
issued.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, migrations

from fengqiao.core.models import YearlySequence


def sequence_take(name: str, year: int, count: int = 1) -> int:
    """Reserve the next `count` numbers of numbering `name` in `year`; returns the last one
    reserved.

    One UPDATE … RETURNING (SQLite and PostgreSQL both have it): its row lock makes
    concurrent takers wait their turn, and a rolled-back transaction gives its numbers back.
    """
    table = connection.ops.quote_name(YearlySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + %s WHERE name = %s AND year = %s "  # noqa: S608
            "RETURNING last",
            [count, name, year],
        )
        row = cursor.fetchone()
    if row is None:
        # The year's first number creates its row; a concurrent creator is harmless.
        YearlySequence.objects.get_or_create(name=name, year=year)
        return sequence_take(name, year, count)
    return row[0]


def moved_into_yearly_sequences(app_label: str, model_name: str, name: str) -> Any:
    """A migration step that copies an app's own table of yearly numbers (`year`, `last`)
    into `core.YearlySequence` under numbering `name`, and back when reversed."""

    def forward(apps: Any, schema_editor: Any) -> None:
        old = apps.get_model(app_label, model_name)
        new = apps.get_model("core", "YearlySequence")
        for row in old.objects.all():
            new.objects.update_or_create(name=name, year=row.year, defaults={"last": row.last})

    def backward(apps: Any, schema_editor: Any) -> None:
        old = apps.get_model(app_label, model_name)
        new = apps.get_model("core", "YearlySequence")
        for row in new.objects.filter(name=name):
            old.objects.update_or_create(year=row.year, defaults={"last": row.last})

    return migrations.RunPython(forward, backward)
