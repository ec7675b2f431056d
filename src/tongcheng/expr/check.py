"""Static checks of an expression against the situation vocabulary and the pack.

Run at load time so a typo in a rule (``person.sexx``, ``parm(...)``, an undeclared parameter)
fails the pack with file and line, not a caseworker's query months later.

Every expression is typed, just precisely enough that a field is read only where the record
is known: a situation record (its declared fields only), a parameter value (its fields are
checked by lint against the values), a service item (``id``, ``zone``, ``channel``). Anything
else — a number, a branch of ``if`` whose two sides differ — has no fields, so no rule text can
reach past the vocabulary into the objects behind it. Literals whose meaning is fixed at load
are checked at load too: ``date("2023-02-29")``, ``month("2020-13")``, ``city("999999")``,
``round_down(x, 100)``.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from datetime import date

import attrs
from pydantic import BaseModel

from tongcheng import wording as W
from tongcheng.expr import ast, kinds
from tongcheng.expr.functions import CATALOGUE
from tongcheng.scalars import month_problem
from tongcheng.situation.kinds import Kind, field_kind, fields, kind_of


@attrs.frozen
class T:
    """A static type, just precise enough to check names: a record, a list of records, or other."""

    kind: str  # model | list | scalar | months | by_place | param | service | any
    model: type[BaseModel] | None = None
    elem: T | None = None
    value: str | None = None  # of a scalar: its kind (expr.kinds), where known


def plain(kind: str | None) -> T:
    """A plain value of this kind (``expr.kinds``)."""
    return T("scalar", value=kind)


ANY = T("any")  # not known here, because a problem was already reported: stay quiet
SCALAR = T("scalar")  # a plain value of a kind not known here: no fields
MONTHS = T("months")  # months(...): a set of months
BY_PLACE = T("by_place")  # months_by_place(...): months counted per place
PARAM = T("param")  # a parameter's value: a number, or a record whose fields lint checks
SERVICE = T("service")  # a one-stop service item of the pack
SERVICE_FIELDS = ("id", "zone", "channel")

# Functions whose first argument is a place; a literal there must be a known code.
_PLACE_FIRST = {"city", "member", "in_zone", "shares_zone", "service_items"}
MAX_DECIMALS = 10
"""``round_down``'s second argument: a whole number from 0 to this."""
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# a literal place code -> its problem (English, Chinese), or None
PlaceCheck = Callable[[object], "tuple[str, str] | None"]


def join(a: T, b: T) -> T:
    """The type of a value that is ``a`` or ``b`` (the two branches of ``if``)."""
    if a == b or b.kind == "any":
        return a
    if a.kind == "any":
        return b
    if {a.kind, b.kind} == {"param", "scalar"}:  # a parameter's value, or a plain one
        return PARAM
    if a.kind == b.kind == "scalar":  # (null beside a kind: a value of that kind, or none)
        return a if b.value == kinds.NONE else b if a.value == kinds.NONE else SCALAR
    if a.kind == b.kind == "list":
        return T("list", elem=join(a.elem or ANY, b.elem or ANY))
    return T("mixed")


def describe(t: T, lang: str = "en") -> str:
    """What a value is, in words of ``lang`` (a record's model named as it is)."""
    zh = lang == "zh"
    if t.kind == "list":
        if t.elem is not None and t.elem.kind == "model" and t.elem.model is not None:
            name = t.elem.model.__name__
            return f"列表({name} 记录)" if zh else f"a list of {name}"
        return "列表" if zh else "a list"
    if t.kind == "model" and t.model is not None:
        return f"记录({t.model.__name__})" if zh else f"a record ({t.model.__name__})"
    if t.kind == "scalar" and t.value is not None:
        return (kinds.WORDS_ZH if zh else kinds.WORDS)[t.value]
    en, zh_words = _KIND_WORDS.get(t.kind, _PLAIN)
    return zh_words if zh else en


