"""Database triggers that make a table append-only, on SQLite and PostgreSQL.

Used for the audit log and for case timelines: an UPDATE or DELETE (and on PostgreSQL a
TRUNCATE) of such a table fails inside the database, whatever the client.
"""

from __future__ import annotations

from typing import Any

MESSAGE = "append-only table"


def sqlite_install(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END;",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END;",
    ]


def postgres_install(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{table}: {MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END; $$ LANGUAGE plpgsql;""",
        f"CREATE OR REPLACE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse();",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse();",
    ]


# Every append-only table; migrations install the guard of each.
APPEND_ONLY_TABLES = ("audit_auditevent", "cases_caseevent")


def install(connection: Any, table: str = "audit_auditevent") -> None:
    statements = sqlite_install(table) if connection.vendor == "sqlite" else postgres_install(table)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_operation(table: str) -> Any:
    """A migration operation that installs (again) the guard of `table`: after creating
    it, and after any column change, which on SQLite rebuilds the table and drops its
    triggers."""
    from django.db import migrations

    def run(apps: Any, schema_editor: Any) -> None:
        install(schema_editor.connection, table)

    return migrations.RunPython(run, migrations.RunPython.noop)
