"""Parquet files by any name the system allows.

Arrow takes a path as UTF-8 text. A file whose name is not UTF-8 — bytes a shell passes as they
are, such as a name in GBK copied from another machine, which Python holds with surrogate
escapes — makes it raise ``UnicodeEncodeError``. Such a file is opened here, by Python, and
handed to Arrow open; a UTF-8 name is handed over as it is (Arrow's own file, the fast path).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def arrow_names(path: str | Path) -> bool:
    """Whether Arrow can take ``path`` by name (its name is UTF-8)."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Writer(pq.ParquetWriter):
    """Arrow's writer on a file opened here, closed with it (Arrow leaves a file it was given
    open)."""

    def __init__(self, handle: Any, schema: pa.Schema, **options: Any) -> None:
        self._handle = handle
        try:
            super().__init__(handle, schema, **options)
        except BaseException:
            handle.close()
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._handle.close()


def parquet_writer(path: str | Path, schema: pa.Schema, **options: Any) -> pq.ParquetWriter:
    """``pq.ParquetWriter(path, schema, **options)``, whatever the file's name."""
    if arrow_names(path):
        return pq.ParquetWriter(os.fspath(path), schema, **options)
    return _Writer(open(path, "wb"), schema, **options)  # (closed with the writer)


def parquet_file(path: str | Path) -> pq.ParquetFile:
    """``pq.ParquetFile(path)``, whatever the file's name (the file read through Python's,
    open for as long as the ParquetFile is used)."""
    if arrow_names(path):
        return pq.ParquetFile(os.fspath(path))
    return pq.ParquetFile(open(path, "rb"))  # (kept open while it is read)


def write_table(table: pa.Table, path: str | Path, **options: Any) -> None:
    """``pq.write_table(table, path)``, whatever the file's name."""
    with parquet_writer(path, table.schema, **options) as writer:
        writer.write_table(table)
