"""Keeping the database's statistics fresh.

SQLite only uses the partial, covering work-queue index once it has statistics about the
cases table; without them a page at a million cases takes ~150 ms instead of ~2 ms, and the
API's count of a leader's cases seconds. PostgreSQL's autovacuum keeps its own statistics,
so there is nothing to do there.
"""

from __future__ import annotations

from django.db import connection


def database_optimize() -> str:
    """Statistics for every table, read in full: a sample (analysis_limit) leaves the
    planner choosing a plan ten times slower for a leader's case count.

    Not `PRAGMA optimize` alone: before SQLite 3.46 it only analyses tables that queries on
    the same connection have used, so from a nightly job's new connection it does nothing
    and a database that was never analysed stays so.
    """
    if connection.vendor != "sqlite":
        return "skipped"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return "optimized"
