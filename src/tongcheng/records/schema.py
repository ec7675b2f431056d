"""The record store's tables (SQLAlchemy Core), one set of constraint names for every database.

The Alembic revisions in ``migrations/versions`` create exactly these tables; a test compares the
migrated database with this metadata, so the two cannot drift apart.

- ``records``: one row per decision record, written once and never changed (schema 0004);
  ``body`` is the record in canonical JSON (the truth), the other columns are copies for
  filtering and replay (``tongcheng records verify`` checks they agree): ``situation`` is the
  body's situation, byte for byte (its digest is ``situation_digest``), ``rules`` the rules
  asked for (JSON, null: all), ``decided`` each decision on a line,
  ``rule<TAB>status<TAB>firmness<TAB>outcome JSON`` (what ``tongcheng replay`` compares and what
  filters by rule and status read; schema 0003). The body is the last column, so reading the
  copies does not walk its overflow pages on SQLite. A record is one row: written whole or not
  at all. (Schema 0001–0002 kept the decisions in a table of their own, one row each; schema
  0001–0003 kept each record's leaf index in a ``leaf`` column the sealer set, rewriting the row.)
  On PostgreSQL the large texts are compressed with lz4 (schema 0005), which the metadata
  cannot say.
- ``pending``: a record not yet in the Merkle log: its id and its body's digest, written in the
  record's own transaction (the writer has the body at hand); the sealer reads these small rows,
  appends them to the log and deletes them, never touching a record.
- ``leaves``: the Merkle log's entries, appended by the sealer: index, record id, time, and the
  sha256 of the body. They outlive a purged record, so the log still verifies.
- ``tree_heads``: each sealing's tree head: size, root, the full subtrees' roots (to extend the
  tree next time without reading the log), time, signature.
- ``purges``: what ``records purge`` removed (signed like a head).
- ``packs``: every rule pack a record was decided under, archived whole by digest.
- ``signing_keys``: public keys that signed heads (a verifier should bring its own copy).
- ``watch_streams`` / ``watch_cases``: ``tongcheng watch --store``: a stream's position and its
  open cases.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# alembic's docs/build/naming.rst: every constraint named the same way on every database, so a
# later migration can drop or alter it by name (SQLite's batch mode needs names too).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

HASH = String(71)  # "sha256:" + 64 hex digits
RECORD_ID = String(26)

records = Table(
    "records", metadata,
    Column("id", RECORD_ID, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("actor", String(200)),
    Column("request_id", String(200)),
    Column("situation_digest", HASH, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("pack_name", String(200), nullable=False),
    Column("pack_version", String(100), nullable=False),
    Column("pack_digest", HASH, nullable=False),
    Column("package_version", String(50), nullable=False),
    # the compact copies replay reads (schema 0003), before the body (schema 0004): SQLite
    # keeps a row's columns in order, so reading them stops before the body's overflow pages
    Column("situation", Text),
    Column("rules", Text),
    Column("decided", Text),
    Column("body", Text, nullable=False),
    Index("ix_records_at", "at"),
    Index("ix_records_actor", "actor"),
    Index("ix_records_pack_digest", "pack_digest"),
)

pending = Table(
    "pending", metadata,
    Column("record_id", RECORD_ID, primary_key=True),
    Column("digest", HASH, nullable=False),
    sqlite_with_rowid=False,
)

leaves = Table(
    "leaves", metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("record_id", RECORD_ID, nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("digest", HASH, nullable=False),
)

tree_heads = Table(
    "tree_heads", metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", String(64), nullable=False),
    Column("subtrees", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(16)),
    Column("signature", String(128)),
)

purges = Table(
    "purges", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("before", DateTime(timezone=True), nullable=False),
    Column("removed", BigInteger, nullable=False),
    Column("key_id", String(16)),
    Column("signature", String(128)),
)

packs = Table(
    "packs", metadata,
    Column("digest", HASH, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("archived_at", DateTime(timezone=True), nullable=False),
    Column("files", LargeBinary, nullable=False),
)

signing_keys = Table(
    "signing_keys", metadata,
    Column("key_id", String(16), primary_key=True),
    Column("public_key", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

watch_streams = Table(
    "watch_streams", metadata,
    Column("name", String(200), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("line_digest", String(64)),
    Column("output_offset", BigInteger, nullable=False),
    Column("rejects_offset", BigInteger, nullable=False),
    Column("next_case", BigInteger, nullable=False),
    Column("pack_digest", HASH, nullable=False),
    Column("reached", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

watch_cases = Table(
    "watch_cases", metadata,
    Column("stream", String(200), ForeignKey("watch_streams.name", ondelete="CASCADE"),
           primary_key=True),
    Column("subject", String(500), primary_key=True),
    Column("case_id", String(50), nullable=False),
    Column("clock", Date, nullable=False),
    Column("state", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
