"""The caseworker page: a form for a person's situation and the decisions, server-rendered.

The form's field names are the situation's own paths (``insurance[1].to``), so a problem the
situation model reports lands beside the field it names. Places are typed by name (Chinese or
English) or code and resolved against the registry; the page works without JavaScript (rows are
added and removed by submit buttons), and ``static/app.js`` makes it quicker: place
suggestions, rows added in place, dates checked as they are typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import attrs
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tongcheng import __version__
from tongcheng.errors import Problem, RuleConflict, SituationError
from tongcheng.evaluate.decision import Evaluation
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.months import count as count_months
from tongcheng.months import format_month, merge, month_of
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import RulePack
from tongcheng.places import Place, PlaceRegistry
from tongcheng.questions import question_for
from tongcheng.situation import Situation, parse_situation

HERE = Path(__file__).resolve().parent
LANGS = ("zh", "en")

# --- the form's fields ---------------------------------------------------------------------------


@attrs.frozen
class Field:
    name: str  # the situation path, relative to its row for list fields
    kind: str  # place | date | month | text | select | money | count | bool | check
    zh: str
    en: str
    options: tuple[str, ...] = ()
    hint_zh: str = ""
    hint_en: str = ""

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_zh


OPTION_WORDS: dict[str, tuple[str, str]] = {
    "": ("不详", "unknown"),
    "male": ("男", "male"),
    "female": ("女", "female"),
    "employed": ("在职", "employed"),
    "flexible": ("灵活就业", "flexibly employed"),
    "retired": ("退休", "retired"),
    "unemployed": ("失业", "unemployed"),
    "employee_medical": ("职工医保", "employee medical"),
    "resident_medical": ("居民医保", "resident medical"),
    "pension": ("养老保险", "pension"),
    "unemployment": ("失业保险", "unemployment"),
    "work_injury": ("工伤保险", "work injury"),
    "fund": ("住房公积金", "provident fund"),
    "transit": ("交通卡", "transit card"),
    "social_security": ("社保卡", "social security card"),
    "culture_tourism": ("文旅卡", "culture-tourism card"),
    "library": ("借书证", "library card"),
    "true": ("是", "yes"),
    "false": ("否", "no"),
}

_PLACE_HINT = (
    "输入城市或县区名称(中英文均可)或代码",
    "type a city or county name (Chinese or English) or its code",
)
_DATE_HINT = ("年-月-日,如 2025-06-01;空=今天", "YYYY-MM-DD, e.g. 2025-06-01; empty: today")


def _f(name: str, kind: str, zh: str, en: str, *options: str) -> Field:
    """A field; the first place and the first date carry a written hint (the others show
    their format as a placeholder)."""
    hints = {"target": _PLACE_HINT, "as_of": _DATE_HINT}
    return Field(name, kind, zh, en, options, *hints.get(name, ("", "")))


SECTIONS: tuple[tuple[str, str, str, tuple[Field, ...]], ...] = (
    (
        "where",
        "办理地与日期",
        "Where and when",
        (
            _f("target", "place", "办理地", "Where the person asks (target)"),
            _f("as_of", "date", "评估日期", "Evaluate as of"),
            _f("request.service", "text", "办理事项(可选)", "Service asked for (optional)"),
        ),
    ),
    (
        "person",
        "个人情况",
        "The person",
        (
            _f("person.birth_date", "date", "出生日期", "Date of birth"),
            _f("person.sex", "select", "性别", "Sex", "", "male", "female"),
            _f("person.hukou", "place", "户籍地", "Household registration (hukou)"),
            _f("person.lives_in", "place", "现居住地", "Lives in"),
            _f("person.employment", "select", "就业状态", "Employment",
               "", "employed", "flexible", "retired", "unemployed"),
            _f("person.work_place", "place", "工作地", "Works in"),
            _f("person.retired_on", "date", "退休日期", "Retired on"),
            _f("person.pension_place", "place", "养老金发放地", "Pension paid by"),
        ),
    ),
)

FUND_FIELDS: tuple[Field, ...] = (
    _f("provident_fund.balance", "money", "公积金账户余额(元)", "Fund balance (yuan)"),
    _f("provident_fund.outstanding_loans", "count", "未还清的公积金贷款笔数",
       "Fund loans not yet repaid"),
    _f("provident_fund.couple_application", "bool", "夫妻共同申请", "Couple application",
       "", "true", "false"),
    _f("provident_fund.spouse_balance", "money", "配偶公积金余额(元)",
       "Spouse's fund balance (yuan)"),
)


@attrs.frozen
class ListSpec:
    path: str
    zh: str
    en: str
    none_zh: str
    none_en: str
    fields: tuple[Field, ...]

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def none_label(self, lang: str) -> str:
        return self.none_en if lang == "en" else self.none_zh

    @property
    def key(self) -> str:
        return self.path.replace(".", "-").replace("_", "-")


LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "insurance", "社会保险缴费记录", "Social insurance periods",
        "此人没有任何社会保险缴费记录", "The person has no insurance periods at all",
        (
            _f("scheme", "select", "险种", "Scheme",
               "employee_medical", "resident_medical", "pension", "unemployment", "work_injury"),
            _f("place", "place", "缴费地", "Paid in"),
            _f("from", "month", "起始月", "From"),
            _f("to", "month", "截止月(空=仍在缴)", "To (empty: still paying)"),
            _f("deemed", "check", "视同缴费", "Deemed (视同)"),
        ),
    ),
    ListSpec(
        "provident_fund.periods", "住房公积金缴存记录", "Provident fund deposit periods",
        "此人从未缴存公积金", "The person never deposited into a fund",
        (
            _f("place", "place", "缴存地", "Deposited in"),
            _f("from", "month", "起始月", "From"),
            _f("to", "month", "截止月(空=仍在缴)", "To (empty: still depositing)"),
        ),
    ),
    ListSpec(
        "person.residence", "居住证", "Residence permits",
        "此人没有居住证", "The person holds no residence permit",
        (
            _f("place", "place", "签发地", "Issued in"),
            _f("since", "date", "签发日期", "Since"),
        ),
    ),
    ListSpec(
        "cards", "持有的卡", "Cards held",
        "此人没有任何卡", "The person holds no card at all",
        (
            _f("kind", "select", "种类", "Kind", "transit", "social_security", "culture_tourism",
               "library"),
            _f("issuer", "place", "发卡地", "Issued by"),
        ),
    ),
)
LIST_BY_PATH = {spec.path: spec for spec in LISTS}
SCALAR_FIELDS = {f.name: f for _, _, _, fields in SECTIONS for f in fields} | {
    f.name: f for f in FUND_FIELDS
}
_ROW_NAME = re.compile(r"^(?P<list>[a-z_.]+)\[(?P<index>\d{1,3})\]\.(?P<field>[a-z_]+)$")
MAX_ROWS = 60


def field_id(path: str) -> str:
    """The HTML id of a field from its situation path (``insurance[1].to``:
    ``f-insurance-1-to``)."""
    return "f-" + re.sub(r"[^a-zA-Z0-9_]+", "-", path).strip("-")


# --- form state ----------------------------------------------------------------------------------


@attrs.define
class FormState:
    """What the person typed, as strings, ready to be shown again."""

    lang: str = "zh"
    values: dict[str, str] = attrs.field(factory=dict)
    rows: dict[str, list[dict[str, str]]] = attrs.field(factory=dict)
    none: set[str] = attrs.field(factory=set)
    extra: str = ""
    evaluated: bool = False

    @classmethod
    def blank(cls, lang: str = "zh") -> FormState:
        state = cls(lang=lang)
        state.rows["insurance"] = [{"scheme": "employee_medical"}]
        return state

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> tuple[FormState, str]:
        """The state and the operation asked for (evaluate, add:LIST, remove:LIST:I, lang:XX)."""
        state = cls()
        op = "evaluate"
        indexed: dict[str, dict[int, dict[str, str]]] = {}
        for name, value in pairs:
            if name == "_lang" and value in LANGS:
                state.lang = value
            elif name == "_op":
                op = value
            elif name == "_evaluated":
                state.evaluated = value == "1"
            elif name == "_extra":
                state.extra = value
            elif name.startswith("_none.") and name[6:] in LIST_BY_PATH:
                state.none.add(name[6:])
            elif name in SCALAR_FIELDS:
                state.values[name] = value
            elif m := _ROW_NAME.match(name):
                spec = LIST_BY_PATH.get(m["list"])
                if spec is None or m["field"] not in {f.name for f in spec.fields}:
                    continue
                rows = indexed.setdefault(spec.path, {})
                if int(m["index"]) in rows or len(rows) < MAX_ROWS:
                    rows.setdefault(int(m["index"]), {})[m["field"]] = value
        for path, rows in indexed.items():
            state.rows[path] = [rows[i] for i in sorted(rows)]
        return state, op

    def apply(self, op: str) -> bool:
        """Add or remove a row, or switch language; True when the form should be evaluated."""
        kind, _, arg = op.partition(":")
        if kind == "add" and arg in LIST_BY_PATH:
            rows = self.rows.setdefault(arg, [])
            if len(rows) < MAX_ROWS:
                spec = LIST_BY_PATH[arg]
                rows.append({f.name: f.options[0] for f in spec.fields if f.kind == "select"})
            return False
        if kind == "remove":
            path, _, index = arg.rpartition(":")
            rows = self.rows.get(path, [])
            if index.isdigit() and int(index) < len(rows):
                del rows[int(index)]
            return False
        if kind == "lang":
            if arg in LANGS:
                self.lang = arg
            return self.evaluated
        return True

    def compact(self) -> None:
        """Drop rows where nothing was typed (selects and check boxes alone do not count)."""
        for path, rows in self.rows.items():
            spec = LIST_BY_PATH[path]
            typed = [f.name for f in spec.fields if f.kind not in ("select", "check")]
            self.rows[path] = [r for r in rows if any(r.get(n, "").strip() for n in typed)]


# --- places typed by name ------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isascii() and ch.isalnum())


def _bare(name_zh: str) -> str:
    for suffix in ("自治县", "市", "区", "县", "旗", "省"):
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            return name_zh[: -len(suffix)]
    return name_zh


def place_label(place: Place) -> str:
    """How a resolved place is shown in its field: names and code (the code is what counts)."""
    names = place.name_zh + (f" {place.name_en}" if place.name_en else "")
    return f"{names} ({place.code})"


_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def resolve_place(
    registry: PlaceRegistry, text: str, lang: str = "en"
) -> tuple[str | None, str | None]:
    """A typed place as a code, or a message saying why it cannot be chosen.

    A six-digit code anywhere in the text wins (the suggestions put it there). Otherwise the
    name must match one place exactly (青岛, 青岛市, Qingdao), Shandong's current places first;
    when several remain, the message lists them.
    """
    query = text.strip()
    m = _CODE_IN_TEXT.search(query)
    if m:
        return m.group(1), None
    zh = lang == "zh"
    if len(query) > 60:
        return None, "请填写地名或六位代码" if zh else "expected a place name or a six-digit code"
    found = registry.search(query, limit=40)
    folded = _fold(query)

    def exact(p: Place) -> bool:
        return query in (p.name_zh, _bare(p.name_zh)) or bool(
            folded and p.name_en and _fold(p.name_en) == folded
        )

    candidates = [p for p in found if exact(p)] or found
    for group in (
        [p for p in candidates if p.current and p.code.startswith("37")],
        [p for p in candidates if p.current],
        candidates,
    ):
        if len(group) == 1:
            return group[0].code, None
        if len(group) > 1:
            listed = "; ".join(f"{p.name_zh} {p.name_en} {p.code}".replace("  ", " ")
                               for p in group[:6])
            more = ", …" if len(group) > 6 else ""
            if zh:
                return None, f"“{query}”对应多个地点({listed}{more}):请从建议中选择,或填写代码"
            return None, (
                f"{query!r} matches several places ({listed}{more}): choose one from the "
                "suggestions or type its code"
            )
    if zh:
        return None, f"没有名为“{query}”的地点:请填写城市或县区名称(中英文均可)或六位代码"
    return None, (
        f"no place named {query!r}: type a city or county name (Chinese or English) or its "
        "six-digit code"
    )


# --- form -> situation ---------------------------------------------------------------------------


def _number(text: str, whole: bool) -> Any:
    """A typed amount as a number, or the text itself (the model then names the problem)."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        if whole:
            return int(cleaned)
        value = Decimal(cleaned)
        return value if value.is_finite() else cleaned
    except (ValueError, InvalidOperation):
        return text


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *heads, last = path.split(".")
    for head in heads:
        target = target.setdefault(head, {})
    target[last] = value


