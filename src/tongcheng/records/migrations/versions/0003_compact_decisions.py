"""The compact copies replay reads: each record's situation (the body's own bytes) and the rules
it asked for, each decision's outcome (canonical JSON) beside its status and firmness; existing
records are backfilled from their bodies.

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
    op.add_column("records", sa.Column("situation", sa.Text))
    op.add_column("records", sa.Column("rules", sa.Text))
    op.add_column("decisions", sa.Column("outcome", sa.Text))
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    """Every existing record's copies, from its body (in batches, in id order)."""
    from tongcheng.records.record import Record, situation_text
    from tongcheng.records.store import compact_rows

    records = sa.table("records", sa.column("id"), sa.column("body"), sa.column("situation"),
                       sa.column("rules"))
    decisions = sa.table("decisions", sa.column("record_id"), sa.column("rule"),
                         sa.column("outcome"))
    after = ""
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.body)
                            .where(records.c.id > after).order_by(records.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return
        filled, outcomes = [], []
        for row in rows:
            try:
                record = Record.from_body(row.body)
            except ValueError:  # not a record any more: left null, verify names it
                continue
            row_values, decided = compact_rows(record, situation_text(row.body))
            filled.append({"rid": row.id, **row_values})
            outcomes.extend({"rid": row.id, "r": rule, "o": outcome}
                            for rule, _, _, outcome in decided if outcome is not None)
        if filled:
            conn.execute(records.update().where(records.c.id == sa.bindparam("rid"))
                         .values(situation=sa.bindparam("situation"),
                                 rules=sa.bindparam("rules")), filled)
        if outcomes:
            conn.execute(decisions.update().where(decisions.c.record_id == sa.bindparam("rid"),
                                                  decisions.c.rule == sa.bindparam("r"))
                         .values(outcome=sa.bindparam("o")), outcomes)
        after = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("rules")
        batch.drop_column("situation")
