"""Reading populations in chunks (Parquet, CSV, JSON Lines) and screening them chunk by chunk.

Every reader yields ``Chunk``s of at most ``chunk_size`` rows, so memory stays bounded whatever
the input size. A row the situation model refuses becomes a ``Reject`` naming its row number and
every problem (the model's path messages); it is never dropped silently and never stops the run:
every input row is either written or rejected. So is a row a rule errs on (``RowError``: a defect
of the pack, which only that row's situation meets): rejected naming the rule, where it is in the
pack and what failed. A file that cannot be read as its format at all
(not Parquet, a damaged page, a CSV header that is not UTF-8) raises ``LayoutError`` naming the
file and, where it can, the rows: a bad command (exit 2).

Every format meets the same validation: cells are read into the contract's JSON values (JSON
text through ``tongcheng.jsonio``, Parquet dates as ISO text so that years before 1 or after 9999
reach the model instead of Python's ``date``) and judged by the situation model.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from tongcheng import jsonio
from tongcheng import wording as W
from tongcheng.arrowfiles import parquet_file
from tongcheng.batch import phases
from tongcheng.batch.engine import BatchEvaluator, RowError, status_column
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
from tongcheng.batch.sinks import ParquetSink as ParquetSink  # re-exported: its old home
from tongcheng.batch.sinks import RejectsFile as RejectsFile
from tongcheng.batch.sinks import rejects_text as rejects_text
from tongcheng.errors import SituationError
from tongcheng.situation import Situation, describe_value, parse_situation

FORMATS = ("parquet", "csv", "jsonl")
Services = Collection[str] | None  # the service items a row's request.service may name


@attrs.frozen
class Reject:
    row: int
    # (path, message in English[, the same in Chinese]): worded in the run's language on output
    problems: tuple[tuple[str, ...], ...]
    id: Any = None
    # the rules that erred on the row (a defect of the pack, not of the row): none for bad input
    rules: tuple[str, ...] = ()

    def to_json(self, lang: str = "en") -> str:
        out: dict[str, Any] = {"row": self.row}
        if self.id is not None:
            out["id"] = self.id
        if self.rules:
            out["rules"] = list(self.rules)
        worded = [(p[0], _worded(p, lang)) for p in self.problems]
        out["problems"] = [{"path": p, "message": m} for p, m in worded]
        sep = ";" if lang == "zh" else "; "
        colon = ":" if lang == "zh" else ": "
        out["reason"] = sep.join(f"{p}{colon}{m}" if p else m for p, m in worded)
        return json.dumps(out, ensure_ascii=False, default=str)


def _worded(problem: tuple[str, ...], lang: str) -> str:
    """A problem's message in ``lang`` (English where no Chinese was written)."""
    return problem[2] if lang == "zh" and len(problem) > 2 and problem[2] else problem[1]


def rule_rejects(errors: Sequence[RowError]) -> list[Reject]:
    """The rows rules erred on, one reject a row naming every rule that erred on it: its file and
    line in the pack and what failed, in both languages."""
    by_row: dict[int, list[RowError]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(e)
    return [Reject(row, tuple(("", e.error.describe("en"), e.error.describe("zh")) for e in met),
                   met[0].id, tuple(e.rule for e in met))
            for row, met in by_row.items()]


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
        f"{path}: cannot tell the format from the name; give --input-format parquet, csv or "
        "jsonl", f"{path}:无法从文件名判断格式;请用 --input-format 指明 parquet、csv 或 jsonl")


def count_rows(path: str | Path, fmt: str) -> int | None:
    if fmt == "parquet":
        return open_parquet(path).metadata.num_rows
    return None


