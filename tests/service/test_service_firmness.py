"""Firmness on every face: a decision resting on a promise says so beside its status, in the
table (zh and en: rich must not swallow ``[promise]``), the JSON over HTTP, the page, and lint
warns where a zone marked in force quotes a sentence that only promises."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from click.testing import CliRunner

import tongcheng
from authorwords import chinese_left, english_left
from packtools import copy_pack, line_of, replace_once
from tongcheng.cli import main
from tongcheng.consistency.lint import lint_pack
from tongcheng.situation import load_situation

ROOT = Path(__file__).resolve().parents[2]
WEIHAI = ROOT / "examples" / "pension-certification-weihai.yaml"
PENSION = "pension.remote_certification"


def run(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_table_tags_a_promise_beside_the_status_in_both_languages():
    en = run("check", WEIHAI, "--lang", "en", "--rule", PENSION)
    zh = run("check", WEIHAI, "--lang", "zh", "--rule", PENSION)
    assert re.search(r"status: ✔ eligible\s+\[promise\]", en)
    summary = en.split("\n━━ ")[0]  # the table before the decisions
    assert re.search(r"✔ eligible\s+\[promise\]", summary)
    assert re.search(r"状态: ✔ 符合\s+\[承诺\(推动\)\]", zh)
    assert "(jiaodong: promise)" in en and "(jiaodong: 承诺)" in zh


def test_the_json_says_promise_and_which_sentence_it_rests_on(client):
    situation = load_situation(WEIHAI)
    r = client.post("/v1/evaluate", json={"situation": situation.to_dict(), "lang": "en",
                                          "rules": [PENSION]})
    assert r.status_code == 200, r.text
    (d,) = r.json()["decisions"]
    assert (d["status"], d["firmness"]) == ("eligible", "promise")
    assert [(b["zone"], b["firmness"]) for b in d["basis"]] == [("jiaodong", "promise")]
    cli = json.loads(run("check", WEIHAI, "--format", "json", "--lang", "en", "--rule", PENSION))
    mine = cli["decisions"][0]
    assert (mine["firmness"], mine["basis"], mine["status"]) == (d["firmness"], d["basis"],
                                                                 d["status"])


def test_the_page_tags_a_promise(client):
    r = client.post("/", data={"_lang": "en", "as_of": "2025-06-01", "target": "Weihai",
                               "person.employment": "retired", "person.retired_on": "2015-02-01",
                               "person.pension_place": "Yantai", "person.lives_in": "Weihai"})
    assert r.status_code == 200, r.text
    m = re.search(rf'<article class="decision[^"]*" data-rule="{PENSION}".*?</article>', r.text,
                  re.S)
    assert m
    card = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0))))
    assert 'data-status="eligible"' in m.group(0)
    assert re.search(r"eligible promise", card), card


def test_lint_warns_where_a_zone_marked_in_force_quotes_a_promise(tmp_path):
    assert not [f for f in lint_pack(tongcheng.bundled_pack()) if f.check == "firmness"]
    root = copy_pack(tmp_path)
    replace_once(root / "rules" / "pension.yaml", "      firmness: promise        # 推动",
                 "      # 推动")
    findings = [f for f in lint_pack(tongcheng.load_pack(root)) if f.check == "firmness"]
    assert len(findings) == 1
    (f,) = findings
    assert f.severity == "warning" and f.file == "rules/pension.yaml"
    assert "jiaodong" in f.message and "推动" in f.message and "promise" in f.message
    assert "区域 jiaodong" in f.zh and "“推动”" in f.zh and "应读作承诺" in f.zh
    assert "`firmness: promise`" in f.zh and not english_left(f.zh, {"jiaodong"})
    assert not chinese_left(f.message)  # the quoted sentence and word aside
    assert f.line == line_of(root / "rules" / "pension.yaml", "- zone: jiaodong")
