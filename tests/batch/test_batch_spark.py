"""``tongcheng screen --engine spark`` in local mode gives the single-machine output (one short
Spark session: it is slow to start)."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tongcheng.cli import main

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (the CI script installs it)", allow_module_level=True)


def test_spark_local_equals_single_machine(tmp_path):
    runner = CliRunner()
    src = tmp_path / "people.parquet"
    assert runner.invoke(main, ["synth", "400", "-o", str(src), "--seed", "3"]).exit_code == 0
    table = pq.read_table(src)
    bad = table.slice(0, 1).to_pylist()[0]
    bad["id"] = 10_000
    bad["target"] = "999999"  # not a place code: rejected by both
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist([bad], schema=table.schema)]),
                   src)
    local, spark = tmp_path / "local.parquet", tmp_path / "spark"
    r1 = runner.invoke(main, ["screen", str(src), "-o", str(local)])
    r2 = runner.invoke(main, ["screen", str(src), "-o", str(spark), "--engine", "spark",
                              "--master", "local[2]"])
    assert r1.exit_code == 1, r1.output
    assert r2.exit_code == 1, r2.output
    a = pl.read_parquet(local).drop("_row").sort("id")
    b = pl.read_parquet(str(spark / "*.parquet")).drop("_row").sort("id")
    assert a.height == b.height == 400
    b = b.select(a.columns).cast(a.schema)
    assert a.equals(b)
    rejects = [json.loads(x) for x in (tmp_path / "spark.rejects.jsonl").read_text().splitlines()]
    assert [r["problems"][0]["path"] for r in rejects] == ["target"]
