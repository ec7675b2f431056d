"""Lint of a pack's expressions: facts compared with words they can never hold, place codes the
registry does not know, parameter fields some value lacks, ``city(...)`` compared with a county,
and ``monotonic`` declarations naming paths verify cannot vary (see ``lint``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tongcheng.consistency import analysis
from tongcheng.consistency.facts import Kind, field_path_kind
from tongcheng.consistency.pack_lines import PackLines, finding
from tongcheng.consistency.report import Finding
from tongcheng.expr import ast
from tongcheng.pack.model import Clause, Rule, RulePack
from tongcheng.places import PlaceRegistry

_CODE = re.compile(r"^\d{6}$")


class _Types:
    """What an expression of a rule denotes, as far as lint needs: a situation fact (its kind),
    a parameter's value (its id), a field of a parameter value, or nothing known."""

    def __init__(self, rule: Rule) -> None:
        self.lets = {c.name: c.expr for c in rule.lets}
        self.cache: dict[str, Any] = {}

    def of(self, node: ast.Node, env: dict[str, Any] | None = None) -> Any:
        env = env or {}
        match node:
            case ast.Name(name=n):
                if n in env:
                    return env[n]
                if n in self.lets:
                    if n not in self.cache:
                        self.cache[n] = None  # a cycle is refused by the loader
                        self.cache[n] = self.of(self.lets[n])
                    return self.cache[n]
                kind = field_path_kind((n,))
                return ("fact", kind) if kind else None
            case ast.Attr(obj=o, name=n):
                base = self.of(o, env)
                if isinstance(base, tuple) and base[0] == "fact" and base[1] is not None:
                    kind: Kind = base[1]
                    while kind.name == "list" and kind.elem is not None:
                        kind = kind.elem
                    if kind.name == "model" and kind.model is not None:
                        from tongcheng.consistency.facts import field_kind, fields

                        fs = fields(kind.model)
                        if n in fs:
                            return ("fact", field_kind(fs[n]))
                if isinstance(base, tuple) and base[0] == "param":
                    return ("param_field", base[1], n)
                return None
            case ast.Filter(obj=o):
                return self.of(o, env)
            case ast.Call(func="param", args=args) if args and isinstance(args[0], ast.Literal):
                return ("param", str(args[0].value))
            case ast.Call(func="city"):
                return ("city", None)
            case ast.Call(func="running" | "latest", args=args) if args:
                return self.of(args[0], env)
            case ast.If(then=t, otherwise=o):
                a, b = self.of(t, env), self.of(o, env)
                return a if a == b else None
        return None

    def item_env(self, node: ast.Filter, env: dict[str, Any]) -> dict[str, Any]:
        base = self.of(node.obj, env)
        if isinstance(base, tuple) and base[0] == "fact" and base[1] is not None \
                and base[1].name == "list":
            return {**env, "item": ("fact", base[1].elem)}
        return {**env, "item": None}


def _walk_env(types: _Types, node: ast.Node, env: dict[str, Any]
              ) -> Iterator[tuple[ast.Node, dict[str, Any]]]:
    yield node, env
    if isinstance(node, ast.Filter):
        yield from _walk_env(types, node.obj, env)
        yield from _walk_env(types, node.cond, types.item_env(node, env))
        return
    for child in ast.children(node):
        yield from _walk_env(types, child, env)


def _param_values(pack: RulePack, pid: str) -> list[tuple[str, Any]]:
    prm = pack.parameters.get(pid)
    if prm is None:
        return []
    return [(place, v) for place, values in prm.places.items() for v in values]


def check_expressions(pack: RulePack, registry: PlaceRegistry) -> Iterator[Finding]:
    for rule in pack.rules:
        types = _Types(rule)
        for section in analysis.sections(rule):
            clause = section.clause
            for node, env in _walk_env(types, clause.expr, {}):
                yield from _check_node(pack, registry, rule, clause, types, node, env)


def _check_node(pack: RulePack, registry: PlaceRegistry, rule: Rule, clause: Clause,
                types: _Types, node: ast.Node, env: dict[str, Any]) -> Iterator[Finding]:
    line = analysis.expression_line(clause, node)
    loc = clause.location
    where, where_zh = _where(rule, clause)
    if isinstance(node, ast.Attr):
        t = types.of(node, env)
        if isinstance(t, tuple) and t[0] == "param_field":
            pid, field = t[1], t[2]
            lacking = sorted({place for place, v in _param_values(pack, pid)
                              if not (isinstance(v.value, dict) and field in v.value)})
            if lacking:
                yield finding(loc, "error", "unknown-parameter-field",
                              f"{where}: reads field {field!r} of parameter {pid}, but its "
                              f"values at {', '.join(lacking)} have no such field", line,
                              zh=f"{where_zh}:读取参数 {pid} 的字段 {field!r},但它在 "
                                 f"{'、'.join(lacking)} 的数值没有这个字段")
    if isinstance(node, ast.Call) and node.func == "pick" and len(node.args) == 2:
        record, key = types.of(node.args[0], env), types.of(node.args[1], env)
        if isinstance(record, tuple) and record[0] == "param" and isinstance(key, tuple) \
                and key[0] == "fact" and key[1] is not None and key[1].name == "literal":
            for place, v in _param_values(pack, record[1]):
                missing = [c for c in key[1].choices
                           if not (isinstance(v.value, dict) and c in v.value)]
                if missing:
                    yield finding(loc, "error", "unknown-parameter-field",
                                  f"{where}: picks a field of parameter {record[1]} by a fact "
                                  f"that can be {', '.join(map(repr, key[1].choices))}, but its "
                                  f"value at {place} (line {v.location.line}) has no "
                                  f"{', '.join(map(repr, missing))}", line,
                                  zh=f"{where_zh}:按一个可取 {'、'.join(map(repr, key[1].choices))}"
                                     f" 的事实选取参数 {record[1]} 的字段,但它在 {place} 的数值"
                                     f"(第 {v.location.line} 行)没有 "
                                     f"{'、'.join(map(repr, missing))}")
    if isinstance(node, ast.Compare):
        yield from _check_compare(registry, rule, clause, types, node, env, line)
    if isinstance(node, ast.Call) and node.func in ("member", "city", "in_zone", "shares_zone"):
        for arg in node.args[:1]:
            if isinstance(arg, ast.Literal) and isinstance(arg.value, str) \
                    and arg.value not in registry:
                yield finding(loc, "error", "unknown-value",
                              f"{where}: {arg.value!r} is not a place code the registry knows",
                              line, zh=f"{where_zh}:{arg.value!r} 不是地区名录中已知的地区代码")


