"""Where ``screen`` writes as it goes: decisions to Parquet, chunk after chunk, in a background
thread (``ParquetSink``), and rejected rows to their JSON Lines file (``RejectsFile``)."""

from __future__ import annotations

import io as _io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow.parquet as pq

from tongcheng.arrowfiles import parquet_writer
from tongcheng.batch import phases

if TYPE_CHECKING:
    from tongcheng.batch.io import Reject


class ParquetSink:
    """Writes result chunks to one Parquet file, with the schema of the first.

    Chunks are written in order by one background thread (Arrow releases the GIL), so the next
    chunk is decided while this one is compressed and written; at most one write is pending.
    An error in a write is raised by the next ``write`` or by ``close``.
    """

    def __init__(self, path: str | Path):
        self.path = path
        self.writer: pq.ParquetWriter | None = None
        self.schema = None
        self.rows = 0
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: Any = None

    def flush(self) -> None:
        """Wait for the pending write (raising its error, if any)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            with phases.clock("wait.write"):
                pending.result()

    def write(self, frame: pl.DataFrame) -> None:
        self.flush()
        self._pending = self._pool.submit(self._write, frame)
        self.rows += frame.height

    def _write(self, frame: pl.DataFrame) -> None:
        with phases.clock("write"):
            self._write_now(frame)

    def _write_now(self, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        if self.writer is None:
            self.schema = table.schema
            self.writer = parquet_writer(self.path, self.schema, compression="zstd")
        else:
            table = table.cast(self.schema)
        self.writer.write_table(table)

    def close(self, empty: pl.DataFrame) -> None:
        try:
            self.flush()
        finally:
            self._pool.shutdown(wait=True)
            if self.writer is None:
                self.writer = parquet_writer(self.path, empty.to_arrow().schema,
                                             compression="zstd")
            self.writer.close()


class RejectsFile:
    """The rejects file, created at the first reject: a run without one leaves no file (and
    removes the file a previous run left there, which would otherwise be read as this run's)."""

    def __init__(self, path: str | Path, lang: str = "en") -> None:
        self.path = Path(path)
        self.lang = lang  # the language of the reasons
        self.count = 0
        self._file: Any = None

    def write(self, rejects: Sequence[Reject]) -> None:
        if not rejects:
            return
        if self._file is None:
            # messages never hold lone surrogates; should one slip through, it is escaped
            self._file = open(self.path, "w", encoding="utf-8",  # noqa: SIM115
                              errors="backslashreplace")
        self._file.write(rejects_text(rejects, self.lang))
        self.count += len(rejects)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        elif self.path.is_file():
            self.path.unlink()


def rejects_text(rejects: Sequence[Reject], lang: str = "en") -> str:
    buf = _io.StringIO()
    for r in rejects:
        buf.write(r.to_json(lang))
        buf.write("\n")
    return buf.getvalue()

