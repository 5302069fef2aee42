"""Yearly number sequences (case numbers, supervision orders, mediation agreements).

One table (`core.YearlySequence`) holds, for each numbering and year, the last number
issued.
"""

from __future__ import annotations

from django.db import connection

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
