"""Reading populations in chunks (Parquet, CSV, JSON Lines) and screening them chunk by chunk.

Every reader yields ``Chunk``s of at most ``chunk_size`` rows, so memory stays bounded whatever
the input size. A row the situation model refuses becomes a ``Reject`` naming its row number and
every problem (the model's path messages); it is never dropped silently and never stops the run.
"""

from __future__ import annotations

import csv
import io as _io
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from tongcheng.batch.engine import BatchEvaluator, status_column
from tongcheng.batch.layout import (
    FUND_FIELDS,
    LISTS,
    OBJECTS,
    PERSON_FIELDS,
    REQUEST_FIELDS,
    LayoutError,
    Population,
    build,
    from_situations,
    nest,
    plain_rows,
)
from tongcheng.errors import SituationError
from tongcheng.situation import Situation, no_duplicate_keys, parse_situation

FORMATS = ("parquet", "csv", "jsonl")


@attrs.frozen
class Reject:
    row: int
    problems: tuple[tuple[str, str], ...]  # (path, message)
    id: Any = None

    def to_json(self) -> str:
        out: dict[str, Any] = {"row": self.row}
        if self.id is not None:
            out["id"] = self.id
        out["problems"] = [{"path": p, "message": m} for p, m in self.problems]
        out["reason"] = "; ".join(f"{p}: {m}" if p else m for p, m in self.problems)
        return json.dumps(out, ensure_ascii=False, default=str)


@attrs.define
class Chunk:
    """Valid rows as a population, rows judged one by one (``models``), and the rejects."""

    population: Population | None
    situations: Any  # callable: indexes of ``population`` -> validated situations
    extra: Population | None  # valid rows the columns flagged: the reference decides them whole
    rejects: list[Reject]
    rows: int  # input rows in this chunk
    extra_situations: Any = None  # callable, as ``situations``, for ``extra``


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    if fmt and fmt != "auto":
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv",):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise LayoutError(
        f"{path}: cannot tell the format from the name; give --format parquet, csv or jsonl")


def count_rows(path: str | Path, fmt: str) -> int | None:
    if fmt == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    return None


def _reject(row: int, error: SituationError, id_: Any = None) -> Reject:
    return Reject(row, tuple((p.path, p.message) for p in error.problems), id_)


def _judge(rows: list[dict[str, Any]], numbers: Sequence[int], as_of: date | None,
           ids: Sequence[Any] | None = None):
    """The situation model's verdict on each row: (models with their numbers, rejects)."""
    models, kept, rejects = [], [], []
    for k, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        try:
            models.append(parse_situation(row, as_of=as_of))
            kept.append(number)
        except SituationError as e:
            rejects.append(_reject(number, e, ids[k] if ids is not None else None))
    return models, kept, rejects


def _models_population(models: list[Situation], rows: list[int], as_of: date | None,
                       ids: list[Any] | None = None, whole: bool = False) -> Population | None:
    if not models:
        return None
    pop = from_situations(models, as_of=as_of)
    persons = pop.persons.with_columns(pl.Series("_row", rows, dtype=pl.Int64))
    if ids is not None:
        persons = persons.with_columns(pl.Series("id", ids))
    pop.persons = persons
    if whole:
        pop.fallback = pl.Series("_fallback", [True] * len(models))
    return pop


# --- readers ------------------------------------------------------------------------------


def read_parquet(path: str | Path, chunk_size: int, as_of: date | None) -> Iterator[Chunk]:
    parquet = pq.ParquetFile(path)
    first = 0
    for batch in parquet.iter_batches(batch_size=chunk_size):
        table = nest(pa.Table.from_batches([batch]))
        yield _columnar_chunk(table, first, as_of)
        first += table.num_rows


