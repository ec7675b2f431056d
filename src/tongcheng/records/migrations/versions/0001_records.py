"""Decision records, their Merkle log, tree heads, purges, archived packs and signing keys.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

HASH = sa.String(71)
ID = sa.String(26)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    _records()
    _decisions()
    _log()
    _archive()


def _records() -> None:
    """One row per decision record: its body and the columns it is searched by."""
    op.create_table(
        "records",
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
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("leaf", sa.BigInteger),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    op.create_index("ix_records_at", "records", ["at"])
    op.create_index("ix_records_actor", "records", ["actor"])
    op.create_index("ix_records_pack_digest", "records", ["pack_digest"])
    op.create_index("ix_records_leaf", "records", ["leaf"])


def _decisions() -> None:
    """Each record's decisions, one row per rule (status and firmness, for counting)."""
    op.create_table(
        "decisions",
        sa.Column("record_id", ID, nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("firmness", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], ondelete="CASCADE",
                                name=op.f("fk_decisions_record_id_records")),
        sa.PrimaryKeyConstraint("record_id", "rule", name=op.f("pk_decisions")),
        sqlite_with_rowid=False,
    )


def _log() -> None:
    """The Merkle log: its leaves, signed tree heads, and signed purges."""
    op.create_table(
        "leaves",
        sa.Column("idx", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("digest", HASH, nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_leaves")),
        sa.UniqueConstraint("record_id", name=op.f("uq_leaves_record_id")),
    )
    op.create_table(
        "tree_heads",
        sa.Column("size", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("subtrees", sa.Text, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("key_id", sa.String(16)),
        sa.Column("signature", sa.String(128)),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_tree_heads")),
    )
    op.create_table(
        "purges",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("before", WHEN, nullable=False),
        sa.Column("removed", sa.BigInteger, nullable=False),
        sa.Column("key_id", sa.String(16)),
        sa.Column("signature", sa.String(128)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purges")),
    )


def _archive() -> None:
    """The packs records were decided under, and the public keys heads are signed with."""
    op.create_table(
        "packs",
        sa.Column("digest", HASH, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("archived_at", WHEN, nullable=False),
        sa.Column("files", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_packs")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_signing_keys")),
    )


def downgrade() -> None:
    for table in ("signing_keys", "packs", "purges", "tree_heads", "leaves", "decisions",
                  "records"):
        op.drop_table(table)
