"""The record store: decision records on SQLite (a file, the default) or PostgreSQL (several
workers or machines), through SQLAlchemy 2 Core; the schema is Alembic's, migrated forward when
a store is opened.

Writers only insert: a record is one row (its decisions in its ``decided`` column) and a small
``pending`` row (its id and its body's digest), many records a transaction, nothing else read or
locked, so any number of workers write at once (SQLite still takes its one short write lock per
commit; PostgreSQL none beyond the rows). A record row is never written again. Tamper evidence is
the sealer's job (:meth:`RecordStore.seal`): now and then it takes the pending rows, appends them
to the Merkle log as leaves, deletes them and signs a new tree head — one sealer at a time (an
advisory lock on PostgreSQL, the write lock on SQLite), never in a writer's way, never reading a
record. ``records verify`` (``tongcheng.records.verify``) recomputes the log and hashes every
body again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from tongcheng.records import merkle, schema
from tongcheng.records.failures import FAILURES, StoreError, refuse_foreign, unreadable
from tongcheng.records.ids import id_time
from tongcheng.records.inserting import Busy, DriverInserts, is_busy
from tongcheng.records.record import Record, canonical, digest
from tongcheng.records.signing import Signer

__all__ = ["Filters", "RecordStore", "StoreError", "TreeHead", "compact_columns", "engine_url",
           "leaf_data",
           "migrate", "parse_when", "utc"]

_SEAL_LOCK = 0x746F6E67  # "tong": the PostgreSQL advisory lock the sealer holds
_MIGRATE_LOCK = 0x746F6E68
SEAL_BATCH = 20_000


def engine_url(url: str) -> str:
    """A SQLAlchemy URL from what a user gives: a file path (SQLite), ``sqlite:///…``, or
    ``postgresql://…`` (psycopg 3)."""
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql+psycopg://" + rest
    if scheme.startswith("sqlite"):
        return url
    raise StoreError(f"{url}: unsupported database; give a file path, sqlite:///FILE or "
                     "postgresql://USER@HOST:PORT/DB",
                     f"{url}:不支持的数据库;请给出文件路径、sqlite:///文件 或 "
                     "postgresql://用户@主机:端口/数据库")


def utc(value: datetime) -> datetime:
    """A datetime from the database as UTC (SQLite gives naive ones back)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _at_text(at: datetime) -> str:
    at = utc(at)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def leaf_data(record_id: str, at: datetime, body_digest: str) -> bytes:
    """What a leaf of the log hashes: the record's id, time and body digest."""
    return f"{record_id}\n{_at_text(at)}\n{body_digest}".encode()


def head_message(size: int, root: str, at: datetime) -> bytes:
    return f"tongcheng.tree-head/1\n{size}\n{root}\n{_at_text(at)}".encode()


def purge_message(before: datetime, at: datetime, removed: int) -> bytes:
    return f"tongcheng.purge/1\n{_at_text(before)}\n{_at_text(at)}\n{removed}".encode()


@attrs.frozen
class TreeHead:
    size: int
    root: str
    subtrees: tuple[str, ...]
    at: datetime
    key_id: str | None
    signature: str | None

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "root": self.root, "at": _at_text(self.at),
                "key_id": self.key_id, "signature": self.signature}


