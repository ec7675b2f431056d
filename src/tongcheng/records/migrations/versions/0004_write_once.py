"""Records written once: the ``pending`` table (a record not yet in the Merkle log: its id and
its body's digest, written with the record) takes the place of the ``leaf`` column the sealer
used to set on each record, rewriting the whole row; records not yet sealed get their pending
row here, from their bodies. On SQLite the records table is rebuilt with the compact copies
(situation, rules, decided) before the body, so reading them stops before the body's overflow
pages (PostgreSQL keeps large values out of line already: there ``leaf`` is only dropped).

Which leaf holds a record is the log's to say (``leaves.record_id``): ``records verify`` finds
each leaf's record by id, as before hashes its body, and names a record neither in the log nor
pending.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 2000
HASH = sa.String(71)
ID = sa.String(26)
WHEN = sa.DateTime(timezone=True)
# the order of the columns from 0004 on: the body last
COLUMNS = ("id", "at", "channel", "actor", "request_id", "situation_digest", "as_of", "lang",
           "pack_name", "pack_version", "pack_digest", "package_version", "situation", "rules",
           "decided", "body")
INDEXES = {"ix_records_at": "at", "ix_records_actor": "actor",
           "ix_records_pack_digest": "pack_digest"}


def upgrade() -> None:
    op.create_table(
        "pending",
        sa.Column("record_id", ID, nullable=False),
        sa.Column("digest", HASH, nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_pending")),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    _fill_pending(conn)
    op.drop_index("ix_records_leaf", table_name="records")
    if conn.dialect.name == "sqlite":
        _rebuild_sqlite(conn)
    else:
        op.drop_column("records", "leaf")


def _fill_pending(conn: sa.Connection) -> None:
    """A pending row for every record the sealer has not reached yet (in batches)."""
    from tongcheng.records.record import digest

    records = sa.table("records", sa.column("id"), sa.column("body"), sa.column("leaf"))
    pending = sa.table("pending", sa.column("record_id"), sa.column("digest"))
    after = ""
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.body)
                            .where(records.c.leaf.is_(None), records.c.id > after)
                            .order_by(records.c.id).limit(BATCH)).all()
        if not rows:
            return
        conn.execute(pending.insert(), [{"record_id": row.id, "digest": digest(row.body)}
                                        for row in rows])
        after = rows[-1].id


def _rebuild_sqlite(conn: sa.Connection) -> None:
    op.create_table(
        "records_0004",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("request_id", sa.String(200)),
        sa.Column("situation_digest", HASH, nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("pack_name", sa.String(200), nullable=False),
        sa.Column("pack_version", sa.String(100), nullable=False),
        sa.Column("pack_digest", HASH, nullable=False),
        sa.Column("package_version", sa.String(50), nullable=False),
        sa.Column("situation", sa.Text),
        sa.Column("rules", sa.Text),
        sa.Column("decided", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    names = ", ".join(COLUMNS)
    conn.exec_driver_sql(f"INSERT INTO records_0004 ({names}) SELECT {names} FROM records "
                         "ORDER BY id")
    for name in INDEXES:
        op.drop_index(name, table_name="records")
    op.drop_table("records")
    op.rename_table("records_0004", "records")
    for name, column in INDEXES.items():
        op.create_index(name, "records", [column])


def downgrade() -> None:
    op.add_column("records", sa.Column("leaf", sa.BigInteger))
    op.get_bind().exec_driver_sql(
        "UPDATE records SET leaf = (SELECT idx FROM leaves WHERE leaves.record_id = records.id)")
    op.create_index("ix_records_leaf", "records", ["leaf"])
    op.drop_table("pending")