_KIND_WORDS = {
    "mixed": ("a value whose kind depends on the branch taken", "随所走分支而类型不同的值"),
    "months": ("a set of months (months(...))", "月份集合(months(...))"),
    "by_place": ("months counted per place (months_by_place(...))",
                 "按地区计的月份(months_by_place(...))"),
    "service": ("a service item", "政务服务事项"),
}
_PLAIN = ("a plain value (a number, text, a date or a truth value)",
          "普通的值(数、文本、日期或真假值)")


def shape(t: T) -> str | None:
    """What a value is, where the tree says it: a plain value's kind, or ``list``, ``model``,
    ``months``…; None for a parameter's value or anything not known."""
    if t.kind == "scalar":
        return t.value
    return None if t.kind in ("any", "param", "mixed") else t.kind


def type_of(annotation: typing.Any) -> T:
    """The static type of a pydantic field annotation."""
    return _of_kind(kind_of(annotation))


def _of_kind(kind: Kind) -> T:
    if kind.name == "list":
        return T("list", elem=_of_kind(kind.elem) if kind.elem is not None else ANY)
    if kind.name == "model":
        return T("model", model=kind.model)
    return plain(kinds.of_field(kind.name))


def fields_of(model: type[BaseModel]) -> dict[str, T]:
    """Field names as rules write them (aliases such as ``from``) and their types."""
    return {name: _of_kind(field_kind(info)) for name, info in fields(model).items()}


@attrs.frozen
class Problem:
    """A problem of an expression at ``pos`` inside its text, in English and Chinese."""

    pos: ast.Pos
    message: str
    zh: str


