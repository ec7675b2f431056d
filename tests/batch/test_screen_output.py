"""``screen`` says what it found (a summary on the terminal and beside the output) and writes
Parquet, CSV or JSON Lines by ``--output-format`` or the output's name, never confusing the
input's format with the output's."""

from __future__ import annotations

import json
from collections import Counter

import polars as pl
import pytest
from click.testing import CliRunner

from tongcheng.batch import synth
from tongcheng.cli import main

RULES = ("medical_insurance.retiree_benefit_years", "culture.library_card_borrowing",
         "transit.senior_free_ride")


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    path = tmp_path_factory.mktemp("people") / "people.parquet"
    synth.write(path, 600, seed=5)
    return path


def screen(*args):
    return CliRunner().invoke(main, ["screen", *map(str, args)])


def test_each_format_by_name_holds_the_same_decisions(people, tmp_path):
    frames = {}
    for name in ("out.parquet", "out.csv", "out.jsonl"):
        result = screen(people, "-o", tmp_path / name, *[a for r in RULES for a in ("--rule", r)])
        assert result.exit_code == 0, result.output
        path = tmp_path / name
        frames[name] = (pl.read_parquet(path) if name.endswith("parquet") else
                        pl.read_csv(path, infer_schema=False) if name.endswith("csv") else
                        pl.read_ndjson(path, infer_schema_length=None))
        assert f"行写入 {path}({name.split('.')[1]})" in result.output  # Chinese by default
    assert path.read_text("utf-8").startswith("{\"_row\":0,")  # JSON Lines, one object a row
    statuses = [f"{r}.status" for r in RULES]
    want = frames["out.parquet"].select(statuses).cast(pl.String)
    for name in ("out.csv", "out.jsonl"):
        got = frames[name].select(statuses).cast(pl.String)
        assert got.equals(want), name
    # --output-format names a format for a file whose name says none
    plain = tmp_path / "decisions"
    assert screen(people, "-o", plain, "--output-format", "csv", "--rule", RULES[0]).exit_code == 0
    assert plain.read_text("utf-8").startswith("_row,id,")


def test_the_summary_counts_rule_status_firmness_and_cities(people, tmp_path):
    out = tmp_path / "all.parquet"
    result = screen(people, "-o", out, "--status", "eligible", "--lang", "en")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "all.parquet.summary.json").read_text("utf-8"))
    assert summary["decided"] == summary["rows"] == 600 and summary["rejected"] == 0
    assert summary["written"] == pl.read_parquet(out).height < 600  # --status kept some
    assert summary["rule_pack"]["digest"].startswith("sha256:")
    # the counts are those of every decided row (a screen without --status)
    full = tmp_path / "full.parquet"
    assert screen(people, "-o", full).exit_code == 0
    decisions = pl.read_parquet(full)
    for rule in summary["rules"]:
        counts = Counter(decisions[f"{rule['rule']}.status"].cast(pl.String).to_list())
        assert rule["total"] == dict(counts), rule["rule"]
        for status, by_firmness in rule["statuses"].items():
            assert sum(by_firmness.values()) == counts[status]
        assert sum(sum(c["statuses"].values()) for c in rule["by_target_city"]) == 600
    library = next(r for r in summary["rules"] if r["rule"] == "culture.library_card_borrowing")
    assert set(library["statuses"].get("eligible", {})) <= {"promise"}
    qingdao = next(c for r in summary["rules"] if r["rule"] == "transit.senior_free_ride"
                   for c in r["by_target_city"] if c["city"] == "370200")
    assert qingdao["name"] == {"zh": "青岛市", "en": "Qingdao"}
    # and on the terminal: a row per rule, eligible counts with their firmness
    assert "culture.library_card_borrowing" in result.output
    assert "promise" in result.output and "Qingdao" in result.output


def test_the_input_format_is_never_taken_for_the_output(people, tmp_path):
    result = screen(people, "-o", tmp_path / "x.csv", "--format", "csv", "--lang", "en")
    assert result.exit_code == 2
    assert "--format csv names the INPUT's format" in result.output
    assert "--output-format csv" in result.output and "Traceback" not in result.output
    result = screen(people, "-o", tmp_path / "x.csv", "--format", "csv")  # in Chinese
    assert result.exit_code == 2 and "指的是输入文件的格式" in result.output
    assert "--output-format csv" in result.output and "names" not in result.output
    result = screen(people, "-o", tmp_path / "x.csv", "--output-format", "parquet", "--lang",
                    "en")
    assert result.exit_code == 2 and "ends in .csv" in result.output
    result = screen(people, "-o", tmp_path / "x.csv", "--output-format", "parquet")
    assert result.exit_code == 2 and "的扩展名是 .csv" in result.output
    assert "ends in" not in result.output
    assert not (tmp_path / "x.csv").exists()
    # the old name still names the input's format where it agrees with it
    assert screen(people, "-o", tmp_path / "ok.parquet", "--format", "parquet",
                  "--rule", RULES[0]).exit_code == 0
    assert screen(people, "-o", tmp_path / "ok2.parquet", "--input-format", "parquet",
                  "--rule", RULES[0]).exit_code == 0


def test_an_interrupted_run_leaves_its_decisions_in_the_partial_file_not_in_output(
        people, tmp_path, monkeypatch):
    """Ctrl-C half way (raised here as the third chunk is decided, where the signal would land):
    exit 130, said in the run's language; the chunks decided before are in OUTPUT.partial, a
    valid file; OUTPUT itself is not written (it would look complete). A whole run renames
    the partial file to OUTPUT and leaves none behind."""
    from tongcheng.batch import io

    out = tmp_path / "out.parquet"
    whole = screen(people, "-o", out, "--chunk-size", 200)
    assert whole.exit_code == 0 and out.is_file()
    assert not (tmp_path / "out.parquet.partial").exists()
    out.unlink()
    real, calls = io.screen_chunk, []

    def interrupted(*args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(io, "screen_chunk", interrupted)
    result = screen(people, "-o", out, "--chunk-size", 200)
    assert result.exit_code == 130, result.output
    partial = tmp_path / "out.parquet.partial"
    assert result.stderr.splitlines()[-2:] == [
        "已中断:读入 400 行后停止",
        f"此前已判定的 400 行在 {partial}(不完整);未写出 {out}"]
    assert not out.exists() and pl.read_parquet(partial)["_row"].to_list() == list(range(400))
    calls.clear()
    partial.unlink()
    english = screen(people, "-o", out, "--chunk-size", 200, "--lang", "en")
    assert english.exit_code == 130
    assert english.stderr.splitlines()[-1] == (
        f"the 400 rows decided before it are in {partial} (incomplete); {out} was not written")


def test_an_output_named_by_a_link_replaces_the_file_it_names_and_keeps_the_link(people,
                                                                                  tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert screen(people, "-o", link, "--rule", RULES[0]).exit_code == 0
    assert link.is_symlink() and target.read_text("utf-8").startswith("_row,id,")
    assert not list(tmp_path.glob("*.partial"))
