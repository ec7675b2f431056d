"""``tongcheng docs``: what the bundled pack's site says, page by page, in both languages; the
writer's refusals; the command's exit codes."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import tongcheng
from tongcheng.cli import main
from tongcheng.docsite.writer import FileOverwrite, UnsafePath, Writer

RECOGNITION = "medical_insurance.contribution_years_recognition"
CLEAN = Path(__file__).resolve().parents[1] / "packs" / "consistency" / "clean"
CJK = re.compile(r"[\u4e00-\u9fff]")


class _Text(HTMLParser):
    """Text per tag, to read a page as a person does."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.by_tag: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "meta", "link", "input", "img", "line", "rect"):
            self.stack.append(tag)
            self.by_tag.setdefault(tag, []).append("")

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        for tag in set(self.stack):
            self.by_tag[tag][-1] += data


def read(path: Path) -> tuple[str, dict[str, list[str]]]:
    html = path.read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(html)
    return html, parser.by_tag


def test_the_layout(site: Path):
    for lang in ("zh", "en"):
        assert (site / lang / "index.html").is_file()
        assert (site / lang / "rules" / f"{RECOGNITION}.html").is_file()
        assert (site / lang / "documents" / "qingdao_metro_plan_2023.html").is_file()
        assert (site / lang / "zones" / "qingdao_metro.html").is_file()
        assert (site / lang / "parameters" / "provident_fund.loan_cap.html").is_file()
        assert (site / lang / "places" / "370682.html").is_file()
    html, _ = read(site / "index.html")
    assert 'href="zh/index.html"' in html and 'href="en/index.html"' in html


def test_the_source_document_is_whole_with_every_quote_marked(site: Path):
    pack = tongcheng.bundled_pack()
    source = (Path(pack.root) / "sources" / "qingdao-metro-plan-2023.md").read_text("utf-8")
    html, text = read(site / "zh" / "documents" / "qingdao_metro_plan_2023.html")
    # the text as read: without the links after each quote and the flags on promises
    bare = re.sub(r'<sup class="cites">.*?</sup>|<span class="flag".*?</span></span>', "",
                  html[html.index('<div class="source-text">'):])
    body = unescape(re.sub(r"<[^>]+>", "", bare))
    # whole: every line of the text is on the page (white space aside)
    for line in source.splitlines():
        words = line.lstrip("#> ").strip()
        if words:
            assert "".join(words.split()) in "".join(body.split()), words[:40]
    quotes = {b.quote for r in pack.rules for b in r.basis
              if b.quote and b.document.id == "qingdao_metro_plan_2023"}
    marked = "".join(text["mark"])
    for quote in quotes:
        assert "".join(quote.split()) in "".join(marked.split()), quote
    # the quote of the recognition rule links back to the rule
    assert f'../rules/{RECOGNITION}.html' in html


def test_uncited_promises_are_flagged_in_the_text(site: Path):
    html, text = read(site / "en" / "documents" / "jiaodong_guidance_2020.html")
    flagged = re.findall(
        r'<span class="sentence uncited-promise" id="s\d+">(.*?)<span class="flag"', html)
    assert flagged, "no uncited promise found"
    assert all("<mark" not in s for s in flagged)  # a cited sentence is never flagged
    assert "promises a treatment" in html
    summary = "".join(text["details"])
    assert "Sentences promising a treatment that no rule cites" in summary


def test_a_rule_in_plain_language(site: Path):
    html, text = read(site / "en" / "rules" / f"{RECOGNITION}.html")
    assert "Qingdao Metropolitan Area" in "".join(text["table"])
    assert "2023-10-06" in html and "2025-04-28" in html
    assert 'class="firmness firmness-in_force"' in html
    assert "Some employee medical insurance months were paid outside the target city" in html
    assert "count(months(outside)) &gt; 0" in html
    assert "The project&#39;s reading" in html
    assert "medical_insurance.transfer_processing_limit_working_days" in html
    assert "<svg" in html  # the parameter's step chart


def test_a_rule_with_exceptions_shows_what_overrides_what(site: Path):
    html, _ = read(site / "en" / "rules" / "services.cross_city_handling.html")
    assert 'id="exception-shuanglai_window"' in html or 'id="exception-' in html
    assert re.search(r'Wins over:</strong>\s*<a href="#exception-metro_one_place">', html)


def test_a_parameter_has_a_dated_table_and_a_step_chart_per_place(site: Path):
    html, _ = read(site / "en" / "parameters" / "medical_insurance.retiree_min_months.html")
    assert html.count('<section class="param-place"') == 5
    qingdao = html[html.index('id="place-370200"'):html.index('id="place-370600"')]
    assert "2025-12-31" in qingdao and "2026-01-01" in qingdao
    assert qingdao.count('class="step"') >= 4  # male and female, before and after 2026
    assert "male: 360" in qingdao
    yantai = html[html.index('id="place-370600"'):]
    assert "declared, no value known" in yantai


