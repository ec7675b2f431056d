"""Parse expression text into the syntax tree. Parsed with a grammar, never ``eval``'d.

Rule text may come from anyone, and every later stage (checks, evaluator, columnar compiler,
``unparse``) walks the tree recursively; so an expression is bounded before it is built: at
most ``MAX_LENGTH`` characters, ``MAX_DEPTH`` levels of nesting (a chain ``a + b + c`` is as
deep as it has operators), number literals of at most ``MAX_DIGITS`` digits.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib.resources import files

import lark

from tongcheng.errors import Worded
from tongcheng.expr import ast

MAX_LENGTH = 20_000
"""Characters of one expression."""
MAX_DEPTH = 64
"""Levels of nesting of one expression (the bundled pack's deepest is far below)."""
MAX_DIGITS = 18
"""Digits of a number literal (an integer fits in 64 bits, as columns hold it)."""


class ExprSyntaxError(Worded, ValueError):
    """Expression text that is not in the language; carries the position inside the text and
    says what is wrong in both languages (a rule author reads it where the pack is loaded)."""

    def __init__(self, message: str, line: int, column: int, zh: str) -> None:
        self.line, self.column = line, column
        super().__init__(message, zh)

    def __reduce__(self):
        return type(self), (str(self), self.line, self.column, self.zh)


@cache
def _parser() -> lark.Lark:
    grammar = files("tongcheng.expr").joinpath("grammar.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _pos(meta_or_token) -> ast.Pos:
    line = getattr(meta_or_token, "line", 1) or 1
    column = getattr(meta_or_token, "column", 1) or 1
    return ast.Pos(line, column)


class _Build(lark.Transformer):
    """Lark tree -> our immutable nodes."""

    def _p(self, meta) -> ast.Pos:
        return _pos(meta)

    @lark.v_args(meta=True)
    def number(self, meta, children):
        text = str(children[0])
        if len(text.replace(".", "")) > MAX_DIGITS:
            raise ExprSyntaxError(f"a number of more than {MAX_DIGITS} digits",
                                  _pos(meta).line, _pos(meta).column,
                                  f"数字超过 {MAX_DIGITS} 位")
        value = Decimal(text) if "." in text else int(text)
        return ast.Literal(value, _pos(meta))

    @lark.v_args(meta=True)
    def string(self, meta, children):
        raw = str(children[0])[1:-1]
        return ast.Literal(raw.replace('\\"', '"').replace("\\\\", "\\"), _pos(meta))

    @lark.v_args(meta=True)
    def true(self, meta, _):
        return ast.Literal(True, _pos(meta))

    @lark.v_args(meta=True)
    def false(self, meta, _):
        return ast.Literal(False, _pos(meta))

    @lark.v_args(meta=True)
    def null(self, meta, _):
        return ast.Literal(None, _pos(meta))

    @lark.v_args(meta=True)
    def name(self, meta, children):
        return ast.Name(str(children[0]), _pos(meta))

    @lark.v_args(meta=True)
    def attr(self, meta, children):
        obj, name = children
        return ast.Attr(obj, str(name), _pos(meta))

    @lark.v_args(meta=True)
    def filter(self, meta, children):
        obj, cond = children
        return ast.Filter(obj, cond, _pos(meta))

    @lark.v_args(meta=True)
    def list(self, meta, children):
        return ast.ListLit(tuple(c for c in children if c is not None), _pos(meta))

    @lark.v_args(meta=True)
    def kwarg(self, meta, children):
        name, value = children
        return ("kw", str(name), value)

    @lark.v_args(meta=True)
    def call(self, meta, children):
        func, *rest = children
        args: list[ast.Node] = []
        kwargs: list[tuple[str, ast.Node]] = []
        for item in rest:
            if item is None:
                continue
            if isinstance(item, tuple) and item and item[0] == "kw":
                kwargs.append((item[1], item[2]))
            else:
                if kwargs:
                    raise ExprSyntaxError(
                        "a positional argument cannot follow a keyword argument",
                        _pos(meta).line,
                        _pos(meta).column,
                        "位置参数不能写在关键字参数(name=...)之后",
                    )
                args.append(item)
        return ast.Call(str(func), tuple(args), tuple(kwargs), _pos(meta))

    @lark.v_args(meta=True)
    def not_expr(self, meta, children):
        return ast.Not(children[0], _pos(meta))

    @lark.v_args(meta=True)
    def negate(self, meta, children):
        return ast.Negate(children[0], _pos(meta))

    @lark.v_args(meta=True)
    def disj(self, meta, children):
        return ast.Or(tuple(children), _pos(meta))

    @lark.v_args(meta=True)
    def conj(self, meta, children):
        return ast.And(tuple(children), _pos(meta))

    @lark.v_args(meta=True)
    def comparison(self, meta, children):
        left, op, right = children
        return ast.Compare(str(op), left, right, _pos(meta))

    def _chain(self, meta, children):
        node = children[0]
        for i in range(1, len(children), 2):
            node = ast.Arith(str(children[i]), node, children[i + 1], _pos(meta))
        return node

    @lark.v_args(meta=True)
    def sum(self, meta, children):
        return self._chain(meta, children)

    @lark.v_args(meta=True)
    def product(self, meta, children):
        return self._chain(meta, children)

    @lark.v_args(meta=True)
    def if_expr(self, meta, children):
        cond, then, otherwise = children
        return ast.If(cond, then, otherwise, _pos(meta))


def _check_depth(tree: lark.Tree) -> None:
    """ExprSyntaxError at the first place nested deeper than MAX_DEPTH (without recursion)."""
    stack: list[tuple[lark.Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        # a chain of n operators becomes n nested nodes; "(...)" adds no level of its own
        weight = (len(node.children) - 1) // 2 if node.data in ("sum", "product") else 1
        if depth + weight - 1 > MAX_DEPTH:
            pos = _pos(node.meta)
            raise ExprSyntaxError(f"nested more than {MAX_DEPTH} levels deep: split it into "
                                  "named definitions (let)", pos.line, pos.column,
                                  f"嵌套超过 {MAX_DEPTH} 层:请拆成几个命名的定义(let)")
        stack.extend((c, depth + weight) for c in node.children if isinstance(c, lark.Tree))


def parse(text: str) -> ast.Node:
    """Parse one expression; raise ExprSyntaxError saying where and what was expected."""
    if len(text) > MAX_LENGTH:
        raise ExprSyntaxError(f"an expression of more than {MAX_LENGTH:,} characters", 1, 1,
                              f"表达式超过 {MAX_LENGTH:,} 个字符")
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedCharacters as e:
        char = text[e.pos_in_stream]
        raise ExprSyntaxError(f"unexpected character {char!r}", e.line, e.column,
                              f"此处不应出现字符 {char!r}") from None
    except lark.exceptions.UnexpectedToken as e:
        expected = sorted((_describe(t) for t in (e.expected or ())), key=lambda w: w[0])[:8]
        end = e.token.type == "$END"
        got = "end of expression" if end else repr(str(e.token))
        hint = f"; expected {', '.join(en for en, _ in expected)}" if expected else ""
        got_zh = "表达式在此处意外结束" if end else f"此处不应出现 {str(e.token)!r}"
        hint_zh = f";此处应为:{'、'.join(zh for _, zh in expected)}" if expected else ""
        line = e.line if e.line and e.line > 0 else text.count("\n") + 1
        column = e.column if e.column and e.column > 0 else len(text.rsplit("\n", 1)[-1]) + 1
        raise ExprSyntaxError(f"unexpected {got}{hint}", line, column, got_zh + hint_zh) from None
    except lark.exceptions.UnexpectedEOF as e:
        raise ExprSyntaxError("expression ends too early", text.count("\n") + 1, len(text) + 1,
                              "表达式提前结束") from e
    if isinstance(tree, lark.Tree):
        _check_depth(tree)
    try:
        return _Build().transform(tree)
    except lark.exceptions.VisitError as e:
        if isinstance(e.orig_exc, ExprSyntaxError):
            raise e.orig_exc from None
        raise


_TOKEN_NAMES = {  # (English, Chinese)
    "RPAR": ("')'", "')'"),
    "LPAR": ("'('", "'('"),
    "RSQB": ("']'", "']'"),
    "LSQB": ("'['", "'['"),
    "COMMA": ("','", "','"),
    "DOT": ("'.'", "'.'"),
    "NAME": ("a name", "名称"),
    "NUMBER": ("a number", "数"),
    "STRING": ("a string", "字符串"),
    "COMP": ("a comparison", "比较运算符"),
    "ADDOP": ("'+' or '-'", "'+' 或 '-'"),
    "MULOP": ("'*' or '/'", "'*' 或 '/'"),
    "EQUAL": ("'='", "'='"),
    "MINUS": ("'-'", "'-'"),
    "$END": ("the end of the expression", "表达式结尾"),
}


def _describe(token_type: str) -> tuple[str, str]:
    """A token the parser expected, in words (English, Chinese); a keyword as written."""
    if token_type in _TOKEN_NAMES:
        return _TOKEN_NAMES[token_type]
    if token_type.isupper():
        return token_type.lower(), repr(token_type.lower())
    return repr(token_type), repr(token_type)


def unparse(node: ast.Node) -> str:
    """Text for a node, used in traces and lint messages."""
    match node:
        case ast.Literal(value=None):
            return "null"
        case ast.Literal(value=bool() as b):
            return "true" if b else "false"
        case ast.Literal(value=str() as s):
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        case ast.Literal(value=v):
            return str(v)
        case ast.Name(name=n):
            return n
        case ast.Attr(obj=o, name=n):
            return f"{unparse(o)}.{n}"
        case ast.Filter(obj=o, cond=c):
            return f"{unparse(o)}[{unparse(c)}]"
        case ast.ListLit(items=items):
            return "[" + ", ".join(unparse(i) for i in items) + "]"
        case ast.Call(func=f, args=args, kwargs=kwargs):
            parts = [unparse(a) for a in args] + [f"{k}={unparse(v)}" for k, v in kwargs]
            return f"{f}({', '.join(parts)})"
        case ast.Not(operand=o):
            return f"not {_wrap(o)}"
        case ast.Negate(operand=o):
            return f"-{_wrap(o)}"
        case ast.And(operands=ops):
            return " and ".join(_wrap(o) for o in ops)
        case ast.Or(operands=ops):
            return " or ".join(_wrap(o) for o in ops)
        case ast.Compare(op=op, left=a, right=b) | ast.Arith(op=op, left=a, right=b):
            return f"{_wrap(a)} {op} {_wrap(b)}"
        case ast.If(cond=c, then=t, otherwise=o):
            return f"if {unparse(c)} then {unparse(t)} else {unparse(o)}"
    raise TypeError(f"not an expression node: {node!r}")


def _wrap(node: ast.Node) -> str:
    text = unparse(node)
    simple = (ast.Literal, ast.Name, ast.Attr, ast.Filter, ast.Call, ast.ListLit)
    return text if isinstance(node, simple) else f"({text})"
