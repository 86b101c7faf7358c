"""Tampering with the journal the way an attacker with database access would."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sentinelle.runtime import Runtime

_SQLITE_TRIGGERS = (
    "audit_entries_no_update",
    "audit_entries_no_delete",
    "audit_head_no_delete",
    "audit_head_no_rewind",
)


def tamper(rt: Runtime, *statements: str, **params: Any) -> None:
    """Run raw SQL on the journal with its append-only triggers out of the way."""
    with rt.db.engine.begin() as conn:
        if rt.db.dialect == "sqlite":
            for name in _SQLITE_TRIGGERS:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
            conn.exec_driver_sql("ALTER TABLE audit_head DISABLE TRIGGER USER")
        for statement in statements:
            conn.execute(sa.text(statement), params)
        if rt.db.dialect != "sqlite":
            conn.exec_driver_sql("ALTER TABLE audit_entries ENABLE TRIGGER USER")
            conn.exec_driver_sql("ALTER TABLE audit_head ENABLE TRIGGER USER")
