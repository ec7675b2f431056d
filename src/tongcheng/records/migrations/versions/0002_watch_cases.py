"""Cases that survive a restart: ``tongcheng watch --store``'s streams and their open cases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_streams",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("line_digest", sa.String(64)),
        sa.Column("output_offset", sa.BigInteger, nullable=False),
        sa.Column("rejects_offset", sa.BigInteger, nullable=False),
        sa.Column("next_case", sa.BigInteger, nullable=False),
        sa.Column("pack_digest", sa.String(71), nullable=False),
        sa.Column("reached", sa.Date),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_watch_streams")),
    )
    op.create_table(
        "watch_cases",
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("case_id", sa.String(50), nullable=False),
        sa.Column("clock", sa.Date, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["stream"], ["watch_streams.name"], ondelete="CASCADE",
                                name=op.f("fk_watch_cases_stream_watch_streams")),
        sa.PrimaryKeyConstraint("stream", "subject", name=op.f("pk_watch_cases")),
    )


def downgrade() -> None:
    op.drop_table("watch_cases")
    op.drop_table("watch_streams")
