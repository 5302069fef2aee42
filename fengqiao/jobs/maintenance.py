"""Keeping the database's statistics fresh.

SQLite only uses the partial, covering work-queue index once it has statistics about the
cases table; without them a page at a million cases takes ~100 ms instead of ~2 ms.
PostgreSQL's autovacuum keeps its own statistics, so there is nothing to do there.
"""

from __future__ import annotations

from django.db import connection


def database_optimize() -> str:
    if connection.vendor != "sqlite":
        return "skipped"
    with connection.cursor() as cursor:
        # Analyses only the tables whose statistics are missing or stale.
        cursor.execute("PRAGMA optimize")
    return "optimized"
