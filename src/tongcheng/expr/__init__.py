"""The rule expression language: grammar, syntax tree, parser and the function catalogue."""

from tongcheng.expr.parser import ExprSyntaxError, parse, unparse

__all__ = ["ExprSyntaxError", "parse", "unparse"]
