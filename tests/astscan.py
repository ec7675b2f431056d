"""The source scans' shared walk (``test_problems_bilingual``, ``test_findings_bilingual``):
a visitor that knows, at every node, the function it is in, so a scan can name where a call
without its Chinese was made."""

from __future__ import annotations

import ast


class InFunction(ast.NodeVisitor):
    """``self.where[-1]``: the enclosing function's name (``module`` at the top level)."""

    def __init__(self) -> None:
        self.where: list[str] = ["module"]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    visit_AsyncFunctionDef = visit_FunctionDef