def _columnar_chunk(table: pa.Table, first: int, as_of: date | None) -> Chunk:
    pop, bad = build(table, first_row=first, as_of=as_of)
    flagged = [i for i, b in enumerate(bad.to_list()) if b]
    ids = table.column("id").to_pylist() if "id" in table.column_names else None
    rejects: list[Reject] = []
    extra = None
    if flagged:
        rows = plain_rows(table.take(flagged))
        flagged_ids = [ids[i] for i in flagged] if ids is not None else None
        models, kept, rejects = _judge(rows, [first + i for i in flagged], as_of, flagged_ids)
        kept_ids = [ids[n - first] for n in kept] if ids is not None else None
        extra = _models_population(models, kept, as_of, kept_ids, whole=True)
        if extra is not None:
            by_index = models

            def extra_situations(idx: Sequence[int], by_index=by_index) -> list[Situation]:
                return [by_index[i] for i in idx]

            extra_fn = extra_situations
        else:
            extra_fn = None
    else:
        extra_fn = None
    row_of = pop.persons["_row"].to_list()

    def situations(idx: Sequence[int]) -> list[Situation]:
        picked = table.take([row_of[i] - first for i in idx])
        return [parse_situation(r, as_of=as_of) for r in plain_rows(picked)]

    chunk = Chunk(pop if pop.n else None, situations, extra, rejects, table.num_rows)
    chunk.extra_situations = extra_fn
    return chunk


def _row_chunk(rows: list[Any], numbers: list[int], as_of: date | None,
               rejects: list[Reject], ids: list[Any] | None = None) -> Chunk:
    models, kept, more = _judge(rows, numbers, as_of, ids)
    rejects = sorted(rejects + more, key=lambda r: r.row)
    kept_ids = None
    if ids is not None:
        by_number = dict(zip(numbers, ids, strict=True))
        kept_ids = [by_number[n] for n in kept]
    pop = _models_population(models, kept, as_of, kept_ids)

    def situations(idx: Sequence[int]) -> list[Situation]:
        return [models[i] for i in idx]

    chunk = Chunk(pop, situations, None, rejects, len(numbers))
    return chunk




def read_jsonl(path: str | Path, chunk_size: int, as_of: date | None) -> Iterator[Chunk]:
    """One situation per line, in the contract's JSON."""
    number = 0
    rows: list[Any] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    with open(path, "rb") as f:
        for raw in f:
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                rejects.append(Reject(number, (("", "empty line: expected a situation"),)))
            else:
                try:
                    rows.append(json.loads(text, parse_float=Decimal,
                                           object_pairs_hook=no_duplicate_keys))
                    numbers.append(number)
                except (json.JSONDecodeError, RecursionError, ValueError) as e:
                    msg = getattr(e, "msg", str(e))
                    rejects.append(Reject(number, (("", f"not valid JSON: {msg}"),)))
            number += 1
            if len(rows) + len(rejects) >= chunk_size:
                yield _row_chunk(rows, numbers, as_of, rejects)
                rows, numbers, rejects = [], [], []
    if rows or rejects:
        yield _row_chunk(rows, numbers, as_of, rejects)


_MONEY = {f"provident_fund.{k}" for k, v in FUND_FIELDS.items() if v == "money"}
_COUNTS = {f"provident_fund.{k}" for k, v in FUND_FIELDS.items() if v == "count"} | {
    "request.hospital_grade"}
_BOOLS = {"provident_fund.couple_application"}
_LIST_COLUMNS = set(LISTS)


def _csv_value(column: str, text: str) -> Any:
    """A CSV cell as the JSON value it stands for (left as text when it does not parse, so the
    situation model names the problem)."""
    if column in _LIST_COLUMNS:
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError:
            return text
    if column in _MONEY:
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
    if column in _COUNTS:
        return int(text) if text.strip().isdigit() else text
    if column in _BOOLS:
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    return text


def _csv_columns(header: list[str]) -> None:
    known = {"id", "as_of", "target", "insurance", "cards", "results", *_LIST_COLUMNS}
    for head, fields in (("person", PERSON_FIELDS), ("provident_fund", FUND_FIELDS),
                         ("request", REQUEST_FIELDS)):
        known |= {f"{head}.{f}" for f in fields}
    for name in header:
        if name not in known:
            raise LayoutError(f"unknown CSV column {name!r}; columns are: "
                              f"{', '.join(sorted(known))}")


