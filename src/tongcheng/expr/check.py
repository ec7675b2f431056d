"""Static checks of an expression against the situation vocabulary and the pack.

Run at load time so a typo in a rule (``person.sexx``, ``parm(...)``, an undeclared parameter)
fails the pack with file and line, not a caseworker's query months later.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping

import attrs
from pydantic import BaseModel

from tongcheng.expr import ast
from tongcheng.expr.functions import CATALOGUE


@attrs.frozen
class T:
    """A static type, just precise enough to check names: a record, a list of records, or other."""

    kind: str  # model | list | scalar | any
    model: type[BaseModel] | None = None
    elem: T | None = None


ANY = T("any")
SCALAR = T("scalar")

# Functions whose result has the type of their first argument.
_SAME_AS_ARG = {"running", "latest"}


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
                base = self._t(o, env)
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
                return ANY
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
        types_ = [self._t(a, env) for a in args]
        for _, value in kwargs:
            self._t(value, env)
        if f in _SAME_AS_ARG and types_:
            return types_[0]
        return ANY


def check(
    node: ast.Node,
    *,
    roots: Mapping[str, T],
    lets: Mapping[str, T],
    parameters: frozenset[str],
    zones: frozenset[str],
) -> tuple[T, list[Problem]]:
    checker = Checker(roots, lets, parameters, zones)
    t = checker.check(node)
    return t, checker.problems


def let_names(node: ast.Node) -> set[str]:
    """Names an expression uses (for ordering definitions and finding cycles)."""
    return {n.name for n in ast.walk(node) if isinstance(n, ast.Name)}
