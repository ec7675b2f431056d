"""The words of a comparison report, in Chinese and English (terminal table and HTML alike)."""

from __future__ import annotations

from typing import Any

STATUS = {
    "eligible": {"zh": "符合", "en": "eligible"},
    "ineligible": {"zh": "不符合", "en": "ineligible"},
    "undetermined": {"zh": "待定", "en": "undetermined"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
    "absent": {"zh": "(无此规则)", "en": "(no such rule)"},
}
FIRMNESS = {
    "in_force": {"zh": "已施行", "en": "in force"},
    "pilot": {"zh": "试点(探索)", "en": "pilot"},
    "promise": {"zh": "承诺(推动)", "en": "promise"},
}
DECIDED = {
    "twice": {"zh": "两侧分别判定", "en": "decided on both sides"},
    "once": {"zh": "输入相同,判定一次", "en": "same inputs, decided once"},
    "base only": {"zh": "仅对比前有此规则", "en": "only on the base side"},
    "new only": {"zh": "仅对比后有此规则", "en": "only on the new side"},
}
AGE = {"unknown": {"zh": "未知", "en": "unknown"}}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "政策变化影响对比",
        "rule": "规则",
        "base": "对比前 (base)",
        "new": "对比后 (new)",
        "pack": "规则包",
        "layers": "规则包与叠加层",
        "as_of": "评估日期",
        "own_as_of": "各行自身的 as_of",
        "population": "人群",
        "rows": "输入行数",
        "decided": "两侧均已判定",
        "rejected": "被拒绝的行",
        "changed_persons": "至少一项判定(状态、确定性或结果)发生变化的人数",
        "rules_twice": "两侧分别判定的规则",
        "rules_once": "输入相同、判定一次的规则",
        "why": "原因",
        "transitions": "状态转变",
        "transition": "转变",
        "persons": "人数",
        "share": "占比",
        "examples": "示例 id",
        "unchanged": "未变化",
        "changed": "发生变化",
        "by_target_city": "按办理地城市",
        "by_hukou_city": "按户籍城市",
        "by_age_band": "按年龄段",
        "city": "城市",
        "age_band": "年龄段",
        "changed_share": "变化人数占该组比例",
        "outcomes": "数值结果",
        "outcome": "结果项",
        "side": "侧",
        "count": "有值人数",
        "mean": "平均",
        "median": "中位数",
        "p10": "第10百分位",
        "p90": "第90百分位",
        "sum": "合计",
        "value": "取值",
        "by_transition": "按转变(变化者的数值)",
        "change": "变化量(对比后 − 对比前)",
        "no_change": "没有人的判定发生变化。",
        "statuses": "状态分布",
        "digest": "摘要",
        "report_note": "由 tongcheng compare 生成;图表内嵌,可离线打开。",
        "unknown": "未知",
        "matrix": "对比前状态 × 对比后状态",
        "top": "变化最多的前 {n} 组",
        "firmness": "确定性",
        "seconds": "用时(秒)",
        "outcome_only": "状态未变、结果数值变化的人数",
    },
    "en": {
        "title": "Policy change impact",
        "rule": "rule",
        "base": "Base (before)",
        "new": "New (after)",
        "pack": "rule pack",
        "layers": "pack and overlays",
        "as_of": "as of",
        "own_as_of": "each row's own as_of",
        "population": "Population",
        "rows": "input rows",
        "decided": "decided on both sides",
        "rejected": "rows rejected",
        "changed_persons": "persons with some decision changed (status, firmness or outcome)",
        "rules_twice": "rules decided on both sides",
        "rules_once": "rules with the same inputs, decided once",
        "why": "why",
        "transitions": "Transitions",
        "transition": "transition",
        "persons": "persons",
        "share": "share",
        "examples": "example ids",
        "unchanged": "unchanged",
        "changed": "changed",
        "by_target_city": "By target city",
        "by_hukou_city": "By household-registration city",
        "by_age_band": "By age band",
        "city": "city",
        "age_band": "age band",
        "changed_share": "changed, share of the group",
        "outcomes": "Numeric outcomes",
        "outcome": "outcome",
        "side": "side",
        "count": "persons with a value",
        "mean": "mean",
        "median": "median",
        "p10": "10th percentile",
        "p90": "90th percentile",
        "sum": "sum",
        "value": "value",
        "by_transition": "By transition (the values of those who changed)",
        "change": "change (new − base)",
        "no_change": "No one's decision changes.",
        "statuses": "Statuses",
        "digest": "digest",
        "report_note": "Made by tongcheng compare; charts embedded, opens offline.",
        "unknown": "unknown",
        "matrix": "base status × new status",
        "top": "the {n} groups with most changes",
        "firmness": "firmness",
        "seconds": "seconds",
        "outcome_only": "persons whose status stays and an outcome value changes",
    },
}


def status(value: str | None, lang: str) -> str:
    return STATUS.get(value or "", {}).get(lang, value or "—")


def firmness(value: str | None, lang: str) -> str:
    return FIRMNESS.get(value or "", {}).get(lang, value or "—")


def transition(t: dict[str, Any], lang: str) -> str:
    """``eligible → ineligible`` (with the firmness where it changes)."""
    text = f"{status(t['from'], lang)} → {status(t['to'], lang)}"
    if t.get("firmness_from") != t.get("firmness_to"):
        text += (f" ({firmness(t.get('firmness_from'), lang)} → "
                 f"{firmness(t.get('firmness_to'), lang)})")
    return text


def group_name(entry: dict[str, Any], lang: str) -> str:
    if "name" in entry:
        return entry["name"][lang]
    if entry["group"] in AGE:
        return AGE[entry["group"]][lang]
    return entry["group"]
