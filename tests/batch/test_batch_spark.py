"""``tongcheng screen --engine spark`` in local mode gives the single-machine output (one short
Spark session: it is slow to start)."""

from __future__ import annotations

import json
import os
import shutil

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tongcheng.cli import main


def _need_java() -> None:
    """Spark needs Java: CI installs it (.ci/run sets TONGCHENG_REQUIRE_ALL, so it cannot
    be skipped there); elsewhere a machine without Java skips this one test, saying why."""
    if shutil.which("java") is None:
        message = "Spark needs Java (apt-get install default-jre-headless; .ci/run does)"
        if os.environ.get("TONGCHENG_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)


def test_spark_local_equals_single_machine(tmp_path):
    _need_java()
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
    # (--status keeps the rows with an eligible decision; the summary counts every row)
    r2 = runner.invoke(main, ["screen", str(src), "-o", str(spark), "--engine", "spark",
                              "--master", "local[2]", "--status", "eligible"])
    assert r1.exit_code == 1, r1.output
    assert r2.exit_code == 1, r2.output
    a = pl.read_parquet(local).drop("_row").sort("id")
    assert a.height == 400
    a = a.filter(pl.any_horizontal(
        [pl.col(c).cast(pl.String) == "eligible" for c in a.columns if c.endswith(".status")]))
    b = pl.read_parquet(str(spark / "*.parquet")).drop("_row").sort("id")
    assert 0 < a.height == b.height < 400
    b = b.select(a.columns).cast(a.schema)
    assert a.equals(b)
    # the summary: every partition's tally merged is the local engine's, in the run's language
    mine = json.loads((tmp_path / "spark.summary.json").read_text(encoding="utf-8"))
    theirs = json.loads((tmp_path / "local.parquet.summary.json").read_text(encoding="utf-8"))
    for head in ("output", "seconds", "written"):
        mine.pop(head), theirs.pop(head)
    assert mine == theirs and mine["decided"] == 400 and mine["rejected"] == 1
    assert f"{b.height} 行写入 {spark}" in r2.stderr and "拒收 1 行" in r2.stderr
    rejects = [json.loads(x) for x in (tmp_path / "spark.rejects.jsonl").read_text().splitlines()]
    assert [r["problems"][0]["path"] for r in rejects] == ["target"]
    # worded in the run's language, Chinese by default, as the local engine words them
    local_rejects = [json.loads(x) for x in (tmp_path / "local.parquet.rejects.jsonl")
                     .read_text(encoding="utf-8").splitlines()]
    assert [r["reason"] for r in rejects] == [r["reason"] for r in local_rejects]
    assert "未知的地区代码" in rejects[0]["reason"], rejects[0]


def test_spark_rejects_a_row_a_rule_errs_on_as_the_local_engine_does(tmp_path):
    """Each partition's rows a rule errs on are rejects naming the rule; the others written."""
    from test_screen_rule_errors import DECIDED, PACK, ROWS, RULES_ERRED

    _need_java()
    runner = CliRunner()
    src = tmp_path / "people.parquet"
    pq.write_table(pa.Table.from_pylist([{**r, "id": k} for k, r in enumerate(ROWS)]), src)
    local, spark = tmp_path / "local.parquet", tmp_path / "spark"
    args = ["screen", str(src), "--pack", str(PACK)]
    r1 = runner.invoke(main, [*args, "-o", str(local)])
    r2 = runner.invoke(main, [*args, "-o", str(spark), "--engine", "spark", "--master",
                              "local[1]"])
    assert r1.exit_code == r2.exit_code == 1, (r1.output, r2.output)
    a = pl.read_parquet(local).drop("_row")
    b = pl.read_parquet(str(spark / "*.parquet")).drop("_row").sort("id")
    assert b["id"].to_list() == DECIDED
    assert a.equals(b.select(a.columns).cast(a.schema))
    rejects = [json.loads(x) for x in (tmp_path / "spark.rejects.jsonl").read_text(
        encoding="utf-8").splitlines()]
    local_rejects = [json.loads(x) for x in (tmp_path / "local.parquet.rejects.jsonl")
                     .read_text(encoding="utf-8").splitlines()]
    assert {r["id"]: r.get("rules") for r in rejects} == {**RULES_ERRED, 6: None}
    assert [r["reason"] for r in rejects] == [r["reason"] for r in local_rejects]
    assert "规则 test.kinds 在评估时出错" in rejects[0]["reason"]
    summaries = [json.loads((tmp_path / name).read_text(encoding="utf-8"))
                 for name in ("spark.summary.json", "local.parquet.summary.json")]
    assert summaries[0]["rule_errors"] == summaries[1]["rule_errors"] != {}
    assert summaries[0]["rules"] == summaries[1]["rules"]
    assert "遇到规则错误" in r2.stderr
