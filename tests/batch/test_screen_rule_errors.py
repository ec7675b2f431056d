"""A rule that errs on one row's situation (a defect of the pack) rejects that row alone, naming
the rule and where it is; the screen decides and writes every other row, and says how many rows
met a rule error. ``compare`` still stops on one (a pack it cannot weigh)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from batchtools import assert_same
from click.testing import CliRunner

from tongcheng.batch import io
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.batch.layout import from_situations
from tongcheng.cli import main
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.pack.loader import load_pack
from tongcheng.situation import parse_situation

PACK = Path(__file__).parent.parent / "packs" / "screen-rule-errors"
KINDS, CONFLICT = "test.kinds", "test.conflict"
KINDS_AT = "rules/rules.yaml:19"  # the line of test.kinds in its file
QINGDAO, YANTAI, JINAN = "370200", "370600", "370100"


def _row(id_: str, target: str, sex: str | None) -> dict:
    row = {"id": id_, "as_of": "2025-06-01", "target": target}
    if sex is not None:
        row["person"] = {"sex": sex}
    return row


# test.kinds errs in the zone for a man, or a person of unknown sex (each sex is then tried);
# test.conflict errs for a Yantai target; row 6 is bad input
ROWS = [_row("a", QINGDAO, "female"), _row("b", QINGDAO, "male"), _row("c", JINAN, "male"),
        _row("d", YANTAI, "female"), _row("e", YANTAI, "male"), _row("f", QINGDAO, None),
        _row("g", "999999", "female"), _row("h", QINGDAO, "female"), _row("i", JINAN, "female")]
DECIDED = [0, 2, 7, 8]
RULES_ERRED = {1: [KINDS], 3: [CONFLICT], 4: [KINDS, CONFLICT], 5: [KINDS]}


@pytest.fixture(scope="module")
def pack():
    return load_pack(PACK)


@pytest.fixture()
def jsonl(tmp_path):
    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def screen(src, out, *args):
    # three rows a chunk: the second chunk errs on every row, the third is decided after it
    return CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "--pack", str(PACK),
                                     "--chunk-size", "3", *map(str, args)],
                              catch_exceptions=False)


def _rejects(out) -> list[dict]:
    return [json.loads(line) for line in
            Path(f"{out}.rejects.jsonl").read_text(encoding="utf-8").splitlines()]


def _models(rows):
    return [parse_situation({k: v for k, v in ROWS[r].items() if k != "id"}) for r in rows]


def test_a_rule_error_rejects_its_row_and_the_run_goes_on(tmp_path, jsonl, pack):
    out = tmp_path / "out.parquet"
    result = screen(jsonl, out)
    assert result.exit_code == 1, result.output
    df = pl.read_parquet(out)
    assert df["_row"].to_list() == DECIDED
    assert df["id"].to_list() == ["a", "c", "h", "i"]
    assert_same(BatchEvaluator(pack), df, _models(DECIDED), DECIDED, trace=False)
    assert df[f"{KINDS}.status"].to_list() == ["ineligible", "not_applicable", "ineligible",
                                               "not_applicable"]

    rejects = _rejects(out)
    assert [r["row"] for r in rejects] == [1, 3, 4, 5, 6]
    assert [r["id"] for r in rejects] == ["b", "d", "e", "f", "g"]
    erred = {r["row"]: r["rules"] for r in rejects if "rules" in r}
    assert erred == RULES_ERRED
    assert "rules" not in rejects[-1]  # bad input: no rule to blame
    assert "未知的地区代码" in rejects[-1]["reason"]
    # in Chinese by default: the rule, its file and line, what failed, and whose defect it is
    kinds = rejects[0]["problems"][0]["message"]
    assert kinds.startswith(f"{KINDS_AT}:规则 {KINDS} 在评估时出错:"), kinds
    assert "规则包的缺陷" in kinds and f"rule {KINDS}:" not in kinds
    assert "无法比较文本 'male' > 数 3" in kinds and "cannot" not in kinds  # the detail too
    both = rejects[2]
    assert len(both["problems"]) == 2 and both["reason"].count("规则包的缺陷") == 2
    conflict = both["problems"][1]["message"]
    assert f"规则 {CONFLICT}:例外 'city_rule' 与 'place_rule' 同时适用" in conflict
    assert "rules/rules.yaml:" in conflict and "both apply" not in conflict

    summary = json.loads(Path(f"{out}.summary.json").read_text(encoding="utf-8"))
    assert summary["rule_errors"] == {CONFLICT: 2, KINDS: 3}
    assert summary["rule_error_rows"] == 4
    assert (summary["rows"], summary["written"], summary["rejected"]) == (9, 4, 5)
    assert summary["decided"] == 4
    closing = result.stderr.strip().splitlines()[-1]
    assert "拒收 5 行" in closing and "其中 4 行遇到规则错误(规则包的缺陷" in closing, closing


def test_in_english_with_lang_en(tmp_path, jsonl):
    out = tmp_path / "out.jsonl"
    result = screen(jsonl, out, "--lang", "en")
    assert result.exit_code == 1, result.output
    assert [json.loads(line)["_row"] for line in out.read_text("utf-8").splitlines()] == DECIDED
    rejects = _rejects(out)
    kinds = rejects[0]["problems"][0]["message"]
    assert kinds.startswith(f"{KINDS_AT}: rule {KINDS}: cannot compare"), kinds
    assert rejects[0]["reason"] == kinds  # no field of the situation to name
    assert "both apply and disagree" in rejects[1]["reason"]
    assert not any("\u4e00" <= ch <= "\u9fff" for r in rejects[:4] for ch in r["reason"])
    closing = result.stderr.strip().splitlines()[-1]
    assert "5 rejected" in closing and "4 of them by a rule error" in closing, closing


def test_parquet_input_the_same(tmp_path):
    src = tmp_path / "people.parquet"
    pq.write_table(pa.Table.from_pylist([{**r, "id": k} for k, r in enumerate(ROWS)]), src)
    out = tmp_path / "out.parquet"
    result = screen(src, out)
    assert result.exit_code == 1, result.output
    assert pl.read_parquet(out)["id"].to_list() == DECIDED
    rejects = _rejects(out)
    assert {r["id"]: r.get("rules") for r in rejects} == {**RULES_ERRED, 6: None}


def test_no_rule_error_no_word_of_one(tmp_path):
    src = tmp_path / "people.jsonl"
    src.write_text("".join(json.dumps(ROWS[r]) + "\n" for r in DECIDED), encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = screen(src, out, "--lang", "en")
    assert result.exit_code == 0, result.output
    summary = json.loads(Path(f"{out}.summary.json").read_text(encoding="utf-8"))
    assert summary["rule_errors"] == {} and summary["rule_error_rows"] == 0
    assert "rule error" not in result.stderr.strip().splitlines()[-1]


def test_rows_judged_one_by_one_are_rejected_alike(pack):
    """A chunk's ``extra`` rows (those the columns flagged, decided whole by the reference)
    meet a rule error as the others do."""
    models = _models([0, 1, 4])
    extra = from_situations(models)
    extra.persons = extra.persons.with_columns(pl.Series("_row", [10, 11, 14], dtype=pl.Int64),
                                               pl.Series("id", ["a", "b", "e"]))
    extra.fallback = pl.Series("_fallback", [True] * 3)
    chunk = io.Chunk(None, None, extra, [io.Reject(12, (("target", "bad", "坏"),))], 5,
                     extra_situations=lambda idx: [models[i] for i in idx])
    result = io.screen_chunk(BatchEvaluator(pack), chunk)
    assert result is not None and result["_row"].to_list() == [10]
    assert [(r.row, r.id, r.rules) for r in chunk.rejects] == [
        (11, "b", (KINDS,)), (12, None, ()), (14, "e", (KINDS, CONFLICT))]


def test_the_evaluator_still_raises_when_not_asked_for_errors(pack):
    models = _models([0, 1])
    with pytest.raises(RuleError, match=KINDS_AT):
        BatchEvaluator(pack).evaluate(from_situations(models), lambda idx: [models[i]
                                                                            for i in idx])


def test_compare_still_stops_on_a_rule_error(tmp_path, jsonl):
    result = CliRunner().invoke(main, ["compare", str(jsonl), "-o", str(tmp_path / "report"),
                                       "--base", str(PACK), "--new", str(PACK), "--no-html"],
                                catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert KINDS in result.stderr or CONFLICT in result.stderr, result.stderr