def read_csv(path: str | Path, chunk_size: int, as_of: date | None) -> Iterator[Chunk]:
    """Flat layout: dotted columns, list columns as JSON text; an empty cell is absent."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        _csv_columns(header)
        rows: list[Any] = []
        numbers: list[int] = []
        ids: list[Any] = []
        rejects: list[Reject] = []
        has_id = "id" in header
        for number, cells in enumerate(reader):
            if len(cells) != len(header):
                rejects.append(Reject(number, (("", f"expected {len(header)} cells, got "
                                                    f"{len(cells)}"),)))
            else:
                row: dict[str, Any] = {}
                for name, cell in zip(header, cells, strict=True):
                    if cell == "" or name == "id":
                        continue
                    head, _, rest = name.partition(".")
                    value = _csv_value(name, cell)
                    if rest and head in OBJECTS:
                        row.setdefault(head, {})[rest] = value
                    else:
                        row[name] = value
                rows.append(row)
                numbers.append(number)
                ids.append(cells[header.index("id")] if has_id else None)
            if len(rows) + len(rejects) >= chunk_size:
                yield _row_chunk(rows, numbers, as_of, rejects, ids if has_id else None)
                rows, numbers, rejects, ids = [], [], [], []
        if rows or rejects:
            yield _row_chunk(rows, numbers, as_of, rejects, ids if has_id else None)


def read(path: str | Path, fmt: str, chunk_size: int, as_of: date | None) -> Iterator[Chunk]:
    if fmt == "parquet":
        return read_parquet(path, chunk_size, as_of)
    if fmt == "csv":
        return read_csv(path, chunk_size, as_of)
    return read_jsonl(path, chunk_size, as_of)


def prefetch(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """Read the next chunk in a thread while the current one is evaluated."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        it = iter(chunks)
        future = pool.submit(next, it, None)
        while True:
            chunk = future.result()
            if chunk is None:
                return
            future = pool.submit(next, it, None)
            yield chunk


# --- screening ----------------------------------------------------------------------------


def screen_chunk(engine: BatchEvaluator, chunk: Chunk,
                 statuses: Sequence[str] | None = None) -> pl.DataFrame | None:
    """The decisions of a chunk's valid rows (``_row``, ``id``?, per rule status and outcome)."""
    parts = []
    if chunk.population is not None:
        parts.append(engine.evaluate(chunk.population, chunk.situations))
    if chunk.extra is not None:
        parts.append(engine.evaluate(chunk.extra, chunk.extra_situations))
    if not parts:
        return None
    result = pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]
    result = result.drop("_i")
    if not result["_row"].is_sorted():
        result = result.sort("_row")
    if statuses:
        cols = [status_column(p.rule.id) for p in engine.plans]
        result = result.filter(pl.any_horizontal(
            [pl.col(c).cast(pl.String).is_in(list(statuses)) for c in cols]))
    return result


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
            pending.result()

    def write(self, frame: pl.DataFrame) -> None:
        self.flush()
        self._pending = self._pool.submit(self._write, frame)
        self.rows += frame.height

    def _write(self, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        else:
            table = table.cast(self.schema)
        self.writer.write_table(table)

    def close(self, empty: pl.DataFrame) -> None:
        try:
            self.flush()
        finally:
            self._pool.shutdown(wait=True)
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.path, empty.to_arrow().schema,
                                               compression="zstd")
            self.writer.close()


def empty_result(engine: BatchEvaluator) -> pl.DataFrame:
    return pl.DataFrame(schema={"_row": pl.Int64, **engine.schema()})


def rejects_text(rejects: Sequence[Reject]) -> str:
    buf = _io.StringIO()
    for r in rejects:
        buf.write(r.to_json())
        buf.write("\n")
    return buf.getvalue()

