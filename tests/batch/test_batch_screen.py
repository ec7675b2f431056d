"""``tongcheng screen`` and ``tongcheng synth`` end to end: formats, rejects, filters, exit codes,
determinism of the generator, and synthetic rows decided as the reference decides them."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pyarrow.parquet as pq
import pytest
from batchtools import assert_same
from click.testing import CliRunner

from tongcheng.batch.engine import status_column
from tongcheng.batch.layout import plain_rows
from tongcheng.cli import main
from tongcheng.situation import parse_situation

RECOGNITION = "medical_insurance.contribution_years_recognition"
GOOD = {"as_of": "2025-06-01", "target": "370200",
        "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "2000-01",
                       "to": "2015-12"},
                      {"scheme": "employee_medical", "place": "370200", "from": "2016-01"}]}
OTHER = {"as_of": "2025-06-01", "target": "370800", "person": {"birth_date": "1950-01-01"}}
BAD = {"as_of": "2025-06-01", "target": "370200",
       "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "2016-01",
                      "to": "2015-12"}], "persn": {}}


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)


@pytest.fixture()
def jsonl(tmp_path):
    path = tmp_path / "people.jsonl"
    lines = [json.dumps(GOOD), json.dumps(BAD), "{not json", json.dumps(OTHER)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_rejects_are_named_and_the_rest_decided(tmp_path, jsonl, engine):
    out = tmp_path / "out.parquet"
    result = run("screen", jsonl, "-o", out, "--lang", "en")
    assert result.exit_code == 1, result.output
    df = pl.read_parquet(out)
    assert df["_row"].to_list() == [0, 3]
    assert df[status_column(RECOGNITION)][0] == "eligible"
    assert df[f"{RECOGNITION}.outcome.recognized_months"][0] == 306
    rejects = [json.loads(x) for x in (tmp_path / "out.parquet.rejects.jsonl").read_text()
               .splitlines()]
    assert [r["row"] for r in rejects] == [1, 2]
    paths = {p["path"] for p in rejects[0]["problems"]}
    assert {"insurance[0].to", "persn"} <= paths
    assert "month before 'from'" in rejects[0]["reason"]
    assert "not valid JSON" in rejects[1]["reason"]
    assert_same(engine, df.with_columns(), [parse_situation(GOOD), parse_situation(OTHER)],
                [0, 3])


def test_filters_by_rule_and_status(tmp_path, jsonl):
    out = tmp_path / "out.parquet"
    result = run("screen", jsonl, "-o", out, "--rule", RECOGNITION, "--status", "eligible")
    assert result.exit_code == 1
    df = pl.read_parquet(out)
    assert df.columns[:3] == ["_row", "id", status_column(RECOGNITION)]  # JSON Lines: id as text
    assert all(c.startswith(("_row", "id", RECOGNITION)) for c in df.columns)
    assert df["_row"].to_list() == [0]


def test_clean_input_exits_0_and_bad_commands_2_and_bad_packs_3(tmp_path):
    src = tmp_path / "ok.jsonl"
    src.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert run("screen", src, "-o", tmp_path / "o.parquet").exit_code == 0
    assert not (tmp_path / "o.parquet.rejects.jsonl").exists()  # no rejects, no file
    assert run("screen", tmp_path / "missing.jsonl", "-o", tmp_path / "x.parquet").exit_code == 2
    assert run("screen", src, "-o", tmp_path / "x.parquet", "--rule", "nope").exit_code == 2
    bad_pack = tmp_path / "pack"
    bad_pack.mkdir()
    (bad_pack / "pack.yaml").write_text("name: [", encoding="utf-8")
    assert run("screen", src, "-o", tmp_path / "x.parquet", "--pack", bad_pack).exit_code == 3
    flat = tmp_path / "flat.csv"
    flat.write_text("as_of,persn.sex\n2025-06-01,male\n", encoding="utf-8")
    result = run("screen", flat, "-o", tmp_path / "x.parquet")
    assert result.exit_code == 2 and "persn.sex" in result.output


def test_csv_flat_layout(tmp_path, engine):
    src = tmp_path / "people.csv"
    insurance = json.dumps(GOOD["insurance"]).replace('"', '""')
    src.write_text(
        "id,as_of,target,person.sex,insurance,provident_fund.balance\n"
        f'a,2025-06-01,370200,male,"{insurance}",1000.5\n'
        "b,2025-06-01,370200,mail,,\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert run("screen", src, "-o", out).exit_code == 1
    df = pl.read_parquet(out)
    assert df["_row"].to_list() == [0]
    assert df[f"{RECOGNITION}.outcome.recognized_months"][0] == 306
    rejects = (tmp_path / "out.parquet.rejects.jsonl").read_text()
    assert '"row": 1' in rejects and "person.sex" in rejects


def test_synth_is_seeded_and_screens_like_the_reference(tmp_path, engine):
    a, b, c = (tmp_path / f"{x}.parquet" for x in "abc")
    assert run("synth", 600, "-o", a, "--seed", 7).exit_code == 0
    assert run("synth", 600, "-o", b, "--seed", 7).exit_code == 0
    assert run("synth", 600, "-o", c, "--seed", 8).exit_code == 0
    ta, tb, tc = (pq.read_table(p) for p in (a, b, c))
    assert ta.equals(tb) and not ta.equals(tc)
    assert ta.num_rows == 600
    out = tmp_path / "out.parquet"
    result = run("screen", a, "-o", out, "--chunk-size", 250)
    assert result.exit_code == 0, result.output
    df = pl.read_parquet(out)
    assert df["_row"].to_list() == list(range(600)) == df["id"].to_list()
    rows = list(range(0, 600, 3))
    models = [parse_situation(r) for r in plain_rows(ta.take(rows))]
    assert_same(engine, df, models, rows)


def test_other_commands_do_not_load_polars():
    code = "import sys, tongcheng.cli; print('polars' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
