"""The columnar evaluator on Spark: each partition screened by ``BatchEvaluator`` through
``mapInArrow``, so a cluster runs exactly the code (and the pack) a single machine runs.

The master comes from ``--master``, else ``SPARK_MASTER``, else ``local[*]``; on a cluster,
executors need tongcheng installed (``pip install 'tongcheng[batch]'``): the rule pack itself
travels with the task. The input is Parquet in the population layout (a file or a folder); the
output is a Parquet folder with the columns of ``tongcheng screen``, where ``_row`` is Spark's
``monotonically_increasing_id`` (unique, and the row number within a single-partition input; use
an ``id`` column to join). Rejected rows are collected into the rejects file (JSON Lines). Each
partition tallies what it decided (``summary.ScreenSummary``, before ``--status``) and sends its
counts to the driver as one more row, so the run's summary is the local engine's.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import attrs

_ENGINES: dict[Any, Any] = {}


def _engine(pack: Any, rules: tuple[str, ...]):
    from tongcheng.batch.engine import BatchEvaluator

    key = (pack.info.digest, rules)
    if key not in _ENGINES:
        _ENGINES[key] = BatchEvaluator(pack, rules=list(rules) or None)
    return _ENGINES[key]


def output_schema(pack: Any, rules: Sequence[str], id_type: Any | None):
    """The Arrow schema of a partition's output: ``_row``, ``id``, decisions, ``_problems``
    (a reject's), ``_summary`` (the partition's tally, on a row of its own)."""
    import pyarrow as pa

    from tongcheng.batch import io

    frame = io.empty_result(_engine(pack, tuple(rules)))
    fields = [pa.field("_row", pa.int64())]
    if id_type is not None:
        fields.append(pa.field("id", id_type))
    for name, dtype in frame.schema.items():
        if name == "_row":
            continue
        fields.append(pa.field(name, _arrow_type(dtype)))
    fields.append(pa.field("_problems", pa.string()))
    fields.append(pa.field("_summary", pa.string()))
    return pa.schema(fields)


def _arrow_type(dtype: Any):
    import polars as pl
    import pyarrow as pa

    if isinstance(dtype, pl.Enum) or dtype == pl.String:
        return pa.string()
    if dtype == pl.Int64:
        return pa.int64()
    if dtype == pl.Float64:
        return pa.float64()
    if dtype == pl.Boolean:
        return pa.bool_()
    return pa.string()


def screen_partition(batches: Iterator[Any], pack: Any, rules: tuple[str, ...],
                     statuses: tuple[str, ...], as_of: date | None, schema: Any,
                     lang: str = "en") -> Iterator[Any]:
    """``mapInArrow``'s function: Arrow batches in (the population layout plus ``_row``), Arrow
    batches of decisions and rejects out, then the partition's tally."""
    import polars as pl
    import pyarrow as pa

    from tongcheng.batch import io, summary
    from tongcheng.batch.layout import nest

    engine = _engine(pack, rules)
    tally = summary.ScreenSummary(engine)
    for batch in batches:
        table = pa.Table.from_batches([batch])
        ids = table.column("_row").to_pylist()
        table = nest(table.drop_columns(["_row"]))
        chunk = io._columnar_chunk(table, 0, as_of, pack.service_ids)
        result = io.screen_chunk(engine, chunk)
        tally.refused(chunk.rejects)
        if result is not None:
            tally.add(result, summary.targets_of(chunk))
        result = summary.keep(result, engine, statuses)
        parts = []
        if result is not None and result.height:
            result = result.with_columns(
                pl.Series("_row", ids).gather(result["_row"]).alias("_row"),
                pl.lit(None, dtype=pl.String).alias("_problems"))
            parts.append(result)
        if chunk.rejects:
            parts.append(pl.DataFrame({
                "_row": [ids[r.row] for r in chunk.rejects],
                **({"id": [r.id for r in chunk.rejects]} if "id" in schema.names else {}),
                "_problems": [r.to_json(lang) for r in chunk.rejects],
            }))
        for part in parts:
            yield from _batches(part.to_arrow(), schema)
    yield from _batches(pa.table({"_summary": [tally.state()]}), schema)


def _batches(arrow: Any, schema: Any) -> Iterator[Any]:
    """``arrow``'s columns in ``schema`` (the others null)."""
    import pyarrow as pa

    columns = []
    for field in schema:
        if field.name in arrow.column_names:
            columns.append(arrow.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(arrow.num_rows, field.type))
    yield from pa.Table.from_arrays(columns, schema=schema).to_batches()


@attrs.frozen
class SparkRun:
    """What a Spark screening did: rows written, rows rejected, the tally, seconds taken."""

    written: int
    rejected: int
    tally: Any  # summary.ScreenSummary, the partitions' merged
    seconds: float

    @property
    def code(self) -> int:
        return 1 if self.rejected else 0


def screen_spark(pack: Any, input_path: str, output: str, rejects_path: str, *,
                 rules: Sequence[str] = (), statuses: Sequence[str] = (),
                 as_of: date | None = None, master: str | None = None,
                 pack_path: str | None = None, spark: Any = None, lang: str = "en") -> SparkRun:
    """Screen a Parquet population on Spark: decisions to ``output``, rejects (worded in
    ``lang``) to ``rejects_path``; what it did, with the merged tally of every partition."""
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    from tongcheng.batch import summary

    started = time.perf_counter()
    own = spark is None
    if own:
        master = master or os.environ.get("SPARK_MASTER", "local[*]")
        if master.startswith("local"):  # workers run this Python, where tongcheng is installed
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = (SparkSession.builder
                 .master(master)
                 .appName("tongcheng screen").getOrCreate())
    try:
        frame = spark.read.parquet(str(input_path))
        id_type = None
        if "id" in frame.columns:
            first = next(iter(_parquet_files(input_path)))
            id_type = pq.read_schema(first).field("id").type
        schema = output_schema(pack, rules, id_type)
        spark_schema = from_arrow_schema(schema)
        args = (pack, tuple(rules), tuple(statuses), as_of, schema, lang)
        mapped = frame.withColumn("_row", F.monotonically_increasing_id()).mapInArrow(
            lambda batches: screen_partition(batches, *args), spark_schema)
        mapped = mapped.cache()
        decisions = mapped.filter(F.col("_problems").isNull() & F.col("_summary").isNull()) \
            .drop("_problems", "_summary")
        decisions.write.mode("overwrite").parquet(str(output))
        tally = summary.ScreenSummary(_engine(pack, tuple(rules)))
        for row in mapped.filter(F.col("_summary").isNotNull()).select("_summary").collect():
            tally.merge(row["_summary"])
        written = decisions.count()
        rejects = mapped.filter(F.col("_problems").isNotNull()).select("_row", "_problems") \
            .orderBy("_row").collect()
        if rejects:
            with open(rejects_path, "w", encoding="utf-8") as f:
                for row in rejects:
                    record = json.loads(row["_problems"])
                    record["row"] = row["_row"]
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif os.path.isfile(rejects_path):  # no rejects: no file (not a previous run's)
            os.remove(rejects_path)
        mapped.unpersist()
        return SparkRun(written, len(rejects), tally, time.perf_counter() - started)
    finally:
        if own:
            spark.stop()


def _parquet_files(path: str) -> Iterator[str]:
    if os.path.isdir(path):
        for root, _, files in sorted(os.walk(path)):
            for name in sorted(files):
                if name.endswith(".parquet"):
                    yield os.path.join(root, name)
    else:
        yield path
