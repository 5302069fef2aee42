"""Yearly number sequences (case numbers, supervision orders, mediation agreements).

A sequence is a table with a `year` primary key and the `last` number issued that year.
"""

from __future__ import annotations

from django.db import connection, models


def sequence_take(model: type[models.Model], year: int, count: int = 1) -> int:
    """Reserve the next `count` numbers of `year`; returns the last one reserved.

    One UPDATE … RETURNING (SQLite and PostgreSQL both have it): its row lock makes
    concurrent takers wait their turn, and a rolled-back transaction gives its numbers back.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + %s WHERE year = %s RETURNING last",  # noqa: S608
            [count, year],
        )
        row = cursor.fetchone()
    if row is None:
        # The year's first number creates its row; a concurrent creator is harmless.
        model.objects.get_or_create(year=year)
        return sequence_take(model, year, count)
    return row[0]
