"""The page's words in both languages, and the template environment."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tongcheng import __version__
from tongcheng.service.page.fields import (
    FUND_FIELDS,
    LISTS,
    OPTION_WORDS,
    SECTIONS,
    field_id,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-Hans",
        "title": "同城待遇查询",
        "subtitle": "山东各经济圈同城待遇:为窗口工作人员判断此人可享受什么、依据哪条政策、还缺什么",
        "skip": "跳到表单",
        "switch": "English",
        "switch_lang": "en",
        "switch_label": "切换语言",
        "form_title": "此人的情况",
        "form_note": "未填写的项目视为“不详”,不会当作“没有”。列表一旦填写,即视为完整。",
        "add": "添加一行",
        "remove": "删除",
        "row": "第{n}行",
        "evaluate": "判断",
        "reset": "清空",
        "errors_title": "请更正以下问题:",
        "results": "判断结果",
        "as_of": "评估日期",
        "pack": "规则包",
        "ask_next": "下一步可询问",
        "settles": "可确定",
        "outcome": "结果",
        "reasons": "判断过程",
        "basis": "政策依据",
        "reading": "本项目的理解",
        "missing": "尚缺事实",
        "missing_parameters": "规则包尚缺参数(须由规则维护方补充,窗口无法提供)",
        "unverified": "未核实参数(可信度低于高或无日期)",
        "exception": "适用例外",
        "facts": "所用事实",
        "not_applicable_group": "不适用的规则",
        "timeline": "缴费与缴存时间轴(按城市)",
        "timeline_legend_bar": "社会保险缴费月份",
        "timeline_legend_fund": "公积金缴存月份",
        "timeline_legend_deemed": "视同缴费",
        "timeline_legend_recognised": "在办理地被认定(计入)的月份",
        "timeline_months": "个月",
        "timeline_recognised": "认定",
        "timeline_table": "以表格查看",
        "timeline_as_of": "评估月",
        "city": "城市",
        "place": "地点",
        "kind": "类别",
        "from": "起",
        "to": "止",
        "months": "月数",
        "recognised": "认定",
        "yes": "是",
        "no": "否",
        "firmness_pilot": "试点(探索)",
        "firmness_promise": "承诺(推动)",
        "source_official": "官方文件",
        "source_news report": "新闻报道",
        "source_secondary": "二手资料(无原文引文)",
        "conflict": "规则包有缺陷,无法给出判断",
        "suggestions": "地点建议",
        "counts": "符合 {eligible} · 不符合 {ineligible} · 待定 {undetermined} · "
        "不适用 {not_applicable}",
        "api": "接口文档",
        "more_questions": "其余 {n} 个问题",
        "place_placeholder": "名称或代码",
        "extra_title": "其他事实(JSON,可选)",
        "extra_label": "表单中没有的事实,以 JSON 填写",
        "extra_hint": "例如 {\"request\": {\"hospital_grade\": 3}};与表单同名的键以此处为准",
    },
    "en": {
        "html_lang": "en",
        "title": "Same-city treatment check",
        "subtitle": "Shandong's same-city treatment: what a person is entitled to, on which "
        "policy sentence, and what is still missing",
        "skip": "Skip to the form",
        "switch": "中文",
        "switch_lang": "zh",
        "switch_label": "Switch language",
        "form_title": "The person's situation",
        "form_note": "Fields left empty are unknown, never \"none\". A list, once given, is "
        "complete.",
        "add": "Add a row",
        "remove": "Remove",
        "row": "row {n}",
        "evaluate": "Decide",
        "reset": "Clear",
        "errors_title": "Please correct these problems:",
        "results": "Decisions",
        "as_of": "As of",
        "pack": "Rule pack",
        "ask_next": "Ask next",
        "settles": "settles",
        "outcome": "Outcome",
        "reasons": "Why",
        "basis": "Basis",
        "reading": "The project's reading",
        "missing": "Missing facts",
        "missing_parameters": "Missing parameters (the rule pack lacks them; a caseworker "
        "cannot supply them)",
        "unverified": "Unverified parameters (below high confidence, or undated)",
        "exception": "Exception applied",
        "facts": "Facts used",
        "not_applicable_group": "Rules that do not apply",
        "timeline": "Contribution and deposit timeline by city",
        "timeline_legend_bar": "insurance months paid",
        "timeline_legend_fund": "provident fund months deposited",
        "timeline_legend_deemed": "deemed (视同) years",
        "timeline_legend_recognised": "months recognised (counted) at the target",
        "timeline_months": "months",
        "timeline_recognised": "recognised",
        "timeline_table": "Show as a table",
        "timeline_as_of": "as of",
        "city": "City",
        "place": "Place",
        "kind": "Kind",
        "from": "From",
        "to": "To",
        "months": "Months",
        "recognised": "Recognised",
        "yes": "yes",
        "no": "no",
        "firmness_pilot": "pilot (to explore)",
        "firmness_promise": "promise",
        "source_official": "official text",
        "source_news report": "news report",
        "source_secondary": "secondary source (no quote at hand)",
        "conflict": "The rule pack has a defect; no decision can be given",
        "suggestions": "Place suggestions",
        "counts": "eligible {eligible} · ineligible {ineligible} · undetermined {undetermined} "
        "· not applicable {not_applicable}",
        "api": "API docs",
        "more_questions": "{n} more questions",
        "place_placeholder": "name or code",
        "extra_title": "Other facts (JSON, optional)",
        "extra_label": "Facts the form has no field for, as JSON",
        "extra_hint": "e.g. {\"request\": {\"hospital_grade\": 3}}; a key also set by the "
        "form takes this value",
    },
}


def _option_label(value: str, lang: str) -> str:
    zh, en = OPTION_WORDS.get(value, (value, value))
    return en if lang == "en" else zh


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(field_id=field_id, option_label=_option_label, lists=LISTS,
                       sections=SECTIONS, fund_fields=FUND_FIELDS, version=__version__)
    return env