def _convert(
    registry: PlaceRegistry,
    field: Field,
    path: str,
    raw: str,
    problems: list[Problem],
    lang: str = "en",
) -> Any:
    text = raw.strip()
    if field.kind == "check":
        return True if text in ("on", "true", "1") else None
    if not text:
        return None
    if field.kind == "place":
        code, message = resolve_place(registry, text, lang)
        if message:
            problems.append(Problem(path, message))
        return code
    if field.kind == "money":
        return _number(text, whole=False)
    if field.kind == "count":
        return _number(text, whole=True)
    if field.kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    return text


def situation_from_form(
    state: FormState, registry: PlaceRegistry
) -> tuple[dict[str, Any], list[Problem]]:
    """The situation a form describes (as plain data), and problems with typed places."""
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    for name, raw in state.values.items():
        field = SCALAR_FIELDS[name]
        value = _convert(registry, field, name, raw, problems, state.lang)
        if value is not None:
            _put(data, name, value)
    for spec in LISTS:
        rows = state.rows.get(spec.path, [])
        if not rows and spec.path not in state.none:
            continue  # unknown: the key stays absent
        items = []
        for i, row in enumerate(rows):
            item: dict[str, Any] = {}
            for field in spec.fields:
                path = f"{spec.path}[{i}].{field.name}"
                raw = row.get(field.name, "")
                value = _convert(registry, field, path, raw, problems, state.lang)
                if value is not None:
                    item[field.name] = value
            items.append(item)
        _put(data, spec.path, items)
    if state.extra.strip():
        extra, problem = _extra_facts(state.extra)
        if problem:
            problems.append(Problem("_extra", problem))
        else:
            _merge(data, extra)
    return data, problems


