"""Every problem a person reads is written in Chinese too (the project's standard: every
user-facing string in zh and en, no English in Chinese output).

``Problem(path, message_en, zh=message_zh)``: the answer picks ``Problem.text(lang)``, which
falls back to English where no Chinese was written. So a ``Problem(...)`` without its Chinese,
anywhere in the package, is a Chinese answer with an English sentence in it; likewise a
service refusal (``deps.Refusal`` and the subclasses that take its words). This test reads the
source and names every such call, so a new one cannot slip in.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tongcheng.service.deps import Refusal

SRC = Path(__file__).resolve().parents[1] / "src" / "tongcheng"

# (file under src/tongcheng, enclosing function): calls that may stay English, and why.
AUTHOR_FACING = {
    # the expression checker's problems are a rule author's (``lint``, ``verify``, loading a
    # pack): the author tools speak English, as PackError's listed problems do
    ("expr/check.py", "_err"),
}


def _refusals() -> set[str]:
    """The refusals that take a path and both messages (Refusal's own ``__init__``)."""
    import tongcheng.service.app  # noqa: F401 - every router imported: every subclass made

    found, todo = set(), [Refusal]
    while todo:
        cls = todo.pop()
        if cls.__init__ is Refusal.__init__:
            found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


class _Calls(ast.NodeVisitor):
    """The calls to one of ``names`` without their Chinese (a third positional argument or
    ``zh=``), each with the function it is in."""

    def __init__(self, names: set[str]) -> None:
        self.names, self.where, self.found = names, ["module"], []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name in self.names and not (
                len(node.args) >= 3 or any(k.arg == "zh" for k in node.keywords)):
            self.found.append((node.lineno, self.where[-1]))
        self.generic_visit(node)


def _unworded(names: set[str], root: Path = SRC) -> list[str]:
    """``file:line (function)`` of every call to one of ``names`` without its Chinese, but
    those ``AUTHOR_FACING`` lists."""
    out = []
    for path in sorted(root.rglob("*.py")):
        calls = _Calls(names)
        calls.visit(ast.parse(path.read_text(encoding="utf-8")))
        rel = path.relative_to(root).as_posix()
        out += [f"src/tongcheng/{rel}:{line} ({where})" for line, where in calls.found
                if (rel, where) not in AUTHOR_FACING]
    return out


def test_every_problem_is_worded_in_chinese_too():
    missing = _unworded({"Problem"})
    assert not missing, "Problem(...) without zh (say it in Chinese too):\n" + "\n".join(missing)


def test_every_refusal_is_worded_in_chinese_too():
    names = _refusals()
    assert {"Refusal", "NotFound", "UnsupportedMediaType"} <= names
    missing = _unworded(names)
    assert not missing, "a refusal without zh (say it in Chinese too):\n" + "\n".join(missing)


def test_the_scan_finds_a_call_without_chinese(tmp_path):
    """The scan itself: a call without zh is found, one with zh (either way) is not, and an
    author-facing one is let pass only in its own function."""
    (tmp_path / "expr").mkdir()
    (tmp_path / "bad.py").write_text(
        "def f():\n    Problem('a', 'english only')\n    Problem('a', 'en', '中文')\n"
        "    Problem('a', 'en', zh='中文')\n", encoding="utf-8")
    (tmp_path / "expr" / "check.py").write_text(
        "class C:\n    def _err(self):\n        Problem('a', 'for the author')\n"
        "    def other(self):\n        x.Problem('a', 'not for the author')\n",
        encoding="utf-8")
    assert _unworded({"Problem"}, tmp_path) == [
        "src/tongcheng/bad.py:2 (f)", "src/tongcheng/expr/check.py:5 (other)"]