def _where(rule: Rule, clause: Clause) -> tuple[str, str]:
    """``rule R, clause`` in English and Chinese (the clause's name quoted as code)."""
    return f"rule {rule.id}, {clause.name}", f"规则 {rule.id} 的 `{clause.name}`"


_LEVEL_ZH = {"province": "省", "city": "市", "county": "区县"}


def _check_compare(registry: PlaceRegistry, rule: Rule, clause: Clause, types: _Types,
                   node: ast.Compare, env: dict[str, Any], line: int | None
                   ) -> Iterator[Finding]:
    loc = clause.location
    where, where_zh = _where(rule, clause)
    pairs = [(node.left, node.right), (node.right, node.left)]
    for fact_node, other in pairs:
        t = types.of(fact_node, env)
        literals: list[str] = []
        if isinstance(other, ast.Literal) and isinstance(other.value, str):
            literals = [other.value]
        elif node.op == "in" and fact_node is node.left and isinstance(other, ast.ListLit):
            literals = [i.value for i in other.items
                        if isinstance(i, ast.Literal) and isinstance(i.value, str)]
        if not literals or not isinstance(t, tuple):
            continue
        described, described_zh = _describe_node(fact_node), _describe_node(fact_node, "zh")
        if t[0] == "fact" and t[1] is not None and t[1].name == "literal":
            choices = t[1].choices
            for word in literals:
                if word not in choices:
                    yield finding(loc, "error", "unknown-value",
                                  f"{where}: {described} is one of "
                                  f"{', '.join(map(str, choices))}; {word!r} never matches", line,
                                  zh=f"{where_zh}:{described_zh} 只能是 "
                                     f"{'、'.join(repr(str(c)) for c in choices)} 之一;{word!r} "
                                     "永远不会匹配")
        place_like = (t[0] == "fact" and t[1] is not None and t[1].name == "place") or \
            t[0] == "city"
        if place_like:
            for word in literals:
                if not _CODE.match(word) or word not in registry:
                    yield finding(loc, "error", "unknown-value",
                                  f"{where}: {described} is a place, and {word!r} is not a "
                                  "place code the registry knows", line,
                                  zh=f"{where_zh}:{described_zh} 是一个地区,而 {word!r} 不是地区"
                                     "名录中已知的地区代码")
                elif t[0] == "city" and registry.get(word).level != "city":
                    level = registry.get(word).level
                    yield finding(loc, "warning", "never-equal",
                                  f"{where}: {described} is always a city's code, and "
                                  f"{word} ({registry.name(word, 'en')}) is a {level}: they are "
                                  "never equal", line,
                                  zh=f"{where_zh}:{described_zh} 总是一个市的代码,而 {word}"
                                     f"({registry.name(word, 'zh')})是"
                                     f"{_LEVEL_ZH.get(level, level)}:两者永远不会相等")


def _describe_node(node: ast.Node, lang: str = "en") -> str:
    """What a compared expression is: its fact path, else its code (quoted in Chinese)."""
    text = _described(node)
    if lang != "zh" or (analysis.fact_path(node) and "." in text):
        return text
    return "该值" if text == "the value" else f"`{text}`"


def _described(node: ast.Node) -> str:
    path = analysis.fact_path(node)
    if path:
        return ".".join(path)
    if isinstance(node, ast.Attr):
        return f"{_described(node.obj)}.{node.name}"
    if isinstance(node, ast.Call):
        return f"{node.func}(...)"
    if isinstance(node, ast.Name):
        return node.name
    return "the value"


def check_monotonic(pack: RulePack, lines: PackLines) -> Iterator[Finding]:
    for rule in pack.rules:
        for field, paths in rule.monotonic.items():
            line = lines.rule_line(rule, "monotonic", field)
            for path in paths:
                kind = field_path_kind(tuple(path.split(".")))
                if kind is None:
                    yield finding(rule.location, "error", "unknown-fact-path",
                                  f"rule {rule.id}: monotonic {field}: {path!r} is not a path "
                                  "of the situation", line,
                                  zh=f"规则 {rule.id}:`monotonic` 中的 `{field}`:{path!r} 不是"
                                     "情形中的事实路径")
                    continue
                item = kind.elem.model if kind.name == "list" and kind.elem else None
                item_fields = item.model_fields if item else {}
                if not ("from_" in item_fields or "since" in item_fields
                        or kind.name in ("money", "count", "int")):
                    yield finding(rule.location, "warning", "monotonic-path",
                                  f"rule {rule.id}: monotonic {field}: {path} is neither a "
                                  "list of periods or permits nor a number; tongcheng verify "
                                  "cannot give it more months", line,
                                  zh=f"规则 {rule.id}:`monotonic` 中的 `{field}`:{path} 既不是"
                                     "期间或许可的列表,也不是数字;`tongcheng verify` 无法为它"
                                     "增加月数")
