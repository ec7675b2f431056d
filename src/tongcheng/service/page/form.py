"""What the person typed (``FormState``) and the situation it describes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from tongcheng.errors import Problem, SituationError
from tongcheng.places import PlaceRegistry
from tongcheng.service.deps import load_json
from tongcheng.service.page.fields import (
    LANGS,
    LIST_BY_PATH,
    LISTS,
    MAX_ROWS,
    ROW_NAME,
    SCALAR_FIELDS,
    Field,
    field_id,
)
from tongcheng.service.page.places import resolve_place

_INDEX = re.compile(r"[0-9]{1,3}")

# --- form state ----------------------------------------------------------------------------------


@attrs.define
class FormState:
    """What the person typed, as strings, ready to be shown again."""

    lang: str = "zh"
    values: dict[str, str] = attrs.field(factory=dict)
    rows: dict[str, list[dict[str, str]]] = attrs.field(factory=dict)
    none: set[str] = attrs.field(factory=set)
    extra: str = ""
    case: str = ""  # a case pasted or loaded from a file, to import
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
            elif name == "_case":
                state.case = value
            elif name.startswith("_none.") and name[6:] in LIST_BY_PATH:
                state.none.add(name[6:])
            elif name in SCALAR_FIELDS:
                state.values[name] = value
            elif m := ROW_NAME.match(name):
                spec = LIST_BY_PATH.get(m["list"])
                if spec is None or m["field"] not in {f.name for f in spec.fields}:
                    continue
                rows = indexed.setdefault(spec.path, {})
                if int(m["index"]) in rows or len(rows) < MAX_ROWS:
                    rows.setdefault(int(m["index"]), {})[m["field"]] = value
        for path, rows in indexed.items():
            state.rows[path] = [rows[i] for i in sorted(rows)]
        return state, op

    @classmethod
    def from_situation(cls, data: Mapping[str, Any], lang: str = "zh") -> FormState:
        """The form showing a situation (``Situation.to_dict()``): every fact in its field;
        anything the form has no field for goes to the JSON box."""
        state = cls(lang=lang)
        rest = json.loads(json.dumps(data, default=str))  # a copy to take facts from
        for name, field in SCALAR_FIELDS.items():
            value = _take(rest, name)
            if value is not None:
                state.values[name] = _as_text(value, field)
        for spec in LISTS:
            items = _take(rest, spec.path)
            if not isinstance(items, list):
                continue
            if not items:
                state.none.add(spec.path)
            state.rows[spec.path] = [
                {f.name: _as_text(item[f.name], f) for f in spec.fields
                 if isinstance(item, dict) and item.get(f.name) is not None}
                for item in items
            ]
        _prune(rest)
        if rest:
            state.extra = json.dumps(rest, ensure_ascii=False)
        return state

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
            if _INDEX.fullmatch(index) and int(index) < len(rows):  # not ² or ①
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


def _take(data: dict[str, Any], path: str) -> Any:
    """Remove and return the value at a dotted path (None when absent)."""
    *heads, last = path.split(".")
    for head in heads:
        data = data.get(head)
        if not isinstance(data, dict):
            return None
    return data.pop(last, None)


def _prune(data: dict[str, Any]) -> None:
    """Drop mappings left empty once their facts went to fields."""
    for key in list(data):
        if isinstance(data[key], dict):
            _prune(data[key])
            if not data[key]:
                del data[key]


def _as_text(value: Any, field: Field) -> str:
    if field.kind == "check":
        return "on" if value is True else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
) -> Any:
    text = raw.strip()
    if field.kind == "check":
        return True if text in ("on", "true", "1") else None
    if not text:
        return None
    if field.kind == "place":
        code, message = resolve_place(registry, text, "en")
        if message:  # worded again in Chinese only when the place cannot be chosen
            problems.append(Problem(path, message, resolve_place(registry, text, "zh")[1]))
        return code
    if field.kind == "money":
        return _number(text, whole=False)
    if field.kind in ("count", "grade"):
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
        value = _convert(registry, field, name, raw, problems)
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
                value = _convert(registry, field, path, raw, problems)
                if value is not None:
                    item[field.name] = value
            items.append(item)
        _put(data, spec.path, items)
    if state.extra.strip():
        extra, problem = _extra_facts(state.extra)
        if problem:
            problems.append(problem)
        else:
            _merge(data, extra)
    return data, problems


def _extra_facts(text: str) -> tuple[dict[str, Any], Problem | None]:
    """Further facts typed as JSON (those the form has no field for), read as a request body
    is (no duplicate keys, no NaN, no lone surrogates)."""
    try:
        value = load_json(text.encode("utf-8", "backslashreplace"))
    except SituationError as exc:
        first = exc.problems[:3]
        return {}, Problem("_extra", "; ".join(p.text("en") for p in first),
                           ";".join(p.text("zh") for p in first))
    if not isinstance(value, dict):
        return {}, Problem("_extra",
                           "expected a JSON object of situation keys, e.g. {\"results\": []}",
                           "应为情形各项的 JSON 对象,例如 {\"results\": []}")
    return value, None


def _merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Facts from the JSON box join the form's; for a key in both, the JSON's value wins
    (mappings such as ``person`` are merged key by key)."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def problem_target(path: str, state: FormState) -> str:
    """The id of the field a problem or question is about (its list's section when the field
    does not exist yet)."""
    if path in SCALAR_FIELDS:
        return field_id(path)
    if path == "_case":
        return "f-case"
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
    if head == "project":
        return "section-project"
    if head in ("target", "as_of", "request"):
        return "section-where"
    return "f-extra"  # facts the form has no field for go in the JSON box