def _arrow_message(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def open_parquet(path: str | Path) -> pq.ParquetFile:
    """The Parquet file at ``path``; LayoutError when it is not one Arrow can read."""
    try:
        return parquet_file(path)
    except (pa.ArrowException, OSError) as e:
        why = _arrow_message(e)
        raise LayoutError(f"{path}: not a readable Parquet file ({why})",
                          f"{path}:不是可读取的 Parquet 文件(“{why}”)") from None


def _parquet_batches(path: str | Path, chunk_size: int) -> Iterator[pa.RecordBatch]:
    """The file's record batches, each checked whole (text columns must be UTF-8: polars takes
    Arrow's word for it); a damaged page or bad text is a LayoutError naming the rows."""
    batches = open_parquet(path).iter_batches(batch_size=chunk_size)
    first = 0
    while True:
        with phases.clock("read"):
            try:
                batch = next(batches, None)
            except (pa.ArrowException, OSError) as e:
                why = _arrow_message(e)
                raise LayoutError(f"{path}: rows from {first}: cannot be read ({why})",
                                  f"{path}:自第 {first} 行(从 0 数起)无法读取(“{why}”)"
                                  ) from None
        if batch is None:
            return
        with phases.clock("read.utf8_check"):
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                try:
                    column.validate(full=True)
                except pa.ArrowException as e:
                    why = _arrow_message(e).rpartition("Invalid: ")[2]
                    rows = f"{first}-{first + batch.num_rows - 1}"
                    raise LayoutError(f"{path}: rows {rows}: column {name!r}: {why}",
                                      f"{path}:第 {rows} 行(从 0 数起):列 {name!r} 的数据无效"
                                      f"(“{why}”)") from None
        yield batch
        first += batch.num_rows


def _reject(row: int, error: SituationError, id_: Any = None) -> Reject:
    return Reject(row, tuple((p.path, p.message, p.zh or p.message) for p in error.problems), id_)


def _judge(rows: list[dict[str, Any]], numbers: Sequence[int], as_of: date | None,
           ids: Sequence[Any] | None = None, services: Services = None):
    """The situation model's verdict on each row: (models with their numbers, rejects)."""
    models, kept, rejects = [], [], []
    for k, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        try:
            models.append(parse_situation(row, as_of=as_of, services=services))
            kept.append(number)
        except SituationError as e:
            rejects.append(_reject(number, e, ids[k] if ids is not None else None))
    return models, kept, rejects


def _models_population(models: list[Situation], rows: list[int], as_of: date | None,
                       ids: list[Any] | None = None, whole: bool = False,
                       id_type: Any = None) -> Population | None:
    if not models:
        return None
    pop = from_situations(models, as_of=as_of)
    persons = pop.persons.with_columns(pl.Series("_row", rows, dtype=pl.Int64))
    if ids is not None:
        persons = persons.with_columns(pl.Series("id", ids, dtype=id_type))
    pop.persons = persons
    if whole:
        pop.fallback = pl.Series("_fallback", [True] * len(models))
    return pop


# --- readers ------------------------------------------------------------------------------


def read_parquet(path: str | Path, chunk_size: int, as_of: date | None,
                 services: Services = None) -> Iterator[Chunk]:
    first = 0
    for batch in _parquet_batches(path, chunk_size):
        with phases.clock("read"):
            table = nest(pa.Table.from_batches([batch]))
        yield _columnar_chunk(table, first, as_of, services)
        first += table.num_rows


def _columnar_chunk(table: pa.Table, first: int, as_of: date | None,
                    services: Services = None) -> Chunk:
    with phases.clock("validate"):
        pop, bad = build(table, first_row=first, as_of=as_of, services=services)
    flagged = bad.arg_true().to_list()
    phases.count("flagged_rows", len(flagged))
    rejects: list[Reject] = []
    extra = extra_fn = None
    if flagged:
        with phases.clock("judge"):
            extra, extra_fn, rejects = _judge_flagged(table, first, as_of, flagged, services)
    row_of = pop.persons["_row"]

    def situations(idx: Sequence[int]) -> list[Situation]:
        picked = table.take((row_of.gather(list(idx)) - first).to_list())
        return [parse_situation(r, as_of=as_of) for r in plain_rows(picked)]

    chunk = Chunk(pop if pop.n else None, situations, extra, rejects, table.num_rows)
    chunk.extra_situations = extra_fn
    return chunk


def _judge_flagged(table: pa.Table, first: int, as_of: date | None, flagged: list[int],
                   services: Services = None):
    """The rows the columns flagged, judged by the situation model: (a population of those it
    accepts, their situations by index, the rejects)."""
    ids = table.column("id").take(flagged).to_pylist() if "id" in table.column_names else None
    rows = plain_rows(table.take(flagged))
    models, kept, rejects = _judge(rows, [first + i for i in flagged], as_of, ids, services)
    if ids is not None:
        id_of = dict(zip(flagged, ids, strict=True))
        kept_ids = [id_of[n - first] for n in kept]
    else:
        kept_ids = None
    extra = _models_population(models, kept, as_of, kept_ids, whole=True)
    if extra is None:
        return None, None, rejects

    def extra_situations(idx: Sequence[int]) -> list[Situation]:
        return [models[i] for i in idx]

    return extra, extra_situations, rejects


def _row_chunk(rows: list[Any], numbers: list[int], as_of: date | None,
               rejects: list[Reject], ids: list[Any] | None = None,
               services: Services = None) -> Chunk:
    """A chunk of rows read one by one (JSON Lines, CSV): each judged by the situation model.
    ``ids``, when given, are text (or None) and the output has an ``id`` column."""
    n_rows = len(numbers) + len(rejects)
    models, kept, more = _judge(rows, numbers, as_of, ids, services)
    rejects = sorted(rejects + more, key=lambda r: r.row)
    kept_ids = None
    if ids is not None:
        by_number = dict(zip(numbers, ids, strict=True))
        kept_ids = [by_number[n] for n in kept]
    pop = _models_population(models, kept, as_of, kept_ids, id_type=pl.String)

    def situations(idx: Sequence[int]) -> list[Situation]:
        return [models[i] for i in idx]

    return Chunk(pop, situations, None, rejects, n_rows)


class _Rows:
    """Rows read one by one, gathered into chunks: (row, number, id) kept, or rejected."""

    def __init__(self, chunk_size: int, as_of: date | None, with_ids: bool,
                 services: Services = None) -> None:
        self.chunk_size, self.as_of, self.with_ids = chunk_size, as_of, with_ids
        self.services = services
        self.rows: list[Any] = []
        self.numbers: list[int] = []
        self.ids: list[Any] = []
        self.rejects: list[Reject] = []

    def keep(self, number: int, row: Any, id_: Any = None) -> None:
        self.rows.append(row)
        self.numbers.append(number)
        self.ids.append(id_)

    def reject(self, number: int, path: str, message: str, zh: str, id_: Any = None) -> None:
        self.rejects.append(Reject(number, ((path, message, zh),), id_))

    def full(self) -> bool:
        return len(self.rows) + len(self.rejects) >= self.chunk_size

    def chunk(self) -> Chunk:
        out = _row_chunk(self.rows, self.numbers, self.as_of, self.rejects,
                         self.ids if self.with_ids else None, self.services)
        self.rows, self.numbers, self.ids, self.rejects = [], [], [], []
        return out

    def last(self) -> Iterator[Chunk]:
        if self.rows or self.rejects:
            yield self.chunk()


def _json_id(value: Any) -> str:
    """A JSON Lines row's ``id``, as text (a string as it is, a whole number as its digits)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected a string or a whole number, got {describe_value(value)}")


def read_jsonl(path: str | Path, chunk_size: int, as_of: date | None,
               services: Services = None) -> Iterator[Chunk]:
    """One situation per line, in the contract's JSON; an ``id`` key is carried to the output
    (as text) and is no fact of the situation."""
    out = _Rows(chunk_size, as_of, with_ids=True, services=services)
    with open(path, "rb") as f:
        for number, raw in enumerate(jsonio.bounded_lines(f)):
            long = jsonio.too_long(raw)
            try:
                text = None if long else raw.decode("utf-8").strip().lstrip("\ufeff")
            except UnicodeDecodeError as e:
                byte = f"0x{raw[e.start]:02x}"
                out.reject(number, "", f"not UTF-8 text (byte {byte} at column {e.start + 1})",
                           f"不是 UTF-8 文本(第 {e.start + 1} 列的字节 '{byte}')")
                text = None
            if long is not None:
                out.reject(number, "", long,
                           f"一行超过 {jsonio.MAX_LINE_BYTES // 2**20} MiB")
            elif text == "":
                out.reject(number, "", "empty line: expected a situation", "空行:应为一个情形")
            elif text is not None:
                _json_row(out, number, text)
            if out.full():
                yield out.chunk()
    yield from out.last()


def _json_row(out: _Rows, number: int, text: str) -> None:
    try:
        row = jsonio.loads(text, parse_float=Decimal)
    except jsonio.JsonInputError as e:
        at = e.column is not None and not e.path
        out.reject(number, e.path, f"column {e.column}: {e.message}" if at else e.message,
                   f"第 {e.column} 列:{e.words.zh}" if at else e.words.zh)
        return
    id_ = None
    if isinstance(row, dict) and "id" in row:
        row = dict(row)
        raw_id = row.pop("id")
        try:
            id_ = None if raw_id is None else _json_id(raw_id)
        except ValueError as e:
            out.reject(number, "id", str(e), f"应为字符串或整数,实际为{W.describe(raw_id)[1]}")
            return
    out.keep(number, row, id_)


_MONEY = {f"provident_fund.{k}" for k, v in FUND_FIELDS.items() if v == "money"}
_COUNTS = {f"provident_fund.{k}" for k, v in FUND_FIELDS.items() if v == "count"} | {
    "request.hospital_grade"}
_BOOLS = {"provident_fund.couple_application"}
_LIST_COLUMNS = set(LISTS)


_WHOLE = re.compile(r"[0-9]{1,18}")
_AMOUNT = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")
CSV_CELL_LIMIT = csv.field_size_limit()
"""The longest CSV cell read (the csv module's limit, 128 KiB): a longer one rejects its row."""


class _CellError(ValueError):
    def __init__(self, path: str, message: str, zh: str) -> None:
        super().__init__(message)
        self.path, self.message, self.zh = path, message, zh


def _csv_value(column: str, text: str) -> Any:
    """A CSV cell as the JSON value it stands for (left as text when it does not parse, so the
    situation model names the problem); a list cell that is not acceptable JSON raises
    _CellError naming the path inside it."""
    if column in _LIST_COLUMNS:
        try:
            return jsonio.loads(text, parse_float=Decimal)
        except jsonio.JsonInputError as e:
            if e.line is not None:  # not JSON at all: the model says "expected a list"
                return text
            inner = f"{column}{'' if e.path.startswith('[') else '.'}{e.path}" if e.path else column
            raise _CellError(inner, e.message, e.words.zh) from None
    if column in _MONEY:
        return Decimal(text) if _AMOUNT.fullmatch(text.strip()) else text
    if column in _COUNTS:
        return int(text) if _WHOLE.fullmatch(text.strip()) else text
    if column in _BOOLS:
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    return text


def _csv_columns(path: str | Path, header: list[str]) -> None:
    known = {"id", "as_of", "target", "insurance", "cards", "results", *_LIST_COLUMNS}
    for head, fields in (("person", PERSON_FIELDS), ("provident_fund", FUND_FIELDS),
                         ("request", REQUEST_FIELDS)):
        known |= {f"{head}.{f}" for f in fields}
    columns = ", ".join(sorted(known))
    for name in header:
        if jsonio.printable(name) != name:
            raise LayoutError(f"{path}: line 1: the header is not UTF-8 text",
                              f"{path}:第 1 行:表头不是 UTF-8 文本")
        if name not in known:
            raise LayoutError(f"unknown CSV column {name!r}; columns are: {columns}",
                              f"未知的 CSV 列 {name!r};可用的列:{columns}")
        if header.count(name) > 1:
            raise LayoutError(f"{path}: line 1: column {name!r} given twice",
                              f"{path}:第 1 行:列 {name!r} 出现了两次")


class _Lines:
    """A binary file's lines as text for ``csv.reader``, remembering which were not UTF-8 (their
    bad bytes become lone surrogates, so a record's cells can still be split)."""

    def __init__(self, f: Iterable[bytes]) -> None:
        self.f = f
        self.bad: dict[int, tuple[str, str]] = {}  # line (from 1) -> what was wrong (en, zh)
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.f:
            self.number += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                byte = f"0x{raw[e.start]:02x}"
                self.bad[self.number] = (f"not UTF-8 text (byte {byte})",
                                         f"不是 UTF-8 文本(字节 '{byte}')")
                text = raw.decode("utf-8", "surrogateescape")
            yield text.lstrip("\ufeff") if self.number == 1 else text


def _csv_row(header: list[str], cells: list[str]) -> dict[str, Any]:
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
    return row


def read_csv(path: str | Path, chunk_size: int, as_of: date | None,
             services: Services = None) -> Iterator[Chunk]:
    """Flat layout: dotted columns, list columns as JSON text; an empty cell is absent. A record
    that cannot be read (bytes that are not UTF-8, a cell over 128 KiB, the wrong number of
    cells, a list cell that is not acceptable JSON) is rejected, naming its line."""
    with open(path, "rb") as f:
        lines = _Lines(f)
        reader = csv.reader(iter(lines))
        try:
            header = next(reader, None)
        except csv.Error as e:
            raise LayoutError(f"{path}: line 1: the header is not valid CSV ({e})",
                              f"{path}:第 1 行:表头不是有效的 CSV(“{e}”)") from None
        if header is None:
            raise LayoutError(f"{path}: an empty file: expected a header line naming the "
                              "columns", f"{path}:空文件:应有一行表头,写明各列的名称")
        _csv_columns(path, header)
        has_id = "id" in header
        id_at = header.index("id") if has_id else -1
        out = _Rows(chunk_size, as_of, with_ids=has_id, services=services)
        number, end = 0, lines.number
        while True:
            start = end + 1
            try:
                cells = next(reader, None)
            except csv.Error as e:
                end = lines.number
                kib = CSV_CELL_LIMIT // 1024
                en, zh = ((f"a cell longer than {kib} KiB", f"有单元格超过 {kib} KiB")
                          if "field larger" in str(e) else
                          (f"not valid CSV ({e})", "不是有效的 CSV"))
                out.reject(number, "", f"line {start}: {en}", f"第 {start} 行:{zh}")
                number += 1
                continue
            if cells is None:
                break
            end = lines.number
            bad = next((lines.bad.pop(n) for n in range(start, end + 1) if n in lines.bad), None)
            id_ = cells[id_at] if has_id and id_at < len(cells) and bad is None else None
            if bad is not None:
                out.reject(number, "", f"line {start}: {bad[0]}", f"第 {start} 行:{bad[1]}")
            elif len(cells) != len(header):
                out.reject(number, "", f"line {start}: expected {len(header)} cells, got "
                                       f"{len(cells)}",
                           f"第 {start} 行:应有 {len(header)} 个单元格,实际为 {len(cells)} 个",
                           id_)
            else:
                try:
                    out.keep(number, _csv_row(header, cells), id_)
                except _CellError as e:
                    out.reject(number, e.path, e.message, e.zh, id_)
            number += 1
            if out.full():
                yield out.chunk()
        yield from out.last()


def read(path: str | Path, fmt: str, chunk_size: int, as_of: date | None,
         services: Services = None) -> Iterator[Chunk]:
    """The chunks of the population at ``path``; ``services``, when given, are the service
    items ``request.service`` may name (the pack's): a row naming another is a reject."""
    if fmt == "parquet":
        return read_parquet(path, chunk_size, as_of, services)
    if fmt == "csv":
        return read_csv(path, chunk_size, as_of, services)
    return read_jsonl(path, chunk_size, as_of, services)


def prefetch(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """Read the next chunk in a thread while the current one is evaluated."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        it = iter(chunks)
        future = pool.submit(next, it, None)
        while True:
            with phases.clock("wait.read"):
                chunk = future.result()
            if chunk is None:
                return
            future = pool.submit(next, it, None)
            yield chunk


# --- screening ----------------------------------------------------------------------------


def screen_chunk(engine: BatchEvaluator, chunk: Chunk,
                 statuses: Sequence[str] | None = None) -> pl.DataFrame | None:
    """The decisions of a chunk's valid rows (``_row``, ``id``?, per rule status and outcome).
    A row a rule errs on is not among them: it joins ``chunk.rejects`` (in row order)."""
    parts = []
    errors: list[RowError] = []
    if chunk.population is not None:
        parts.append(engine.evaluate(chunk.population, chunk.situations, errors))
    if chunk.extra is not None:
        parts.append(engine.evaluate(chunk.extra, chunk.extra_situations, errors))
    if errors:
        chunk.rejects = sorted([*chunk.rejects, *rule_rejects(errors)], key=lambda r: r.row)
    if not parts:
        return None
    with phases.clock("assemble"):
        result = pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]
        result = result.drop("_i")
        if not result["_row"].is_sorted():
            result = result.sort("_row")
        if statuses:
            cols = [status_column(p.rule.id) for p in engine.plans]
            result = result.filter(pl.any_horizontal(
                [pl.col(c).cast(pl.String).is_in(list(statuses)) for c in cols]))
    return result


def empty_result(engine: BatchEvaluator) -> pl.DataFrame:
    return pl.DataFrame(schema={"_row": pl.Int64, **engine.schema()})
