"""``tongcheng compare`` on the command line, and its HTML report in a real headless Chromium
with the network switched off: it renders, every chart has marks, nothing is logged as an
error, and nothing is fetched."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from tongcheng.batch import synth
from tongcheng.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "service"))  # the browser helpers live there

from servicetools import browser_or_failure, quit_driver  # noqa: E402

KEEP = ROOT / "examples" / "overlays" / "qingdao-keep-25-20"
RETIREE = "medical_insurance.retiree_benefit_years"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The README's example on 3,000 synthetic retirees of 2026, in English."""
    folder = tmp_path_factory.mktemp("compare")
    people = folder / "retirees.parquet"
    synth.write(people, 3000, seed=2, retiring=2026)
    out = folder / "report"
    result = CliRunner().invoke(main, ["compare", str(people), "-o", str(out),
                                       "--base-overlay", str(KEEP), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_the_command_writes_its_report_folder(report):
    out, output = report
    assert sorted(p.name for p in out.iterdir()) == [
        "changed.parquet", "rejects.jsonl", "report.html", "summary.json"]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["population"]["rows"] == 3000
    assert summary["decided_twice"] == [RETIREE]
    assert summary["base"]["layers"][1]["name"] == "qingdao-keep-25-20"
    assert summary["new"]["rule_pack"]["version"] == "2026.11.0"
    rule = next(r for r in summary["rules"] if r["rule"] == RETIREE)
    fell = next(t for t in rule["transitions"] if (t["from"], t["to"]) == ("eligible",
                                                                          "ineligible"))
    assert fell["persons"] > 0 and len(fell["examples"]) == 5
    changed = pl.read_parquet(out / "changed.parquet")
    # the examples are persons of the changed file, decided as the transition says
    rows = changed.filter(pl.col("id").is_in(fell["examples"]))
    assert rows[f"base:{RETIREE}.status"].to_list() == ["eligible"] * 5
    assert rows[f"new:{RETIREE}.status"].to_list() == ["ineligible"] * 5
    # the terminal table: the sides, the transition with its count, the cities
    assert "qingdao-keep-25-20" in output
    assert re.search(rf"eligible → ineligible\s+{fell['persons']:,}", output)
    assert "By household-registration city: Qingdao" in output


def test_the_report_renders_offline_with_data_in_every_chart(report):
    out, _ = report
    html = (out / "report.html").read_text("utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"?https?:", html)
    driver = browser_or_failure()
    try:
        driver.set_network_conditions(offline=True, latency=0, download_throughput=0,
                                      upload_throughput=0)
        driver.set_script_timeout(60)
        driver.get((out / "report.html").as_uri())
        charts = driver.execute_async_script(
            "const done = arguments[0];"
            "window.tongchengReady.then(() => done(window.tongchengCharts),"
            " (e) => done({error: String(e)}));")
        assert "error" not in charts, charts
        ids = [e.get_attribute("id") for e in driver.find_elements("css selector", "div.chart")]
        assert sorted(charts) == sorted(ids) and len(ids) >= 6
        assert all(charts[i]["marks"] > 0 for i in ids), charts
        for name in ("matrix", "transitions", "by_target_city", "by_hukou_city",
                     "by_age_band"):
            assert any(i.endswith(name) for i in ids), name
        assert driver.find_element("css selector", "h1").text == "Policy change impact"
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == []
    finally:
        quit_driver(driver)


def test_bad_commands_say_what_is_wrong(tmp_path, report):
    runner = CliRunner()
    people = tmp_path / "none.parquet"
    missing = runner.invoke(main, ["compare", str(people), "-o", str(tmp_path / "r"),
                                   "--lang", "en"])
    assert missing.exit_code == 2 and "no such file" in missing.output
    missing = runner.invoke(main, ["compare", str(people), "-o", str(tmp_path / "r")])
    assert missing.exit_code == 2 and "错误: " in missing.output
    assert "没有这个文件" in missing.output
    out, _ = report
    existing = out.parent / "retirees.parquet"
    bad_date = runner.invoke(main, ["compare", str(existing), "-o", str(tmp_path / "r"),
                                    "--new", "bundled@2026-02-30", "--lang", "en"])
    assert bad_date.exit_code == 2 and "not a calendar date" in bad_date.output
    bad_date = runner.invoke(main, ["compare", str(existing), "-o", str(tmp_path / "r"),
                                    "--new", "bundled@2026-02-30"])
    assert bad_date.exit_code == 2 and "不是日历上存在的日期" in bad_date.output
    assert "calendar" not in bad_date.output
    conflict = ROOT / "tests" / "packs" / "overlays" / "conflict-value"
    refused = runner.invoke(main, ["compare", str(existing), "-o", str(tmp_path / "r"),
                                   "--new-overlay", str(conflict)])
    assert refused.exit_code == 3
    assert "conflict-value/parameters/medical_insurance.yaml:4" in refused.output


def test_the_terminal_table_in_chinese_has_no_english_left(report, tmp_path):
    out, _ = report
    result = CliRunner().invoke(main, ["compare", str(out.parent / "retirees.parquet"), "-o",
                                       str(tmp_path / "zh"), "--base-overlay", str(KEEP),
                                       "--no-html"])
    assert result.exit_code == 0, result.output
    table = result.output.split("compared ")[0]  # the last line (stderr) is the command's log
    assert "两侧分别判定" in table and "参数 medical_insurance.retiree_min_months 不同" in table
    assert "符合 → 不符合" in table and "按户籍城市" in table and "青岛市" in table
    assert not re.search(r"\b(eligible|ineligible|differs|decided|persons|transition|city)\b",
                         table), table
    assert not (tmp_path / "zh" / "report.html").exists()
