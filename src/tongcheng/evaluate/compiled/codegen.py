"""Python source generated from a rule's checked syntax trees: one function per clause.

Only the tree reaches the source: names of the closed vocabulary (fields, functions, roots, the
rule's definitions), operators from a fixed table, and literals rendered by ``repr`` (strings,
numbers, ``Decimal``). No rule text is ever pasted in, so the source is as safe as the tree.

Each function has the signature of the reference interpreter's closures, ``(frame, env)``, and
gives the same value: known values take straight-line Python (a comparison of two plain values
is one operator, ``and``/``or`` short-circuit on ``True``/``False``); a value that is unknown
or partly known (``Unknown``, ``Range``, ``Items`` with maybe-items) goes through the same
three-valued primitives the interpreter uses, so both say the same where facts are missing.

Sub-expressions that depend on the situation alone (a filter of a list, months of a list,
counts; no zone test, parameter or definition of the rule inside) are *shared*: computed once
per situation and evaluation, for every rule that has them (``runtime.shared``).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from tongcheng.evaluate import frame as frame_model
from tongcheng.evaluate import functions
from tongcheng.evaluate.compiled import decider
from tongcheng.expr import ast
from tongcheng.expr.check import ANY, T, fields_of
from tongcheng.pack.model import Clause, Rule

_OPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITH = frozenset({"+", "-", "*", "/"})
_PLAIN_LITERALS = (bool, int, Decimal, str, type(None))
# Functions whose value depends on the rule (its zones, where it is asked): never shared.
_RULE_BOUND = frozenset({"member", "shares_zone", "in_zone", "service_items", "param",
                         "declared"})
# Nodes worth sharing between rules (their value is a list, a month set or a count).
_SHAREABLE_CALLS = frozenset({"months", "months_by_place", "count", "consecutive_months",
                              "running", "latest", "places", "exists"})


def _root_types() -> dict[str, T]:
    from tongcheng.situation import Situation

    return fields_of(Situation)


@attrs.define
class RuleSource:
    """The generated module of one rule: its source, and which function runs which clause."""

    rule: str
    source: str
    functions: dict[int, str]  # id(clause.expr) -> function name
    constants: dict[str, Any]
    # the rule's decision functions, untraced and traced (``decider``), if it has them
    decider: tuple[str, str] | None = None


def clauses_of(rule: Rule) -> Iterator[tuple[str, Clause]]:
    """Every clause of a rule with what it is (for the comment above its function)."""
    if rule.place is not None:
        yield "place", rule.place
    for c in rule.lets:
        yield "let", c
    for c in rule.scope:
        yield "scope", c
    for c in rule.conditions:
        yield "condition", c
    for c in rule.outcome:
        yield "outcome", c
    for e in rule.exceptions:
        for c in e.applies:
            yield f"exception {e.label} applies", c
        for c in e.conditions or ():
            yield f"exception {e.label} condition", c
        for c in e.outcome:
            yield f"exception {e.label} outcome", c


def generate(rule: Rule) -> RuleSource:
    gen = _Gen(rule)
    for kind, clause in clauses_of(rule):
        gen.clause(kind, clause)
    decision = decider.decision_lines(rule, gen.by_clause, gen.constants, gen.constant_lines)
    shown = rule.id if re.fullmatch(r"[a-z0-9_.]+", rule.id) else repr(rule.id)
    head = [f"# rule {shown}: generated from its checked syntax trees (tongcheng compiled)"]
    head += [f"# {name}: {text[1:-1]}" if text.startswith("<") else f"{name} = {text}"
             for name, text in gen.constant_lines]
    source = "\n".join([*head, "", *gen.lines, *decision]) + "\n"
    return RuleSource(rule.id, source, gen.functions, gen.constants,
                      decider.NAMES if decision else None)


def _canon(node: ast.Node) -> str:
    """The tree without positions: the key of a shared value (equal trees, equal keys)."""
    match node:
        case ast.Literal(value=x):
            return f"{type(x).__name__}:{x!r}"
        case ast.Name(name=n):
            return n
        case ast.Attr(obj=o, name=n):
            return f"{_canon(o)}.{n}"
        case ast.Call(func=f, args=args, kwargs=kwargs):
            inner = [_canon(a) for a in args] + [f"{k}={_canon(x)}" for k, x in kwargs]
            return f"{f}({', '.join(inner)})"
        case ast.Compare(op=op, left=a, right=b) | ast.Arith(op=op, left=a, right=b):
            return f"({_canon(a)} {op} {_canon(b)})"
    parts = ", ".join(_canon(c) for c in ast.children(node))
    return f"{type(node).__name__}({parts})"


def _ident(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


class _Gen:
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.lets = frozenset(c.name for c in rule.lets)
        self.roots = _root_types()
        self.item_t: T = ANY  # the static type of ``item`` where a filter binds it
        self.lines: list[str] = []
        self.functions: dict[int, str] = {}
        self.constants: dict[str, Any] = {}
        self.constant_lines: list[tuple[str, str]] = []
        self.shared: dict[str, str] = {}  # canonical key -> function computing it
        self.n = 0
        self.k = 0
        self.by_clause: dict[int, str] = {}  # id of each clause -> its function

    def _tmp(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def clause(self, kind: str, clause: Clause) -> None:
        # named and found by clause: two clauses can hold one expression (a definition that is
        # a plain path is put in place of its name: ``when: d`` holds ``d``'s tree), and each
        # keeps its own function and constant (its name and label in the trace); ``functions``
        # (by expression: the runners the reference's loops call) may hold either
        name = f"{kind.split()[0]}_{len(self.by_clause)}"
        self.by_clause[id(clause)] = name
        self.functions[id(clause.expr)] = name
        self._function(name, clause.expr, frozenset(), f"{kind} {clause.name!r}")

    def _function(self, name: str, node: ast.Node, scope: frozenset[str], what: str) -> None:
        body: list[str] = []
        result = self._emit(node, scope, body, "    ")
        lines = [f"def {name}(frame, env):", f"    # {what}",
                 "    S = frame.situation", *body, f"    return {result}", ""]
        self.lines.extend(lines)

    # --- expressions: each appends statements to ``out`` and gives an expression --------------

    def _emit(self, node: ast.Node, scope: frozenset[str], out: list[str], ind: str) -> str:
        if not scope and self._shareable(node):
            return self._share(node, out, ind)
        method = getattr(self, f"_e_{type(node).__name__.lower()}")
        return method(node, scope, out, ind)

    def _shareable(self, node: ast.Node) -> bool:
        if isinstance(node, ast.Filter):
            pass
        elif not (isinstance(node, ast.Call) and node.func in _SHAREABLE_CALLS):
            return False
        for n in ast.walk(node):  # no definition of the rule (``item`` is bound inside)
            if isinstance(n, ast.Name) and n.name in self.lets:
                return False
            if isinstance(n, ast.Call) and n.func in _RULE_BOUND:
                return False
        return True

    def _share(self, node: ast.Node, out: list[str], ind: str) -> str:
        key = _canon(node)
        fn = self.shared.get(key)
        if fn is None:
            fn = self.shared[key] = f"shared_{len(self.shared)}"
            saved, self.lines = self.lines, []
            method = getattr(self, f"_e_{type(node).__name__.lower()}")
            body: list[str] = []
            result = method(node, frozenset(), body, "    ")
            fn_lines = [f"def {fn}(frame, env):", "    S = frame.situation", *body,
                        f"    return {result}", ""]
            self.lines = saved + self.lines + fn_lines
        t = self._tmp()
        roots = tuple(sorted({n.name for n in ast.walk(node) if isinstance(n, ast.Name)
                              and n.name in _FACT_ROOTS and n.name != "as_of"}))
        out.append(f"{ind}{t} = shared(frame, {key!r}, {fn}, env, {roots!r})")
        return t

    def _e_literal(self, node: ast.Literal, scope, out, ind) -> str:
        value = node.value
        if isinstance(value, Decimal):
            self.k += 1
            name = f"K{self.k}"
            self.constants[name] = value
            self.constant_lines.append((name, repr(value)))
            return name
        if value is None or isinstance(value, bool | int | str):
            return repr(value)
        raise TypeError(f"literal of an unexpected kind: {type(value).__name__}")

    def _e_name(self, node: ast.Name, scope, out, ind) -> str:
        name, t = node.name, self._tmp()
        if name in scope:
            out.append(f"{ind}{t} = env[{name!r}][0]")
        elif name in self.lets:
            out.append(f"{ind}{t} = let(frame, {name!r})")
        elif name == "as_of":
            out.append(f"{ind}{t} = frame.as_of")
        elif name in _FACT_ROOTS:
            kind = self.roots[name].kind if name in self.roots else "scalar"
            read = f"S.{name}" if name in self.roots and _ident(name) else \
                f"getattr(S, {name!r}, None)"
            out.append(f"{ind}{t} = {read}")
            if name == "request":
                out.append(f"{ind}if {t} is None:")
                out.append(f"{ind}    {t} = no_request()")
            if kind == "list":
                out.append(f"{ind}{t} = root_items(frame, {t}, {name!r})")
            elif kind == "model":
                out.append(f"{ind}if {t} is None:")
                out.append(f"{ind}    {t} = fact(frame, None, {name!r}, {name!r})")
            else:
                out.append(f"{ind}{t} = fact(frame, {t}, {name!r}, {name!r})")
        else:
            out.append(f"{ind}{t} = unknown_name({name!r})")
        return t

    def _type(self, node: ast.Node, scope: frozenset[str]) -> T:
        """The static type of an expression, where the tree alone says it (else ANY)."""
        match node:
            case ast.Name(name=n):
                if n in scope:
                    return self.item_t
                if n in self.lets or n not in _FACT_ROOTS:
                    return ANY
                return self.roots.get(n, ANY)
            case ast.Attr(obj=o, name=n):
                base = self._type(o, scope)
                if base.kind == "model" and base.model is not None:
                    return fields_of(base.model).get(n, ANY)
            case ast.Filter(obj=o):
                return self._type(o, scope)
            case ast.Call(func=f, args=args) if f in ("running", "latest") and args:
                return self._type(args[0], scope)
        return ANY

    def _path(self, node: ast.Node, scope: frozenset[str]) -> str:
        """Source of the situation path an expression denotes (as the interpreter's _path)."""
        match node:
            case ast.Name(name=n):
                if n in scope:
                    return f"env[{n!r}][1]"
                return repr(n) if n in _FACT_ROOTS else "None"
            case ast.Attr(obj=o, name=n):
                base = self._path(o, scope)
                if base == "None":
                    return "None"
                if base.startswith("'"):
                    return repr(f"{eval_literal(base)}.{n}")
                return f"field_path({base}, {n!r})"
        return "None"

    def _e_attr(self, node: ast.Attr, scope, out, ind) -> str:
        base = self._emit(node.obj, scope, out, ind)
        name = node.name
        field = _ALIASES.get(name, name)
        at = self._path(node.obj, scope)
        path = self._path(node, scope)
        t = self._tmp()
        read = f"{base}.{field}" if _ident(field) else f"getattr({base}, {field!r})"
        shown = path if path == "None" or path.startswith("'") else f"({path} or {name!r})"
        if path == "None":
            shown = repr(name)
        base_t = self._type(node.obj, scope)
        kind = self._type(node, scope).kind if base_t.kind == "model" else "any"
        if kind in ("scalar", "model") and _ident(field) and base_t.model is not None:
            # a field the model declares, on a value of that very model: None is unknown (or
            # known, for ``to``), a record is passed on as it is, any other value is read (and
            # kept for the trace); anything else goes through the interpreter's attr_of
            self.k += 1
            model = f"M{self.k}"
            self.constants[model] = base_t.model
            self.constant_lines.append((model, f"<the model {base_t.model.__name__}>"))
            out.append(f"{ind}if type({base}) is {model}:")
            out.append(f"{ind}    {t} = {read}")
            out.append(f"{ind}    if {t} is None:")
            out.append(f"{ind}        {t} = fact(frame, None, {shown}, {name!r})")
            if kind == "scalar":
                out.append(f"{ind}    elif frame.recorder.enabled:")
                out.append(f"{ind}        frame.recorder.facts[{shown}] = to_json({t})")
            out.append(f"{ind}else:")
            out.append(f"{ind}    {t} = attr_of(frame, {base}, {name!r}, {field!r}, {at}, {path})")
        else:
            out.append(f"{ind}{t} = attr_of(frame, {base}, {name!r}, {field!r}, {at}, {path})")
        return t

    def _e_filter(self, node: ast.Filter, scope, out, ind) -> str:
        base = self._emit(node.obj, scope, out, ind)
        self.k += 1
        cond = f"cond_{self.k}"
        saved, self.lines = self.lines, []
        outer_item, self.item_t = self.item_t, self._type(node.obj, scope).elem or ANY
        self._function(cond, node.cond, scope | {"item"}, "filter condition")
        self.item_t = outer_item
        self.lines = saved + self.lines
        t = self._tmp()
        out.append(f"{ind}{t} = filter_items(frame, {base}, {cond}, env)")
        return t

    def _e_listlit(self, node: ast.ListLit, scope, out, ind) -> str:
        items = [self._emit(i, scope, out, ind) for i in node.items]
        return "(" + "".join(f"{i}, " for i in items) + ")"

    def _e_call(self, node: ast.Call, scope, out, ind) -> str:
        args = [self._emit(a, scope, out, ind) for a in node.args]
        kwargs = [(k, self._emit(x, scope, out, ind)) for k, x in node.kwargs]
        t = self._tmp()
        if node.func in _READS_PATHS:
            paths = [self._path(a, scope) for a in (*node.args, *(x for _, x in node.kwargs))]
            path_src = "(" + "".join(f"{p}, " for p in paths) + ")"
        else:
            path_src = "()"
        arg_src = "[" + ", ".join(args) + "]"
        kw_src = "{" + ", ".join(f"{k!r}: {x}" for k, x in kwargs) + "}"
        call = f"IMPLS[{node.func!r}](frame, {arg_src}, {kw_src}, {path_src})"
        if node.func == "member" and len(args) == 1 and not kwargs:
            out.append(f"{ind}{t} = member(frame, {args[0]}, {path_src[1:-3]})")
        elif node.func == "shares_zone" and len(args) == 2 and not kwargs:
            out.append(f"{ind}{t} = shares_zone(frame, {args[0]}, {args[1]}, {path_src})")
        elif node.func == "exists" and len(args) == 1 and not kwargs:
            a = self._named(args[0], out, ind)
            out.append(f"{ind}if type({a}) is Items and not {a}.maybe:")
            out.append(f"{ind}    {t} = len({a}.sure) > 0")
            out.append(f"{ind}else:")
            out.append(f"{ind}    {t} = {call}")
        elif node.func == "count" and len(args) == 1:
            a = self._named(args[0], out, ind)
            out.append(f"{ind}if type({a}) is Items and not {a}.maybe:")
            out.append(f"{ind}    {t} = len({a}.sure)")
            out.append(f"{ind}elif type({a}) is MonthSet and not {a}.maybe:")
            out.append(f"{ind}    {t} = month_count({a}.sure)")
            out.append(f"{ind}else:")
            out.append(f"{ind}    {t} = {call}")
        else:
            out.append(f"{ind}{t} = {call}")
        return t

    def _named(self, value: str, out, ind) -> str:
        """``value`` as a name: a literal goes into a temporary first (an attribute of a number
        literal does not compile, and an ``is`` test on a literal warns)."""
        if value.isidentifier():
            return value
        x = self._tmp()
        out.append(f"{ind}{x} = {value}")
        return x

    def _e_not(self, node: ast.Not, scope, out, ind) -> str:
        a = self._named(self._emit(node.operand, scope, out, ind), out, ind)
        t = self._tmp()
        out.append(f"{ind}{t} = (not {a}) if ({a} is True or {a} is False) "
                   f"else k_not(truth({a}, \"'not'\"))")
        return t

    def _junction(self, node: ast.And | ast.Or, scope, out, ind, stop: bool) -> str:
        t = self._tmp()
        word = "'and'" if isinstance(node, ast.And) else "'or'"
        out.append(f"{ind}{t} = {stop!r}")
        held: list[str] = []
        for operand in node.operands:
            v = self._emit(operand, scope, out, ind)  # may be a literal or a shared name
            x = self._tmp()
            out.append(f"{ind}{x} = {v}")
            out.append(f"{ind}if {x} is not True and {x} is not False:")
            out.append(f"{ind}    {x} = truth({x}, \"{word}\")")
            out.append(f"{ind}if {x} is not {stop!r}:")
            held.append(x)
            ind += "    "
        go = not stop
        every = " and ".join(f"{x} is {go!r}" for x in held)
        merge = "k_and" if isinstance(node, ast.And) else "k_or"
        out.append(f"{ind}{t} = {go!r} if {every} else {merge}([{', '.join(held)}])")
        return t

    def _e_and(self, node: ast.And, scope, out, ind) -> str:
        return self._junction(node, scope, out, ind, False)

    def _e_or(self, node: ast.Or, scope, out, ind) -> str:
        return self._junction(node, scope, out, ind, True)

    def _e_compare(self, node: ast.Compare, scope, out, ind) -> str:
        a = self._emit(node.left, scope, out, ind)
        b = self._emit(node.right, scope, out, ind)
        t = self._tmp()
        op = _OPS.get(node.op)
        if op is None:  # 'in'
            out.append(f"{ind}{t} = compare({node.op!r}, {a}, {b})")
            return t
        plain = [f"type({x}) in PLAIN" for x, n in ((a, node.left), (b, node.right))
                 if not (isinstance(n, ast.Literal) and type(n.value) in _PLAIN_LITERALS)]
        out.append(f"{ind}if {' and '.join(plain) or 'True'}:")
        out.append(f"{ind}    try:")
        out.append(f"{ind}        {t} = {a} {op} {b}")
        out.append(f"{ind}    except TypeError:")
        out.append(f"{ind}        raise incomparable({node.op!r}, {a}, {b}) from None")
        out.append(f"{ind}else:")
        out.append(f"{ind}    {t} = compare({node.op!r}, {a}, {b})")
        return t

    def _e_arith(self, node: ast.Arith, scope, out, ind) -> str:
        if node.op not in _ARITH:
            raise ValueError(f"unknown operator {node.op!r}")
        a = self._emit(node.left, scope, out, ind)
        b = self._emit(node.right, scope, out, ind)
        t = self._tmp()
        out.append(f"{ind}{t} = arith({node.op!r}, {a}, {b})")
        return t

    def _e_negate(self, node: ast.Negate, scope, out, ind) -> str:
        a = self._emit(node.operand, scope, out, ind)
        t = self._tmp()
        out.append(f"{ind}{t} = arith('-', 0, {a})")
        return t

    def _e_if(self, node: ast.If, scope, out, ind) -> str:
        v = self._emit(node.cond, scope, out, ind)  # may be a literal or a shared name
        c, t = self._tmp(), self._tmp()
        out.append(f"{ind}{c} = truth({v}, \"'if'\")")
        out.append(f"{ind}if {c} is True:")
        inner = ind + "    "
        a = self._emit(node.then, scope, out, inner)
        out.append(f"{inner}{t} = {a}")
        out.append(f"{ind}elif {c} is False:")
        b = self._emit(node.otherwise, scope, out, inner)
        out.append(f"{inner}{t} = {b}")
        out.append(f"{ind}else:")
        a = self._emit(node.then, scope, out, inner)
        b = self._emit(node.otherwise, scope, out, inner)
        out.append(f"{inner}{t} = if_unknown({c}, {a}, {b})")
        return t


def eval_literal(text: str) -> str:
    """The string a ``repr`` of a string stands for (paths are made of the vocabulary only)."""
    import ast as pyast

    value = pyast.literal_eval(text)
    assert isinstance(value, str)
    return value


_FACT_ROOTS = frozenset(frame_model.FACT_ROOTS)
_ALIASES = dict(frame_model.ALIASES)
_READS_PATHS = frozenset(functions.READS_PATHS)
