"""Decisions for people: statuses, outcomes and facts in words, questions beside each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tongcheng.evaluate.decision import Evaluation
from tongcheng.places import PlaceRegistry
from tongcheng.questions import question_for
from tongcheng.service.page.fields import OPTION_WORDS, field_id

STATUS_WORDS = {
    "eligible": ("✔", "符合", "eligible"),
    "ineligible": ("✘", "不符合", "ineligible"),
    "undetermined": ("?", "待定", "undetermined"),
    "not_applicable": ("–", "不适用", "not applicable"),
}


_WORDED = frozenset({"scheme", "kind", "sex", "employment", "talent"})


def _is_place(registry: PlaceRegistry, value: Any) -> bool:
    return isinstance(value, str) and len(value) == 6 and value.isdigit() and value in registry


def show_value(
    registry: PlaceRegistry, key: str, value: Any, lang: str,
    terms: Mapping[str, Any] | None = None,
) -> str:
    """A fact or outcome value in words: places named, months also in years, lists joined,
    an outcome's code as its term (``terms.yaml``) in ``lang``."""
    en = lang == "en"
    if isinstance(value, str) and terms and value in terms:
        return terms[value].get(lang)
    if value is None:
        return "不详" if not en else "unknown"
    if isinstance(value, bool):
        return ("yes" if value else "no") if en else ("是" if value else "否")
    if _is_place(registry, value):
        return f"{registry.name(value, lang)} ({value})"
    if isinstance(value, str) and key.rpartition(".")[2] in _WORDED and value in OPTION_WORDS:
        return OPTION_WORDS[value][1 if en else 0]
    if isinstance(value, int) and key.endswith("months") and value >= 12:
        years, months = divmod(value, 12)
        words = f"{years} years {months} months" if en else f"{years}年{months}个月"
        return f"{value} ({words})"
    if isinstance(value, Mapping):
        if set(value) >= {"kind", "issuer"}:
            kind = OPTION_WORDS.get(str(value["kind"]), (value["kind"],) * 2)[1 if en else 0]
            return f"{kind} · {show_value(registry, 'issuer', value['issuer'], lang)}"
        if "name" in value and isinstance(value["name"], Mapping):
            return str(value["name"].get(lang) or value["name"].get("zh"))
        parts = []
        for k, v in value.items():
            label = (
                registry.name(str(k), lang) if _is_place(registry, str(k)) else str(k)
            )
            parts.append(f"{label}: {show_value(registry, '', v, lang)}")
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        if not value:
            return "无" if not en else "none"
        return "; ".join(show_value(registry, key, v, lang, terms) for v in value)
    return str(value)


def decisions_view(
    result: Evaluation, registry: PlaceRegistry, lang: str
) -> list[dict[str, Any]]:
    data = result.to_json(lang)
    questions = data["questions"]
    views = []
    for d in data["decisions"]:
        symbol, zh, en = STATUS_WORDS[d["status"]]
        labels = {r["name"]: r["label"] for r in d["reasons"] if r["kind"] == "outcome"}
        outcome = [
            {"key": k, "label": labels.get(k, k),
             "value": show_value(registry, k, v, lang, result.pack.terms)}
            for k, v in d["outcome"].items()
        ]
        reasons = []
        for r in d["reasons"]:
            if r["kind"] == "outcome":
                continue
            mark = "yes" if r["value"] is True else "no" if r["value"] is False else "unknown"
            facts = [
                {"path": k, "value": show_value(registry, k, v, lang)}
                for k, v in (r.get("facts") or {}).items()
            ]
            reasons.append(
                {"label": r["label"], "mark": mark, "facts": facts, "notes": r.get("notes", []),
                 "kind": r["kind"]}
            )
        asks = [
            {"path": q["path"], "question": q["question"][lang], "id": field_id(q["path"])}
            for q in questions
            if d["rule"] in q["settles"]
        ]
        views.append(
            {
                **d,
                "symbol": symbol,
                "status_words": en if lang == "en" else zh,
                "title_text": d["title"][lang],
                "outcome_view": outcome,
                "reasons_view": reasons,
                "asks": asks,
                "missing_questions": [
                    {"path": p, "question": question_for(p, lang)} for p in d["missing"]
                ],
            }
        )
    return views
