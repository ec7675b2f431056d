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
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date

import attrs
from pydantic import BaseModel

from tongcheng.expr import ast
from tongcheng.expr.functions import CATALOGUE
from tongcheng.months import parse_month


@attrs.frozen
class T:
    """A static type, just precise enough to check names: a record, a list of records, or other."""

    kind: str  # model | list | scalar | param | service | any
    model: type[BaseModel] | None = None
    elem: T | None = None


ANY = T("any")  # not known here, because a problem was already reported: stay quiet
SCALAR = T("scalar")  # a plain value: no fields
PARAM = T("param")  # a parameter's value: a number, or a record whose fields lint checks
SERVICE = T("service")  # a one-stop service item of the pack
SERVICE_FIELDS = ("id", "zone", "channel")

# Functions whose result has the type of their first argument.
_SAME_AS_ARG = {"running", "latest"}
# Functions whose first argument is a place; a literal there must be a known code.
_PLACE_FIRST = {"city", "member", "in_zone", "shares_zone", "service_items"}
MAX_DECIMALS = 10
"""``round_down``'s second argument: a whole number from 0 to this."""
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PlaceCheck = Callable[[object], "str | None"]  # a literal place code -> problem, or None


def join(a: T, b: T) -> T:
    """The type of a value that is ``a`` or ``b`` (the two branches of ``if``)."""
    if a == b or b.kind == "any":
        return a
    if a.kind == "any":
        return b
    if {a.kind, b.kind} == {"param", "scalar"}:  # a parameter's value, or a plain one
        return PARAM
    if a.kind == b.kind == "list":
        return T("list", elem=join(a.elem or ANY, b.elem or ANY))
    return T("mixed")


def describe(t: T) -> str:
    if t.kind == "list":
        return "a list"
    if t.kind == "mixed":
        return "a value whose kind depends on the branch taken"
    return "a plain value (a number, text, a date or a truth value)"