def test_a_zone_shows_its_members_over_time(site: Path):
    html, _ = read(site / "zh" / "zones" / "qingdao_metro.html")
    assert html.count('class="member ended"') == 4  # the 2017 drawing, ended 2023-10-05
    assert html.count('class="member"') == 7  # the 2023 drawing
    assert "2023-10-05" in html
    assert "成员随时间变化" in html


def test_chinese_pages_speak_chinese(site: Path):
    for page in ("index.html", f"rules/{RECOGNITION}.html", "zones/qingdao_metro.html",
                 "parameters/provident_fund.loan_cap.html", "places/370682.html",
                 "documents/qingdao_metro_plan_2023.html", "search.html"):
        html, text = read(site / "zh" / page)
        assert '<html lang="zh-Hans">' in html
        for heading in text.get("h2", []) + text.get("th", []) + text.get("nav", []):
            if heading.strip():
                assert CJK.search(heading), (page, heading)


def test_the_search_index_holds_rules_parameters_and_places(site: Path):
    script = (site / "en" / "search-index.js").read_text("utf-8")
    entries = json.loads(script.removeprefix("window.TONGCHENG_SEARCH = ").rstrip(";\n"))
    ids = {e["i"] for e in entries}
    pack = tongcheng.bundled_pack()
    assert set(pack.rule_ids) <= ids
    assert set(pack.parameters) <= ids
    assert {"370682", "370200"} <= ids
    assert all((site / "en" / e["u"]).is_file() for e in entries)


def test_the_writer_refuses_a_second_write_and_a_path_outside(tmp_path):
    writer = Writer(tmp_path / "out")
    writer.write("rules/a.html", "first")
    with pytest.raises(FileOverwrite, match=r"rules/A\.html would be written twice"):
        writer.write("rules/A.html", "second")
    with pytest.raises(UnsafePath):
        writer.write("../escape.html", "x")
    assert (tmp_path / "out" / "rules" / "a.html").read_text() == "first"
    assert not (tmp_path / "escape.html").exists()


def test_the_command(tmp_path):
    out = tmp_path / "site"
    small = ["--pack", str(CLEAN)]  # any pack; a small one builds fast
    first = CliRunner().invoke(main, ["docs", *small, "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert "个页面" in first.output and (out / "zh" / "rules" / "test.card.html").is_file()
    (out / "zh" / "stale.html").write_text("from an earlier build")
    again = CliRunner().invoke(main, ["docs", *small, "-o", str(out), "--lang", "en"])
    assert again.exit_code == 0 and "pages" in again.output, again.output  # replaced whole
    assert not (out / "zh" / "stale.html").exists()
    assert first.output.startswith("已写出 ") and f"请打开 {out / 'index.html'}" in first.output
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    refused = CliRunner().invoke(main, ["docs", "-o", str(foreign), "--lang", "en"])
    assert refused.exit_code == 2 and "holds no site written by tongcheng docs" in refused.output
    refused = CliRunner().invoke(main, ["docs", "-o", str(foreign)])
    assert refused.exit_code == 2 and "不是 tongcheng docs 写出的网站" in refused.output
    assert (foreign / "mine.txt").read_text() == "keep me"
    bad = tmp_path / "bad-pack"
    bad.mkdir()
    (bad / "pack.yaml").write_text("name: x\n")
    failed = CliRunner().invoke(main, ["docs", "--pack", str(bad), "-o", str(tmp_path / "o"),
                                       "--lang", "en"])
    assert failed.exit_code == 3 and "rule pack failed to load" in failed.output
    # an output that is no folder, or one that cannot be made: said, never a traceback
    (tmp_path / "a-file").write_text("x")
    for output, zh in ((tmp_path / "a-file", "不是文件夹"),
                       (tmp_path / "a-file" / "site", "无法写入"),
                       ("/proc/no-site-here", "无法写入")):
        result = CliRunner().invoke(main, ["docs", *small, "-o", str(output)])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.output
        assert result.exit_code == 2 and f"错误: {output}" in result.output, result.output
        assert zh in result.output, result.output
    failed = CliRunner().invoke(main, ["docs", "--pack", str(bad), "-o", str(tmp_path / "o")])
    assert failed.exit_code == 3 and "pack.yaml:1: version:缺少必填的键" in failed.output


def test_an_overlay_adds_its_rules_and_documents_to_the_site(tmp_path):
    overlay = Path(__file__).resolve().parents[1] / "packs" / "overlays" / "new-rule"
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["docs", "--overlay", str(overlay), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "en" / "documents" / "test_park_notice.html").read_text("utf-8")
    assert re.search(r'<mark class="quote" data-quotes="q1">胶东五市居民持社会保障卡'
                     r"可免费进入成员城市的市属公园</mark>"
                     r'<sup class="cites">\[<a href="../rules/test.park_entry.html">', html)
    assert (out / "zh" / "rules" / "test.park_entry.html").is_file()
