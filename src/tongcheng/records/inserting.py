"""Rows inserted straight through the database driver: the record writer's hot path.

A transaction of the service's writer holds a few records; through SQLAlchemy's Core its fixed
cost (checking out a connection, the ``begin`` event, compiling and executing two statements,
the commit) was ~0.45 ms of CPU, more than inserting the records themselves. Here each
statement is made once per table, values are bound with SQLAlchemy's own bind processors (so a
time is stored exactly as SQLAlchemy stores and compares it), and the driver runs them: on
SQLite in a ``BEGIN IMMEDIATE`` transaction, many rows a statement (``VALUES (…), (…)``: the
module releases the GIL at each step, and a writer thread beside a busy event loop waits to
take it back), on PostgreSQL one statement a table, a column an array (``unnest``, binary): one
message instead of psycopg's ~40 µs a row.
"""

from __future__ import annotations

import contextlib
import operator
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["Busy", "DriverInserts", "is_busy"]


class Busy(Exception):
    """Another writer holds the database's write lock right now (a store that does not wait
    for it: nothing was written, try again later)."""


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (the driver's, or SQLAlchemy's around it) says SQLite's write lock is
    held by another connection."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and (
        "database is locked" in str(orig) or "database is busy" in str(orig))

_VARIABLES = 999  # the bound values one SQLite statement may hold (SQLite before 3.32)


class DriverInserts:
    """Inserting rows (dicts by column name) into tables of one engine, in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._held = threading.local()
        self._made: dict[str, tuple[str, list[tuple[str, Callable | None]]]] = {}
        self._takes: dict[str, tuple[Callable, list[tuple[int, Callable]]]] = {}
        self._texts: dict[tuple[str, int], str] = {}

    def _statement(self, table: sa.Table) -> tuple[str, list[tuple[str, Callable | None]]]:
        made = self._made.get(table.name)
        if made is None:
            dialect = self.engine.dialect
            names = ", ".join(c.name for c in table.c)
            if self.postgres:
                arrays = ", ".join(f"%b::{c.type.compile(dialect)}[]" for c in table.c)
                text = f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays})"
                columns = [(c.name, None) for c in table.c]  # psycopg adapts the values
            else:
                marks = ", ".join("?" for _ in table.c)
                text = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
                columns = [(c.name, c.type.bind_processor(dialect)) for c in table.c]
            made = self._made[table.name] = (text, columns)
        return made

    def insert(self, cursor: Any, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
        text, columns = self._statement(table)
        if self.postgres:
            cursor.execute(text, tuple([row[name] for row in rows] for name, _ in columns))
            return
        # several rows a statement: one step of SQLite (one release of the GIL, which the
        # writer thread then waits to take back from a busy event loop) instead of one a row
        values = self._values(table, rows)
        per = max(1, _VARIABLES // len(columns))
        for k in range(0, len(values), per):
            chunk = values[k:k + per]
            cursor.execute(self._rows_text(table, text, len(chunk)),
                           [v for row in chunk for v in row])

    def _rows_text(self, table: sa.Table, text: str, count: int) -> str:
        """The SQLite insert of ``count`` rows (``VALUES (…), (…)``)."""
        key = (table.name, count)
        made = self._texts.get(key)
        if made is None:
            marks = text[text.index(" VALUES ") + 8:]
            made = self._texts[key] = text + f", {marks}" * (count - 1)
        return made

    def _values(self, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """The rows' values in column order, each through its bind processor (SQLite)."""
        take, binds = self._takes.get(table.name) or self._take(table)
        if not binds:
            return [take(row) for row in rows]
        out = []
        for row in rows:
            values = list(take(row))
            for k, bind in binds:
                if values[k] is not None:
                    values[k] = bind(values[k])
            out.append(values)
        return out

    def _take(self, table: sa.Table) -> tuple[Callable, list[tuple[int, Callable]]]:
        _, columns = self._statement(table)
        names = [name for name, _ in columns]
        take = operator.itemgetter(*names) if len(names) > 1 else (
            lambda row: (row[names[0]],))
        binds = [(k, bind) for k, (_, bind) in enumerate(columns) if bind is not None]
        made = self._takes[table.name] = (take, binds)
        return made

    def transaction(self, *inserts: tuple[sa.Table, Sequence[dict[str, Any]]]) -> None:
        """Every insert in one transaction: all committed or none. The calling thread keeps its
        connection from one transaction to the next (no pool checkout, no ping); a connection
        that failed is dropped."""
        raw = getattr(self._held, "raw", None)
        if raw is None:
            raw = self._held.raw = self.engine.raw_connection()
        if not self.postgres:  # the connection is in autocommit mode: begin, taking the lock
            cursor = raw.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except Exception as e:
                if is_busy(e):  # nothing begun: the connection is as good as before
                    raise Busy("another writer holds the write lock") from None
                self._held.raw = None
                raw.invalidate()
                raise
        try:
            if self.postgres:  # one statement, the first inserts as CTEs: one round trip
                cursor = raw.cursor()
                cursor.execute(*self._together(inserts))
            else:
                for table, rows in inserts:
                    self.insert(cursor, table, rows)
            raw.commit()
        except BaseException as e:
            self._held.raw = None
            with contextlib.suppress(Exception):
                raw.rollback()
            raw.invalidate()
            if is_busy(e):  # (not expected once the lock is held; all the same, nothing written)
                raise Busy("another writer holds the write lock") from e
            raise

    def _together(self, inserts: Sequence[tuple[sa.Table, Sequence[dict[str, Any]]]]
                  ) -> tuple[str, tuple[Any, ...]]:
        texts, params = [], []
        for table, rows in inserts:
            text, columns = self._statement(table)
            texts.append(text)
            params.extend([row[name] for row in rows] for name, _ in columns)
        ctes = ", ".join(f"w{k} AS ({text})" for k, text in enumerate(texts[:-1]))
        return (f"WITH {ctes} {texts[-1]}" if ctes else texts[-1]), tuple(params)

    def close(self) -> None:
        raw = getattr(self._held, "raw", None)
        if raw is not None:
            self._held.raw = None
            raw.close()