@attrs.frozen
class Filters:
    """Which records: by time (``since`` ≤ at < ``until``), actor, channel, rule, status (of
    that rule, or of any rule), pack digest (a prefix is enough)."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    channel: str | None = None
    rule: str | None = None
    status: str | None = None
    pack_digest: str | None = None

    def where(self) -> list[Any]:
        r = schema.records.c
        out: list[Any] = []
        if self.since is not None:
            out.append(r.at >= self.since)
        if self.until is not None:
            out.append(r.at < self.until)
        if self.actor is not None:
            out.append(r.actor == self.actor)
        if self.channel is not None:
            out.append(r.channel == self.channel)
        if self.pack_digest is not None:
            text = self.pack_digest if self.pack_digest.startswith("sha256:") \
                else "sha256:" + self.pack_digest
            out.append(r.pack_digest.startswith(text, autoescape=True))
        if self.rule is not None or self.status is not None:
            # a line of ``decided``: rule<TAB>status<TAB>firmness<TAB>outcome (no tab in JSON)
            lines = sa.literal("\n") + r.decided
            if self.rule is not None:
                status = f"{self.status}\t" if self.status is not None else ""
                out.append(lines.contains(f"\n{self.rule}\t{status}", autoescape=True))
            else:
                out.append(lines.contains(f"\t{self.status}\t", autoescape=True))
        return out


def _sqlite_setup(engine: Engine, busy_ms: int) -> None:
    """WAL (readers never block the writer), a committed transaction survives a killed process,
    foreign keys on, a wait instead of 'database is locked' (``busy_ms``; 0: 'locked' at once,
    for a writer that must not wait); writes begin IMMEDIATE so two writers queue at BEGIN
    instead of failing when a read lock cannot be upgraded."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event emits BEGIN
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        if not busy_ms:  # a writer that must not wait leaves checkpoints to another thread
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("tongcheng_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def connect(url: str, *, wait: bool = True) -> Engine:
    """The engine of a store; ``wait=False`` (SQLite): a write that finds the write lock taken
    fails at once (``inserting.Busy`` from ``RecordStore.write``) instead of waiting for it."""
    full = engine_url(url)
    if full.startswith("sqlite"):
        engine = sa.create_engine(full, connect_args={"timeout": 60 if wait else 0})
        _sqlite_setup(engine, 60_000 if wait else 0)
        return engine
    return sa.create_engine(full, pool_pre_ping=True,
                            connect_args={"options": "-c timezone=UTC"})


def _alembic_config(connection: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "tongcheng.records:migrations")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "tongcheng.records:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (forward only), one process at a time."""
    from alembic import command

    with engine.connect().execution_options(tongcheng_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
        command.upgrade(_alembic_config(conn), revision)


class RecordStore:
    """Records in one database. Thread-safe; open one per process (``RecordStore.open``)."""

    def __init__(self, engine: Engine, signer: Signer | None = None, url: str = "") -> None:
        self.engine = engine
        self.signer = signer
        self.url = url
        self._packs: set[str] = set()
        self._guard = threading.Lock()
        self._inserts = DriverInserts(engine)

    @classmethod
    def open(cls, url: str, *, signer: Signer | None = None, create: bool = True,
             wait: bool = True) -> RecordStore:
        """Open (and create or migrate forward) the store at ``url``; ``wait=False``: its
        writes and seals never wait for SQLite's write lock (``inserting.Busy`` instead)."""
        full = engine_url(url)
        if not create and full.startswith("sqlite:///") and full != "sqlite:///:memory:" \
                and not Path(full.removeprefix("sqlite:///")).exists():
            raise StoreError(f"{url}: no record store there", f"{url}:那里没有决定记录库")
        engine = connect(url, wait=wait)
        try:
            current = current_revision(engine)
            if current != head_revision():
                if current is None and not create:
                    raise StoreError(f"{url}: no record store there",
                                     f"{url}:那里没有决定记录库")
                if current is None:
                    refuse_foreign(engine, url)
                migrate(engine)
        except StoreError:
            engine.dispose()
            raise
        except FAILURES as e:  # (a file that is no database, a damaged one)
            engine.dispose()
            raise unreadable(url, e) from None
        except Exception as e:
            if "Can't locate revision" in str(e):
                try:  # (another application's own migrations: not a store of ours)
                    if "records" not in sa.inspect(engine).get_table_names():
                        refuse_foreign(engine, url)
                finally:
                    engine.dispose()
                raise StoreError(f"{url}: the store's schema ({current}) is newer than this "
                                 "tongcheng knows: upgrade tongcheng",
                                 f"{url}:记录库的结构版本({current})比此版本的 tongcheng "
                                 "所知的更新:请升级 tongcheng") from None
            raise
        store = cls(engine, signer, url)
        if signer is not None:
            store._register_key(signer)
        return store

    def close(self) -> None:
        self._inserts.close()
        self.engine.dispose()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def writing(self):
        """A connection whose transaction takes the write lock at BEGIN (SQLite)."""
        return self.engine.connect().execution_options(tongcheng_write=True)

    # -- writing -------------------------------------------------------------------------------

    def _register_key(self, signer: Signer) -> None:
        k = schema.signing_keys
        with self.writing() as conn, conn.begin():
            known = conn.execute(sa.select(k.c.key_id).where(k.c.key_id == signer.key_id)).first()
            if known is None:
                conn.execute(k.insert().values(key_id=signer.key_id,
                                               public_key=signer.public_hex,
                                               added_at=datetime.now(UTC)))

    def archive_pack(self, pack: Any) -> None:
        """Keep ``pack`` in the store by its digest (once)."""
        from tongcheng.records.packs import zip_pack

        info = pack.info
        with self._guard:
            if info.digest in self._packs:
                return
        p = schema.packs
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(p.c.digest).where(p.c.digest == info.digest)).first()
        if found is None:
            try:
                with self.writing() as conn, conn.begin():
                    conn.execute(p.insert().values(digest=info.digest, name=info.name,
                                                   version=info.version,
                                                   archived_at=datetime.now(UTC),
                                                   files=zip_pack(pack)))
            except sa.exc.IntegrityError:
                pass  # another writer archived it first
        with self._guard:
            self._packs.add(info.digest)

    def write(self, records: Sequence[Record], *, bodies: Sequence[str] | None = None) -> None:
        """Insert records in one transaction (group commit): all or none; a record is one row."""
        if not records:
            return
        bodies = bodies if bodies is not None else [r.body for r in records]
        rows = [_row(record, body) for record, body in zip(records, bodies, strict=True)]
        waiting = [{"record_id": row["id"], "digest": digest(row["body"])} for row in rows]
        self._inserts.transaction((schema.records, rows), (schema.pending, waiting))

    def checkpoint(self, restart_frames: int = 4096) -> bool:
        """Copy SQLite's write-ahead log into the database, for a store whose writers leave it
        to another thread (``open(wait=False)``).

        PASSIVE first: it copies what it can without waiting for, nor blocking, a writer. The
        log starts again from its beginning (instead of growing) only when a writer begins
        after a checkpoint that copied all of it, which writers committing all the time never
        let a passive one do; so a log of more than ``restart_frames`` pages is then
        checkpointed RESTART: the few frames added meanwhile copied while writers wait (they
        try again shortly), and the log begun again. True when it was."""
        if self.engine.dialect.name != "sqlite":
            return False
        with self.engine.connect() as conn:
            _, frames, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            if frames <= restart_frames:
                return False
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(RESTART)").one()
            return not busy

    # -- reading -------------------------------------------------------------------------------

    def get(self, record_id: str) -> Record | None:
        r = schema.records.c
        with self.engine.connect() as conn:
            body = conn.execute(sa.select(r.body).where(r.id == record_id)).scalar()
        return Record.from_body(body) if body is not None else None

    def bodies(self, filters: Filters | None = None, *, limit: int | None = None,
               batch: int = 5000) -> Iterator[tuple[str, str]]:
        """``(id, body)`` of the matching records in id (time) order, read in batches."""
        r = schema.records.c
        where = (filters or Filters()).where()
        after, left = "", limit
        while left is None or left > 0:
            size = batch if left is None else min(batch, left)
            query = sa.select(r.id, r.body).where(*where, r.id > after).order_by(r.id).limit(size)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            yield from ((row.id, row.body) for row in rows)
            if len(rows) < size:
                return
            after = rows[-1].id
            if left is not None:
                left -= len(rows)

    def select(self, filters: Filters | None = None, *, limit: int | None = None
               ) -> Iterator[Record]:
        for _, body in self.bodies(filters, limit=limit):
            yield Record.from_body(body)

    def count(self, filters: Filters | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(schema.records).where(
            *(filters or Filters()).where())
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def archived(self, digest_: str) -> Any:
        """The rule pack archived under ``digest_`` (StoreError when the store lacks it)."""
        from tongcheng.records.packs import restore

        p = schema.packs.c
        with self.engine.connect() as conn:
            files = conn.execute(sa.select(p.files).where(p.digest == digest_)).scalar()
        if files is None:
            raise StoreError(f"no rule pack {digest_} archived in the store",
                             f"记录库中没有存档的规则包 {digest_}")
        return restore(digest_, bytes(files))

    def pack_digests(self) -> list[tuple[str, str, str]]:
        p = schema.packs.c
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(
                sa.select(p.digest, p.name, p.version).order_by(p.archived_at))]

    # -- the Merkle log ------------------------------------------------------------------------

    def heads(self) -> list[TreeHead]:
        h = schema.tree_heads.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.tree_heads).order_by(h.size)).all()
        return [_head(row) for row in rows]

    def latest_head(self, conn: Connection | None = None) -> TreeHead | None:
        h = schema.tree_heads.c
        query = sa.select(schema.tree_heads).order_by(h.size.desc()).limit(1)
        if conn is None:
            with self.engine.connect() as c:
                row = c.execute(query).first()
        else:
            row = conn.execute(query).first()
        return _head(row) if row is not None else None

    def seal(self, *, wait: bool = True) -> TreeHead | None:
        """Append every record not yet in the log as leaves and sign a new tree head.

        Returns the new head, or None when nothing was waiting (or, with ``wait=False``, when
        another process is sealing right now)."""
        head = None
        while True:
            sealed, count = self._seal_batch(wait, SEAL_BATCH)
            head = sealed or head
            if count < SEAL_BATCH:  # a short batch: nothing more was waiting
                return head

    def seal_step(self, most: int) -> int:
        """Seal at most ``most`` waiting records, in one transaction, under one new head, and
        say how many (0: nothing waiting, or another process is sealing right now). On SQLite
        a seal holds the write lock: steps keep the writers' waits short."""
        try:
            return self._seal_batch(False, most)[1]
        except sa.exc.OperationalError as e:
            if is_busy(e):  # (a store that does not wait for the lock)
                raise Busy("another writer holds the write lock") from None
            raise

    def _seal_batch(self, wait: bool, most: int) -> tuple[TreeHead | None, int]:
        p = schema.pending.c
        with self.writing() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                if wait:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEAL_LOCK})
                elif not conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"),
                                      {"k": _SEAL_LOCK}).scalar():
                    return None, 0
            last = self.latest_head(conn)
            tree = merkle.CompactTree(
                last.size if last else 0,
                [bytes.fromhex(h) for h in last.subtrees] if last else ())
            rows = conn.execute(sa.select(p.record_id, p.digest).order_by(p.record_id)
                                .limit(most)).all()
            if not rows:
                return None, 0
            entries, hashes = [], []
            for k, (record_id, body_digest) in enumerate(rows):
                at = id_time(record_id)
                entries.append({"idx": tree.size + k, "record_id": record_id, "at": at,
                                "digest": body_digest})
                hashes.append(merkle.hash_leaf(leaf_data(record_id, at, body_digest)))
            # by id, not by range: a writer may commit a smaller id meanwhile (PostgreSQL)
            ids = [e["record_id"] for e in entries]
            self._inserts.insert(conn.connection.dbapi_connection.cursor(), schema.leaves,
                                 entries)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("DELETE FROM pending WHERE record_id = ANY(%b::text[])",
                                     (ids,))
            else:
                for k in range(0, len(ids), 500):
                    conn.execute(schema.pending.delete().where(p.record_id.in_(ids[k:k + 500])))
            tree.extend(hashes)
            head = self._new_head(tree)
            conn.execute(schema.tree_heads.insert().values(
                size=head.size, root=head.root, subtrees=",".join(head.subtrees), at=head.at,
                key_id=head.key_id, signature=head.signature))
            return head, len(rows)

    def _new_head(self, tree: merkle.CompactTree) -> TreeHead:
        now = datetime.now(UTC)
        at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        root = tree.root().hex()
        signature = key_id = None
        if self.signer is not None:
            signature = self.signer.sign(head_message(tree.size, root, at))
            key_id = self.signer.key_id
        return TreeHead(tree.size, root, tuple(h.hex() for h in tree.subtrees), at, key_id,
                        signature)

    # -- purging -------------------------------------------------------------------------------

    def purge(self, before: datetime) -> int:
        """Remove the records made before ``before`` (their leaves stay, so the log still
        verifies; the purge itself is kept, signed). Returns how many were removed."""
        self.seal()  # every record removed is first in the log: its removal stays visible
        r, p = schema.records.c, schema.pending.c
        with self.writing() as conn, conn.begin():
            # a record written since the seal above goes unsealed, as if never written
            conn.execute(schema.pending.delete().where(
                p.record_id.in_(sa.select(r.id).where(r.at < before))))
            removed = conn.execute(schema.records.delete().where(r.at < before)).rowcount
            now = datetime.now(UTC)
            at = now.replace(microsecond=now.microsecond // 1000 * 1000)
            signature = key_id = None
            if self.signer is not None:
                signature = self.signer.sign(purge_message(before, at, removed))
                key_id = self.signer.key_id
            conn.execute(schema.purges.insert().values(at=at, before=before, removed=removed,
                                                       key_id=key_id, signature=signature))
        return removed


def _row(record: Record, body: str) -> dict[str, Any]:
    return {
        "id": record.id, "at": record.at, "channel": record.channel, "actor": record.actor,
        "request_id": record.request_id, "situation_digest": record.situation_digest,
        "as_of": record.as_of, "lang": record.lang, "pack_name": record.pack_name,
        "pack_version": record.pack_version, "pack_digest": record.pack_digest,
        "package_version": record.package_version, **compact_columns(record), "body": body,
    }


def compact_columns(record: Record, situation: str | None = None) -> dict[str, Any]:
    """The compact copies of a record that replay reads (schema 0003): ``situation`` (the
    body's situation text, ``situation`` when given), ``rules`` (JSON, null: all) and
    ``decided``: a line per decision, ``rule<TAB>status<TAB>firmness<TAB>outcome`` (the
    outcome's canonical JSON, empty without one; JSON text holds no tab or newline)."""
    text = situation if situation is not None else (
        record.situation_text or canonical(dict(record.situation)))
    rules = canonical(list(record.rules)) if record.rules is not None else None
    decided = "\n".join([d.decided_line() for d in record.decisions])
    return {"situation": text, "rules": rules, "decided": decided}


def _head(row: Any) -> TreeHead:
    subtrees = tuple(s for s in row.subtrees.split(",") if s)
    return TreeHead(row.size, row.root, subtrees, utc(row.at), row.key_id, row.signature)


def record_columns(record: Record, situation: str | None = None) -> dict[str, Any]:
    """The filter columns and compact copies a record's body implies (``verify`` compares them
    with the row); ``situation``: the body's own situation text."""
    out = _row(record, "")
    if situation is not None:
        out["situation"] = situation
    out.pop("body")
    return out


def parse_when(text: str, *, end: bool = False) -> datetime:
    """A date (``YYYY-MM-DD``: its start, UTC) or an ISO date-time (UTC unless it says)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected a date (YYYY-MM-DD) or a date-time (ISO 8601), got "
                         f"{text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)