def type_of(annotation: typing.Any) -> T:
    """The static type of a pydantic field annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return type_of(inner[0]) if len(inner) == 1 else ANY
    if origin in (list, tuple, typing.Sequence):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return T("list", elem=type_of(args[0]) if args else ANY)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return T("model", model=annotation)
    return SCALAR


def fields_of(model: type[BaseModel]) -> dict[str, T]:
    """Field names as rules write them (aliases such as ``from``) and their types."""
    out = {}
    for name, info in model.model_fields.items():
        out[info.alias or name] = type_of(info.annotation)
    return out


@attrs.frozen
class Problem:
    pos: ast.Pos
    message: str


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

    def _err(self, node: ast.Node, message: str) -> T:
        self.problems.append(Problem(node.pos, message))
        return ANY

    def _t(self, node: ast.Node, env: dict[str, T]) -> T:
        match node:
            case ast.Literal():
                return SCALAR
            case ast.If(cond=c, then=t, otherwise=o):
                self._t(c, env)
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
                return self._err(node, f"unknown name {n!r}; known names: {', '.join(known)}")
            case ast.Attr(obj=o, name=n):
                return self._attr(node, self._t(o, env), n)
            case ast.Filter(obj=o, cond=c):
                base = self._t(o, env)
                if base.kind not in ("list", "any"):
                    return self._err(node, "only lists can be filtered with [...]")
                self._t(c, {**env, "item": base.elem or ANY})
                return base
            case ast.Call(func=f, args=args, kwargs=kwargs):
                return self._call(node, f, args, kwargs, env)
        for child in ast.children(node):
            self._t(child, env)
        return SCALAR

    def _attr(self, node: ast.Node, base: T, n: str) -> T:
        if n.startswith("_"):
            return self._err(node, f"no field is named {n!r} (fields never start with '_')")
        if base.kind == "model" and base.model is not None:
            fields = fields_of(base.model)
            if n not in fields:
                return self._err(
                    node,
                    f"{base.model.__name__} has no field {n!r}; "
                    f"its fields: {', '.join(sorted(fields))}",
                )
            return fields[n]
        if base.kind == "list":
            return self._err(node, f"cannot take .{n} of a list; filter it or count it")
        if base.kind == "param":
            return PARAM
        if base.kind == "service":
            if n not in SERVICE_FIELDS:
                return self._err(node, f"a service item has no field {n!r}; its fields: "
                                 f"{', '.join(SERVICE_FIELDS)}")
            return SCALAR
        if base.kind == "any":
            return ANY
        return self._err(node, f"cannot take .{n} of {describe(base)}: only situation "
                         "records, parameter values and service items have fields")

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
                self._err(node, f'date("{text}"): not a calendar date as YYYY-MM-DD ({e})')
        if f == "month" and isinstance(first, ast.Literal):
            try:
                if not isinstance(text, str):
                    raise ValueError(f"expected a month as YYYY-MM, got {first.value!r}")
                parse_month(text)
            except ValueError as e:
                self._err(node, f"month(): {e}")
        places = [first] if f in _PLACE_FIRST and first is not None else []
        places += [v for k, v in kwargs if k == "place"]
        for p in places:
            if isinstance(p, ast.Literal) and self.places is not None:
                problem = self.places(p.value)
                if problem:
                    self._err(node, f"{f}(): {problem}")
        if f == "round_down" and len(args) == 2:
            d = args[1]
            if not (isinstance(d, ast.Literal) and isinstance(d.value, int)
                    and not isinstance(d.value, bool) and 0 <= d.value <= MAX_DECIMALS):
                self._err(node, "round_down() needs the number of decimals as a whole number "
                          f"from 0 to {MAX_DECIMALS} written in the rule")
        if f == "age" and any(isinstance(a, ast.Literal) and a.value is not None for a in args):
            self._err(node, 'age() takes dates: write date("YYYY-MM-DD") for a fixed one')

    def _call(self, node: ast.Call, f: str, args, kwargs, env) -> T:
        spec = CATALOGUE.get(f)
        if spec is None:
            return self._err(
                node, f"unknown function {f!r}; functions: {', '.join(sorted(CATALOGUE))}"
            )
        n = len(args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            want = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else f"{spec.min_args} or more"
                if spec.max_args is None
                else f"{spec.min_args} to {spec.max_args}"
            )
            self._err(node, f"{f}() takes {want} positional argument(s), got {n}")
        for k, _ in kwargs:
            if k not in spec.kwargs:
                allowed = ", ".join(spec.kwargs) or "none"
                self._err(node, f"{f}() has no argument {k!r} (keyword arguments: {allowed})")
        if spec.literal_first and args:
            first = args[0]
            if not (isinstance(first, ast.Literal) and isinstance(first.value, str)):
                self._err(node, f"{f}() needs a quoted literal as its first argument")
            elif f in ("param", "declared") and first.value not in self.parameters:
                self._err(node, f"unknown parameter {first.value!r}: declare it under parameters/")
        if f in ("in_zone", "shares_zone") and len(args) == 2:
            z = args[1]
            if not (isinstance(z, ast.Literal) and z.value in self.zones):
                self._err(node, f"{f}() needs a zone id of zones.yaml as its second argument")
        self._literals(node, f, args, kwargs)
        types_ = [self._t(a, env) for a in args]
        for _, value in kwargs:
            self._t(value, env)
        if f in _SAME_AS_ARG and types_:
            return types_[0]
        if f == "param":
            return PARAM
        if f == "pick":
            if types_ and types_[0].kind not in ("param", "any"):
                self._err(node, f"pick() reads a field of a parameter's value, not of "
                          f"{describe(types_[0])}")
            return PARAM
        if f in ("min", "max") and any(t.kind == "param" for t in types_):
            return PARAM
        if f == "service_items":
            return T("list", elem=SERVICE)
        if f == "places":
            return T("list", elem=SCALAR)
        return SCALAR


def check(
    node: ast.Node,
    *,
    roots: Mapping[str, T],
    lets: Mapping[str, T],
    parameters: frozenset[str],
    zones: frozenset[str],
    places: PlaceCheck | None = None,
) -> tuple[T, list[Problem]]:
    checker = Checker(roots, lets, parameters, zones, places)
    t = checker.check(node)
    return t, checker.problems


def let_names(node: ast.Node) -> set[str]:
    """Names an expression uses (for ordering definitions and finding cycles)."""
    return {n.name for n in ast.walk(node) if isinstance(n, ast.Name)}
