"""Reading replay's chunks: each chunk's situations into the screening layout (``tongcheng.batch``:
Arrow's JSON reader straight into ``JSON_SCHEMA``), optionally a chunk ahead in a thread of its
own while the previous chunk is decided."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from tongcheng.records.replay_compact import Chunk
from tongcheng.records.store import RecordStore

__all__ = ["laid_out", "population", "read_ahead", "situations_of", "threads_share"]


def population(chunk: Chunk):
    """A chunk's situations as a screening population (Arrow's JSON reader over the compact
    copies' texts; the parsed rows otherwise)."""
    import pyarrow as pa

    from tongcheng.batch.layout import JSON_SCHEMA, build

    table = _read_situations(chunk.texts, chunk.as_of) if chunk.texts else None
    if table is None:
        rows = [{**r, **{s: "given" for s in _SUBJECTS if s in r}}
                for r in (chunk.rows or map(chunk.situation, range(len(chunk.ids))))]
        table = pa.Table.from_pylist(rows, schema=JSON_SCHEMA)
    pop, _ = build(table, validate=False)
    return pop


_SUBJECTS = ("project", "enterprise")  # only marked, as in screening


def _read_situations(texts: list[str], as_of: list[str]):
    """The situations' canonical JSON read at once by Arrow's JSON reader into the screening
    layout (``JSON_SCHEMA``); None when Arrow cannot (the rows are then read one by one)."""
    import pyarrow as pa
    import pyarrow.json as pj

    from tongcheng.batch.layout import JSON_SCHEMA

    fields = [f if f.name not in _SUBJECTS else pa.field(f.name, pa.struct([]))
              for f in JSON_SCHEMA if f.name != "as_of"]
    data = "\n".join(texts).encode("utf-8")
    options = pj.ParseOptions(explicit_schema=pa.schema(fields),
                              unexpected_field_behavior="ignore")
    try:
        table = pj.read_json(pa.BufferReader(data), parse_options=options,
                             read_options=pj.ReadOptions(block_size=max(1 << 20, len(data) // 8)))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(texts):
        return None
    columns = {"as_of": pa.array(as_of, pa.string())}
    for name in table.column_names:
        column = table.column(name)
        if name in _SUBJECTS:
            column = pa.array(["given" if v else None for v in column.is_valid().to_pylist()],
                              pa.string())
        columns[name] = column
    return pa.table([columns[f.name] for f in JSON_SCHEMA], schema=JSON_SCHEMA)


def situations_of(chunk: Chunk):
    from tongcheng.situation import parse_situation

    def situations(idx: Any) -> list[Any]:
        return [parse_situation(chunk.situation(i)) for i in idx]

    return situations


def laid_out(chunks: Iterator[tuple[str | None, Chunk]], report: Any
             ) -> Iterator[tuple[str | None, Chunk, Any]]:
    """Each chunk with its population; the time it takes is the ``layout`` phase."""
    for key, chunk in chunks:
        mark = time.perf_counter()
        laid = population(chunk)  # the situations read into the screening layout
        report.phases["layout"] += time.perf_counter() - mark  # part of "read", as screening's
        yield key, chunk, laid


def read_ahead(chunks: Iterator[tuple[str | None, Chunk]], report: Any
               ) -> Iterator[tuple[str | None, Chunk, Any]]:
    """``laid_out`` in a thread, one chunk ahead; its error is raised here, and it stops
    when the caller does."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        items = laid_out(chunks, report)
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(done)
        except BaseException as e:  # raised in the caller's thread
            ready.put(e)
        finally:
            items.close()
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="replay-read", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # free a producer waiting to put
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.1)
        thread.join()


def threads_share(store: RecordStore) -> bool:
    """Whether another thread may read the store (not an in-memory SQLite database: each
    thread would get its own, empty)."""
    from sqlalchemy.pool import SingletonThreadPool, StaticPool

    return not isinstance(store.engine.pool, SingletonThreadPool | StaticPool)