def _extra_facts(text: str) -> tuple[dict[str, Any], str | None]:
    """Further facts typed as JSON (those the form has no field for)."""
    import json

    try:
        value = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        return {}, f"not valid JSON: {exc}"
    if not isinstance(value, dict):
        return {}, "expected a JSON object of situation keys, e.g. {\"results\": []}"
    return value, None


def _merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Facts from the JSON box join the form's; for a key in both, the JSON's value wins
    (mappings such as ``person`` are merged key by key)."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


# --- the timeline --------------------------------------------------------------------------------

RECOGNISING_RULE = {
    "employee_medical": "medical_insurance.contribution_years_recognition",
    "fund": "provident_fund.transfer",
}
KIND_ORDER = ("employee_medical", "resident_medical", "pension", "unemployment", "work_injury",
              "fund")


def _member(pack: RulePack, registry: PlaceRegistry, rule_id: str, place: str, target: str,
            at: date) -> bool:
    """``place`` shares a zone of the rule in force at ``at`` with ``target`` (surely)."""
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None:
        return False
    for ref in rule.zones:
        if not ref.active(at):
            continue
        if (
            zone_logic.contains(registry, ref.zone, target, at) is True
            and zone_logic.contains(registry, ref.zone, place, at) is True
        ):
            return True
    return False