@attrs.define
class Checker:
    roots: Mapping[str, T]
    lets: Mapping[str, T]
    parameters: frozenset[str]
    zones: frozenset[str]
    places: PlaceCheck | None = None
    problems: list[Problem] = attrs.field(factory=list)

    def check(self, node: ast.Node) -> T:
        return self._t(node, {})

    def _err(self, node: ast.Node, message: str, zh: str) -> T:
        self.problems.append(Problem(node.pos, message, zh))
        return ANY

    def truth(self, node: ast.Node) -> T:
        """Check an expression that must give a truth value (a condition, a scope)."""
        t = self.check(node)
        self._want(node, t, {kinds.TRUTH}, "a condition", "条件")
        return t

    def _want(self, node: ast.Node, t: T, allowed: set[str] | frozenset[str], what: str,
              what_zh: str | None = None) -> None:
        """Refuse a value whose kind is known and not among ``allowed``; ``what`` needs it
        (``what_zh``: its Chinese, where it is not an operator or a call written as is)."""
        got = shape(t)
        if got is not None and got not in allowed:
            wanted = " or ".join(kinds.WORDS.get(a) or _SHAPES[a][0] for a in sorted(allowed))
            wanted_zh = "或".join(kinds.WORDS_ZH.get(a) or _SHAPES[a][1] for a in sorted(allowed))
            said = what_zh or what
            gap = " " if said[-1].isascii() else ""  # '+' 需要…, 条件需要…
            self._err(node, f"{what} needs {wanted}, got {describe(t)}",
                      f"{said}{gap}需要{wanted_zh},实际为{describe(t, 'zh')}")

    def _t(self, node: ast.Node, env: dict[str, T]) -> T:
        match node:
            case ast.Literal(value=value):
                return plain(kinds.of_literal(value))
            case ast.If(cond=c, then=t, otherwise=o):
                self._want(c, self._t(c, env), {kinds.TRUTH}, "if()", "if 的条件")
                return join(self._t(t, env), self._t(o, env))
            case ast.ListLit(items=items):
                elem = ANY
                for item in items:
                    elem = join(elem, self._t(item, env))
                return T("list", elem=elem)
            case ast.Name(name=n):
                if n in env:
                    return env[n]
                if n in self.lets:
                    return self.lets[n]
                if n in self.roots:
                    return self.roots[n]
                known = sorted({*env, *self.lets, *self.roots})
                return self._err(node, f"unknown name {n!r}; known names: {', '.join(known)}",
                                 f"未知的名称 {n!r};已知的名称:{', '.join(known)}")
            case ast.Attr(obj=o, name=n):
                return self._attr(node, self._t(o, env), n)
            case ast.Filter(obj=o, cond=c):
                base = self._t(o, env)
                if base.kind not in ("list", "any"):
                    return self._err(node, "only lists can be filtered with [...]",
                                     "只有列表可以用 [...] 筛选")
                self._want(c, self._t(c, {**env, "item": base.elem or ANY}), {kinds.TRUTH},
                           "a filter", "筛选条件")
                return base
            case ast.Call(func=f, args=args, kwargs=kwargs):
                return self._call(node, f, args, kwargs, env)
            case ast.Compare(op=op, left=a, right=b):
                return self._compare(node, op, self._t(a, env), self._t(b, env))
            case ast.Arith(op=op, left=a, right=b):
                return self._arith(node, op, self._t(a, env), self._t(b, env))
            case ast.Negate(operand=o):
                self._want(node, self._t(o, env), {kinds.NUMBER}, "'-'")
                return plain(kinds.NUMBER)
            case ast.Not(operand=o):
                self._want(node, self._t(o, env), {kinds.TRUTH}, "'not'")
                return plain(kinds.TRUTH)
            case ast.And(operands=items) | ast.Or(operands=items):
                word = "'and'" if isinstance(node, ast.And) else "'or'"
                for item in items:
                    self._want(item, self._t(item, env), {kinds.TRUTH}, word)
                return plain(kinds.TRUTH)
        for child in ast.children(node):
            self._t(child, env)
        return SCALAR

    def _compare(self, node: ast.Compare, op: str, a: T, b: T) -> T:
        if op == "in":
            self._want(node, b, {"list"}, "'in'")
            elem = b.elem if b.kind == "list" and b.elem is not None else ANY
            self._want(node, elem, set(kinds.WORDS) - {kinds.NONE}, "'in'")
            self._equal(node, op, a, elem)
            return plain(kinds.TRUTH)
        if op not in ("==", "!="):
            for t in (a, b):
                self._want(node, t, kinds.ORDERED, f"'{op}'")
        self._equal(node, op, a, b)
        return plain(kinds.TRUTH)

    def _equal(self, node: ast.Node, op: str, a: T, b: T) -> None:
        """Refuse comparing values of kinds that are never equal: the comparison would be
        quietly false (``item.from == "2020-01"``: a month is not text)."""
        x, y = shape(a), shape(b)
        if x is None or y is None or x == y:
            return
        if x in kinds.WORDS and y in kinds.WORDS and kinds.may_equal(x, y):
            return
        hint = hint_zh = ""
        if {x, y} == {kinds.MONTH, kinds.TEXT}:
            hint, hint_zh = ' (write a month as month("YYYY-MM"))', '(月份请写作 month("YYYY-MM"))'
        elif {x, y} == {kinds.DATE, kinds.TEXT}:
            hint = ' (write a date as date("YYYY-MM-DD"))'
            hint_zh = '(日期请写作 date("YYYY-MM-DD"))'
        equality = op in ("==", "!=", "in")
        never = "never equal" if equality else "not ordered one by the other"
        never_zh = "永远不会相等" if equality else "彼此没有大小顺序"
        self._err(node, f"'{op}' compares {describe(a)} with {describe(b)}, which are "
                  f"{never}{hint}",
                  f"'{op}' 比较的是{describe(a, 'zh')}与{describe(b, 'zh')},"
                  f"两者{never_zh}{hint_zh}")

    def _arith(self, node: ast.Arith, op: str, a: T, b: T) -> T:
        for t in (a, b):
            self._want(node, t, kinds.COUNTED, f"'{op}'")
        ok, result = kinds.arith(op, shape(a), shape(b))
        if not ok:
            return self._err(node, f"'{op}' of {describe(a)} and {describe(b)}: months are "
                             "added to or taken from, or taken from each other",
                             f"不能对{describe(a, 'zh')}与{describe(b, 'zh')}做 '{op}':月份只能"
                             "加减月数,或两个月份相减")
        return plain(result)

    def _attr(self, node: ast.Node, base: T, n: str) -> T:
        if n.startswith("_"):
            return self._err(node, f"no field is named {n!r} (fields never start with '_')",
                             f"没有名为 {n!r} 的字段(字段名不以 '_' 开头)")
        if base.kind == "model" and base.model is not None:
            fields = fields_of(base.model)
            if n not in fields:
                return self._err(
                    node,
                    f"{base.model.__name__} has no field {n!r}; "
                    f"its fields: {', '.join(sorted(fields))}",
                    f"{base.model.__name__} 没有字段 {n!r};它的字段:{', '.join(sorted(fields))}",
                )
            return fields[n]
        if base.kind == "list":
            return self._err(node, f"cannot take .{n} of a list; filter it or count it",
                             f"不能取列表的 .{n};请先筛选或计数")
        if base.kind == "param":
            return PARAM
        if base.kind == "service":
            if n not in SERVICE_FIELDS:
                return self._err(node, f"a service item has no field {n!r}; its fields: "
                                 f"{', '.join(SERVICE_FIELDS)}",
                                 f"政务服务事项没有字段 {n!r};它的字段:{', '.join(SERVICE_FIELDS)}")
            return SCALAR
        if base.kind == "any":
            return ANY
        return self._err(node, f"cannot take .{n} of {describe(base)}: only situation "
                         "records, parameter values and service items have fields",
                         f"不能取{describe(base, 'zh')}的 .{n}:只有情形中的记录、参数的值和政务"
                         "服务事项才有字段")

    def _literals(self, node: ast.Call, f: str, args, kwargs) -> None:
        """Literal arguments whose meaning is fixed: checked now, not at evaluation."""
        first = args[0] if args else None
        text = first.value if isinstance(first, ast.Literal) else None
        if f == "date" and isinstance(text, str):
            try:
                if not _DATE.fullmatch(text):
                    raise ValueError("expected YYYY-MM-DD")
                date.fromisoformat(text)
            except ValueError as e:
                why = (W.impossible_date(text).zh if _DATE.fullmatch(text)
                       else f"应为 YYYY-MM-DD 格式的日期,实际为 {text!r}")
                self._err(node, f'date("{text}"): not a calendar date as YYYY-MM-DD ({e})',
                          f'date("{text}"):{why}')
        if f == "month" and isinstance(first, ast.Literal):
            if not isinstance(text, str):
                self._err(node, f"month(): expected a month as YYYY-MM, got {first.value!r}",
                          f"month():应为 YYYY-MM 格式的月份,实际为 {first.value!r}")
            elif (words := month_problem(text)) is not None:
                self._err(node, f"month(): {words.en}", f"month():{words.zh}")
        places = [first] if f in _PLACE_FIRST and first is not None else []
        places += [v for k, v in kwargs if k == "place"]
        for p in places:
            if isinstance(p, ast.Literal) and self.places is not None:
                problem = self.places(p.value)
                if problem:
                    self._err(node, f"{f}(): {problem[0]}", f"{f}():{problem[1]}")
        if f == "round_down" and len(args) == 2:
            d = args[1]
            if not (isinstance(d, ast.Literal) and isinstance(d.value, int)
                    and not isinstance(d.value, bool) and 0 <= d.value <= MAX_DECIMALS):
                self._err(node, "round_down() needs the number of decimals as a whole number "
                          f"from 0 to {MAX_DECIMALS} written in the rule",
                          "round_down() 的小数位数须在规则中直接写出,"
                          f"为 0 到 {MAX_DECIMALS} 的整数")
        if f == "age" and any(isinstance(a, ast.Literal) and a.value is not None for a in args):
            self._err(node, 'age() takes dates: write date("YYYY-MM-DD") for a fixed one',
                      'age() 只接受日期:固定的日期请写作 date("YYYY-MM-DD")')

    def _call(self, node: ast.Call, f: str, args, kwargs, env) -> T:
        spec = CATALOGUE.get(f)
        if spec is None:
            return self._err(
                node, f"unknown function {f!r}; functions: {', '.join(sorted(CATALOGUE))}",
                f"未知的函数 {f!r};可用的函数:{', '.join(sorted(CATALOGUE))}",
            )
        n = len(args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            low, high = spec.min_args, spec.max_args
            want, want_zh = (
                (str(low), f"接受 {low} 个") if low == high
                else (f"{low} or more", f"至少接受 {low} 个") if high is None
                else (f"{low} to {high}", f"接受 {low} 到 {high} 个")
            )
            self._err(node, f"{f}() takes {want} positional argument(s), got {n}",
                      f"{f}() {want_zh}位置参数,实际为 {n} 个")
        for k, _ in kwargs:
            if k not in spec.kwargs:
                allowed = ", ".join(spec.kwargs) or "none"
                allowed_zh = ", ".join(spec.kwargs) or "无"
                self._err(node, f"{f}() has no argument {k!r} (keyword arguments: {allowed})",
                          f"{f}() 没有参数 {k!r}(关键字参数:{allowed_zh})")
        if spec.literal_first and args:
            first = args[0]
            if not (isinstance(first, ast.Literal) and isinstance(first.value, str)):
                self._err(node, f"{f}() needs a quoted literal as its first argument",
                          f"{f}() 的第一个参数须是加引号的字面值")
            elif f in ("param", "declared") and first.value not in self.parameters:
                self._err(node, f"unknown parameter {first.value!r}: declare it under parameters/",
                          f"未知的参数 {first.value!r}:请在 parameters/ 下声明")
        if f in ("in_zone", "shares_zone") and len(args) == 2:
            z = args[1]
            if not (isinstance(z, ast.Literal) and z.value in self.zones):
                self._err(node, f"{f}() needs a zone id of zones.yaml as its second argument",
                          f"{f}() 的第二个参数须是 zones.yaml 中的区域编号")
        self._literals(node, f, args, kwargs)
        types_ = [self._t(a, env) for a in args]
        for key, value in kwargs:
            t = self._t(value, env)
            if key == "place":
                self._want(value, t, _places(value), f"{f}(place=...)")
            elif key == "at":
                self._want(value, t, {kinds.DATE}, f"{f}(at=...)")
        if len(types_) < spec.min_args:
            return ANY  # (reported above)
        return self._result(node, f, args, types_)

    def _result(self, node: ast.Call, f: str, args, types_: list[T]) -> T:
        """The type of a call's value, its arguments' kinds checked (``expr.functions``)."""
        first = types_[0] if types_ else ANY
        name = f"{f}()"
        match f:
            case "count" | "exists":
                self._want(node, first, {"list", "months"}, name)
                return plain(kinds.NUMBER if f == "count" else kinds.TRUTH)
            case "months" | "months_by_place":
                self._items(node, first, ("from", "since"), name, ("periods", "时段"))
                return MONTHS if f == "months" else BY_PLACE
            case "running" | "latest":
                self._items(node, first, ("from",), name,
                            ("periods with a first month", "有起始月份的时段"))
                return first
            case "consecutive_months":
                self._want(node, first, {"months"}, name)
                return plain(kinds.NUMBER)
            case "age":
                for t in types_:
                    self._want(node, t, {kinds.DATE}, name)
                return plain(kinds.NUMBER)
            case "city" | "member" | "in_zone" | "shares_zone" | "service_items":
                self._want(node, first, _places(args[0]), name)
                return {"city": plain(kinds.PLACE),
                        "service_items": T("list", elem=SERVICE)}.get(f, plain(kinds.TRUTH))
            case "param":
                return PARAM
            case "pick":
                if first.kind not in ("param", "any"):
                    self._err(node, f"pick() reads a field of a parameter's value, not of "
                              f"{describe(first)}",
                              f"pick() 读取参数值的字段,不能读取{describe(first, 'zh')}的字段")
                self._want(node, types_[1], {kinds.TEXT}, name)
                return PARAM
            case "places":
                self._items(node, first, ("place", "issuer"), name,
                            ("periods, cards or results", "时段、证件或结果"))
                return T("list", elem=plain(kinds.PLACE))
            case "min" | "max":
                return self._extreme(node, name, types_)
            case "round_down":
                self._want(node, first, {kinds.NUMBER}, name)
                return plain(kinds.NUMBER)
            case "declared" | "given":
                return plain(kinds.TRUTH)
            case "date":
                return plain(kinds.DATE)
            case "month":  # (text written in the rule is checked as a month above)
                if not isinstance(args[0], ast.Literal):
                    self._want(node, first, {kinds.DATE}, name)
                return plain(kinds.MONTH)
        return SCALAR

    def _items(self, node: ast.Node, t: T, fields: tuple[str, ...], name: str,
               what: tuple[str, str]) -> None:
        """A list whose items have one of ``fields`` (periods have ``from`` or ``since``);
        ``what`` they are, in English and Chinese."""
        self._want(node, t, {"list"}, name)
        elem = t.elem if t.kind == "list" else None
        if elem is None or shape(elem) is None:  # (items of a kind not known here)
            return
        if elem.kind != "model" or elem.model is None or not set(fields) & set(
                fields_of(elem.model)):
            self._err(node, f"{name} needs a list of {what[0]}, got {describe(t)}",
                      f"{name} 需要{what[1]}的列表,实际为{describe(t, 'zh')}")

    def _extreme(self, node: ast.Node, name: str, types_: list[T]) -> T:
        """min() and max(): of values of one kind, or of one list of them."""
        ordered = kinds.ORDERED | {kinds.PLACE}  # (the lowest code: one place, chosen alike)
        if len(types_) == 1 and types_[0].kind == "list":
            elem = types_[0].elem or ANY
            self._want(node, elem, ordered, name)
            return elem
        if any(t.kind == "param" for t in types_):
            return PARAM
        for t in types_:
            self._want(node, t, ordered, name)
        known = {shape(t) for t in types_} - {None}
        if known - ordered:
            return ANY  # (reported above)
        if len(known) > 1:
            return self._err(node, f"{name} needs values of one kind, got "
                             f"{', '.join(describe(t) for t in types_)}",
                             f"{name} 需要同一类的值,实际为"
                             f"{'、'.join(describe(t, 'zh') for t in types_)}")
        return plain(known.pop()) if known and all(shape(t) for t in types_) else SCALAR


_SHAPES = {"list": ("a list", "列表"), "months": ("months (months(...))", "月份集合(months(...))")}


def _places(node: ast.Node) -> frozenset[str]:
    """What may stand for a place: a code written in the rule (checked as a code) is text."""
    return kinds.PLACE_LIKE if isinstance(node, ast.Literal) else frozenset({kinds.PLACE})


def check(
    node: ast.Node,
    *,
    roots: Mapping[str, T],
    lets: Mapping[str, T],
    parameters: frozenset[str],
    zones: frozenset[str],
    places: PlaceCheck | None = None,
    truth: bool = False,
) -> tuple[T, list[Problem]]:
    """The expression's type and its problems; ``truth``: it must give a truth value."""
    checker = Checker(roots, lets, parameters, zones, places)
    t = checker.truth(node) if truth else checker.check(node)
    return t, checker.problems


def let_names(node: ast.Node) -> set[str]:
    """Names an expression uses (for ordering definitions and finding cycles)."""
    return {n.name for n in ast.walk(node) if isinstance(n, ast.Name)}
