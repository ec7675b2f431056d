"""On PostgreSQL, the records' large texts compressed with lz4 rather than pglz.

A record's body (~6 KB of canonical JSON), its ``decided`` lines and its situation are kept out
of line and compressed by PostgreSQL when a row passes ~2 KB, and with its default method (pglz)
compressing them was about a third of what PostgreSQL's own processes spent on each record
(measured on the HTTP load test, two workers, 32 clients: 0.14 ms of their CPU a record with
pglz, 0.09 ms with lz4; benchmarks/README.md). Only values written from now on are compressed
the new way; PostgreSQL reads both. Servers built without lz4 (``default_toast_compression``
does not offer it) and SQLite keep what they had: nothing changes there but the revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("situation", "decided", "body")


def upgrade() -> None:
    if _lz4(op.get_bind()):
        _compress("lz4")


def downgrade() -> None:
    if _lz4(op.get_bind()):
        _compress("default")


def _lz4(conn: sa.Connection) -> bool:
    """Whether the server compresses with lz4 (PostgreSQL 14 on, built with it)."""
    if conn.dialect.name != "postgresql":
        return False
    offered = conn.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'").scalar()
    return bool(offered) and "lz4" in offered


def _compress(method: str) -> None:
    changes = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in COLUMNS)
    op.execute(f"ALTER TABLE records {changes}")