def timeline(
    situation: Situation, result: Evaluation, pack: RulePack, registry: PlaceRegistry, lang: str
) -> dict[str, Any] | None:
    """Contribution and deposit periods by city, as lanes of an SVG, with the months counted
    at the target (by the recognising rule's eligible decision) marked."""
    periods: list[dict[str, Any]] = []
    for p in situation.insurance or ():
        periods.append({"kind": p.scheme, "place": p.place, "start": p.from_, "end": p.to,
                        "deemed": p.deemed})
    fund = situation.provident_fund
    for p in (fund.periods if fund is not None and fund.periods else ()):
        periods.append({"kind": "fund", "place": p.place, "start": p.from_, "end": p.to,
                        "deemed": False})
    as_of = result.as_of
    last = month_of(as_of)
    periods = [p for p in periods if p["start"] <= last]
    if not periods:
        return None
    target = situation.target
    eligible = {d.rule for d in result.decisions if d.status.value == "eligible"}
    for p in periods:
        p["end"] = min(p["end"] if p["end"] is not None else last, last)
        rule_id = RECOGNISING_RULE.get(p["kind"])
        p["recognised"] = bool(
            target is not None
            and rule_id in eligible
            and not p["deemed"]
            and _member(pack, registry, rule_id, p["place"], target, as_of)
        )
    target_city = registry.city_of(target) if target else None

    lanes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in periods:
        city = registry.city_of(p["place"]) or p["place"]
        lanes.setdefault((city, p["kind"]), []).append(p)
    first = min(p["start"] for p in periods)
    start = first - first % 12
    span = last - start + 1
    # Horizontal positions are percentages of the drawing's width, so the SVG stretches to any
    # screen while its text keeps its size; vertical ones are pixels.
    left, right, top, lane_h = 0.8, 0.8, 30, 44
    scale = (100.0 - left - right) / span

    def x(month: int) -> float:
        return round(left + (month - start) * scale, 3)

    city_start: dict[str, int] = {}
    for (city, _), items in lanes.items():
        first_here = min(p["start"] for p in items)
        city_start[city] = min(city_start.get(city, first_here), first_here)

    def lane_order(item: tuple[tuple[str, str], list[dict[str, Any]]]) -> tuple:
        city, kind = item[0]
        rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        return (city != target_city, city_start[city], city, rank)

    ordered = sorted(lanes.items(), key=lane_order)
    out_lanes = []
    for i, ((city, kind), items) in enumerate(ordered):
        y = top + i * lane_h
        months = count_months((p["start"], p["end"]) for p in items)
        recognised = count_months((p["start"], p["end"]) for p in items if p["recognised"])
        bars = []
        for p in sorted(items, key=lambda p: p["start"]):
            name = registry.name(p["place"], lang)
            bars.append(
                {
                    "x": x(p["start"]),
                    "w": max(round((p["end"] - p["start"] + 1) * scale, 3), 0.3),
                    "deemed": p["deemed"],
                    "recognised": p["recognised"],
                    "title": f"{name} {format_month(p['start'])} – {format_month(p['end'])}",
                    "place": p["place"],
                    "place_name": name,
                    "from": format_month(p["start"]),
                    "to": format_month(p["end"]),
                    "months": p["end"] - p["start"] + 1,
                }
            )
        strips = [
            {"x": x(lo), "w": max(round((hi - lo + 1) * scale, 3), 0.3)}
            for lo, hi in merge((p["start"], p["end"]) for p in items if p["recognised"])
        ]
        out_lanes.append(
            {
                "y": y,
                "city": city,
                "city_name": registry.name(city, lang),
                "kind": kind,
                "kind_name": OPTION_WORDS.get(kind, (kind, kind))[1 if lang == "en" else 0],
                "months": months,
                "recognised": recognised,
                "bars": bars,
                "strips": strips,
                "is_target": city == target_city,
            }
        )
    # few enough year labels to stay apart on a phone
    step = 1 if span <= 6 * 12 else 2 if span <= 14 * 12 else 5 if span <= 40 * 12 else 10
    ticks = []
    for year in range(start // 12, last // 12 + 1):
        if year % step == 0:
            # the label is drawn right of its line: none too close to the right edge
            ticks.append({"x": x(year * 12), "label": str(year) if x(year * 12) < 93 else ""})
    height = top + len(out_lanes) * lane_h + 6
    return {
        "height": height,
        "lanes": out_lanes,
        "ticks": ticks,
        "as_of_x": x(last + 1),
        "as_of": format_month(last),
        "target_name": registry.name(target, lang) if target else None,
        "any_recognised": any(p["recognised"] for p in periods),
        "has_insurance": any(p["kind"] != "fund" for p in periods),
        "has_fund": any(p["kind"] == "fund" for p in periods),
        "has_deemed": any(p["deemed"] for p in periods),
    }


# --- decisions for people ------------------------------------------------------------------------

STATUS_WORDS = {
    "eligible": ("✔", "符合", "eligible"),
    "ineligible": ("✘", "不符合", "ineligible"),
    "undetermined": ("?", "待定", "undetermined"),
    "not_applicable": ("–", "不适用", "not applicable"),
}


_WORDED = frozenset({"scheme", "kind", "sex", "employment"})


def _is_place(registry: PlaceRegistry, value: Any) -> bool:
    return isinstance(value, str) and len(value) == 6 and value.isdigit() and value in registry


def show_value(registry: PlaceRegistry, key: str, value: Any, lang: str) -> str:
    """A fact or outcome value in words: places named, months also in years, lists joined."""
    en = lang == "en"
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
        return "; ".join(show_value(registry, key, v, lang) for v in value)
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
            {"key": k, "label": labels.get(k, k), "value": show_value(registry, k, v, lang)}
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


# --- words of the page ---------------------------------------------------------------------------

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
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(field_id=field_id, option_label=_option_label, lists=LISTS,
                       sections=SECTIONS, fund_fields=FUND_FIELDS, version=__version__)
    return env


# --- the routes ----------------------------------------------------------------------------------


def page_router(pack: RulePack, registry: PlaceRegistry, max_body: int) -> APIRouter:
    from tongcheng.service.app import PayloadTooLarge, read_body

    env = make_environment()
    services: dict[str, Any] = {}
    for item in getattr(pack, "services", ()):
        services.setdefault(item.id, item.name)
    env.globals["services"] = services  # the pack's one-stop service items, for the picker
    template = env.get_template("page.html")
    router = APIRouter(include_in_schema=False)

    def display_places(state: FormState) -> None:
        """Show each resolved place as names and code, so the person sees what was understood."""

        def pretty(raw: str) -> str:
            code, message = resolve_place(registry, raw) if raw.strip() else (None, "")
            if message or code is None or code not in registry:
                return raw
            return place_label(registry.get(code))

        for name, value in state.values.items():
            if SCALAR_FIELDS[name].kind == "place":
                state.values[name] = pretty(value)
        for path, rows in state.rows.items():
            places = [f.name for f in LIST_BY_PATH[path].fields if f.kind == "place"]
            for row in rows:
                for name in places:
                    if name in row:
                        row[name] = pretty(row[name])

    def render(
        state: FormState,
        *,
        problems: list[Problem] = (),  # type: ignore[assignment]
        result: Evaluation | None = None,
        situation: Situation | None = None,
        failure: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        lang = state.lang
        words = WORDS[lang]
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(p.path, []).append(p.message)
        context: dict[str, Any] = {
            "lang": lang,
            "w": words,
            "state": state,
            "problems": [
                {"path": p.path, "message": p.message, "id": _problem_target(p.path, state)}
                for p in problems
            ],
            "errors": errors,
            "pack": pack.info,
            "failure": failure,
        }
        if result is not None and situation is not None:
            decisions = decisions_view(result, registry, lang)
            counts = {k: 0 for k in STATUS_WORDS}
            for d in decisions:
                counts[d["status"]] += 1
            context.update(
                result=result,
                decisions=decisions,
                counts=words["counts"].format(**counts),
                questions=[
                    {
                        "path": q.path,
                        "question": question_for(q.path, lang),
                        "id": _problem_target(q.path, state),
                        "settles": [result.decision(r).title.get(lang) for r in q.rules],
                    }
                    for q in result.questions
                ],
                timeline=timeline(situation, result, pack, registry, lang),
            )
        return HTMLResponse(template.render(**context), status_code=status)

    @router.get("/", response_class=HTMLResponse)
    def page(lang: str = "zh") -> HTMLResponse:
        return render(FormState.blank(lang if lang in LANGS else "zh"))

    @router.post("/", response_class=HTMLResponse)
    async def submit(request: Request) -> HTMLResponse:
        try:
            raw = await read_body(request, max_body)
        except PayloadTooLarge as exc:
            state = FormState.blank()
            return render(state, problems=[Problem("", str(exc))], status=413)
        text = raw.decode("utf-8", errors="replace")
        state, op = FormState.from_pairs(parse_qsl(text, keep_blank_values=True))
        if not state.apply(op):
            return render(state)
        state.compact()
        data, problems = situation_from_form(state, registry)
        situation = None
        try:
            situation = parse_situation(data, registry=registry)
        except SituationError as exc:
            seen = {p.path for p in problems}
            problems += [p for p in exc.problems if p.path not in seen]
        if problems or situation is None:
            display_places(state)
            return render(state, problems=problems, status=422)
        try:
            result = evaluate_pack(pack, situation, registry=registry)
        except (RuleConflict, RuleError) as exc:
            return render(state, failure=str(exc), status=409)
        state.evaluated = True
        display_places(state)
        return render(state, result=result, situation=situation)

    return router


def _problem_target(path: str, state: FormState) -> str:
    """The id of the field a problem or question is about (its list's section when the field
    does not exist yet)."""
    if path in SCALAR_FIELDS:
        return field_id(path)
    m = re.match(r"^(?P<list>[a-z_.]+)\[(?P<i>\d+)\](?:\.(?P<field>[a-z_]+))?", path)
    if m and m["list"] in LIST_BY_PATH:
        if m["field"]:
            return field_id(path)
        return "list-" + LIST_BY_PATH[m["list"]].key
    if path in LIST_BY_PATH:
        return "list-" + LIST_BY_PATH[path].key
    head = path.split(".")[0].split("[")[0]
    if head == "person":
        return "section-person"
    if head == "provident_fund":
        return "section-fund"
    if head in ("target", "as_of", "request"):
        return "section-where"
    return "f-extra"  # facts the form has no field for go in the JSON box
