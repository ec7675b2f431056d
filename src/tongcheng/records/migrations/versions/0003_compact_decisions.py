"""The compact copies replay reads: each record's situation (the body's own bytes), the rules it
asked for, and its decisions (a line each: rule, status, firmness, outcome JSON); existing
records are backfilled from their bodies. The ``decisions`` table (a row per decision, for
filters) goes: the filters read the ``decided`` column, and a record is written as one row.

``tongcheng records verify`` proves these copies say what the bodies say, so a store that
verifies is replayed from them (``tongcheng replay``) without parsing a body.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    for name in ("situation", "rules", "decided"):
        op.add_column("records", sa.Column(name, sa.Text))
    _backfill(op.get_bind())
    op.drop_table("decisions")


def _backfill(conn: sa.Connection) -> None:
    """Every existing record's copies, from its body (in batches, in id order)."""
    from tongcheng.records.record import Record, situation_text
    from tongcheng.records.store import compact_columns

    records = sa.table("records", sa.column("id"), sa.column("body"), sa.column("situation"),
                       sa.column("rules"), sa.column("decided"))
    after = ""
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.body)
                            .where(records.c.id > after).order_by(records.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return
        filled = []
        for row in rows:
            try:
                record = Record.from_body(row.body)
            except ValueError:  # not a record any more: left null, verify names it
                continue
            filled.append({"rid": row.id,
                           **compact_columns(record, situation_text(row.body))})
        if filled:
            conn.execute(records.update().where(records.c.id == sa.bindparam("rid"))
                         .values(situation=sa.bindparam("situation"),
                                 rules=sa.bindparam("rules"), decided=sa.bindparam("decided")),
                         filled)
        after = rows[-1].id


def downgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("firmness", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], ondelete="CASCADE",
                                name=op.f("fk_decisions_record_id_records")),
        sa.PrimaryKeyConstraint("record_id", "rule", name=op.f("pk_decisions")),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    records = sa.table("records", sa.column("id"), sa.column("decided"))
    decisions = sa.table("decisions", sa.column("record_id"), sa.column("rule"),
                         sa.column("status"), sa.column("firmness"))
    rows = [{"record_id": rid, "rule": rule, "status": status, "firmness": firmness}
            for rid, decided in conn.execute(sa.select(records.c.id, records.c.decided))
            for rule, status, firmness, _ in (line.split("\t", 3)
                                              for line in (decided or "").split("\n") if line)]
    if rows:
        conn.execute(decisions.insert(), rows)
    with op.batch_alter_table("records") as batch:
        for name in ("decided", "rules", "situation"):
            batch.drop_column(name)
