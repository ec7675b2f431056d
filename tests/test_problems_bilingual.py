"""Every problem a person reads is written in Chinese too (the project's standard: every
user-facing string in zh and en, no English in Chinese output).

``Problem(path, message_en, zh=message_zh)``: the answer picks ``Problem.text(lang)``, which
falls back to English where no Chinese was written. So a ``Problem(...)`` without its Chinese,
anywhere in the package, is a Chinese answer with an English sentence in it; likewise a
service refusal (``deps.Refusal`` and the subclasses that take its words), and a problem of a
rule pack that fails to load (``PackProblem`` and the loaders' helpers that make one: a rule
author or an office loading an overlay reads it on every face). This test reads the source and
names every such call, so a new one cannot slip in.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import attrs

from astscan import InFunction
from tongcheng import yamlio
from tongcheng.errors import PackProblem
from tongcheng.expr.parser import ExprSyntaxError
from tongcheng.service.deps import Refusal

SRC = Path(__file__).resolve().parents[1] / "src" / "tongcheng"

# (file under src/tongcheng, enclosing function): calls that may stay English, and why.
AUTHOR_FACING: set[tuple[str, str]] = set()

# What makes a load problem, anywhere in the package, and the position of the positional
# argument that is its Chinese (or ``zh=``).
LOAD_PROBLEMS = {"PackProblem": 2, "ExprSyntaxError": 3, "YamlSyntaxError": 3}
# The loaders' own helpers that make one, in the files (or folders) whose calls they are.
LOAD_HELPERS = {
    "pack/": {"problem": 3, "err": 2, "conflict": 2},
    "expr/check.py": {"_err": 2},
    "cases/triggers.py": {"problem": 2},
    "yamlio.py": {"_refused": 2},
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


class _Calls(InFunction):
    """The calls to one of ``names`` without their Chinese (the positional argument at the
    name's index, a third by default, or ``zh=``), each with the function it is in; and a
    pack problem written as a bare tuple (in ``PackError([...])`` or ``….problems.append``),
    which has no Chinese to give."""

    def __init__(self, names: set[str] | dict[str, int]) -> None:
        super().__init__()
        self.names = names if isinstance(names, dict) else dict.fromkeys(names, 2)
        self.found = []

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        # (a starred argument gives the rest: the shared words are (English, Chinese) pairs)
        if name in self.names and not (
                len(node.args) > self.names[name] or any(k.arg == "zh" for k in node.keywords)
                or any(isinstance(a, ast.Starred) for a in node.args)):
            self.found.append((node.lineno, self.where[-1]))
        if _bare_pack_problem(node):
            self.found.append((node.lineno, self.where[-1]))
        self.generic_visit(node)


def _bare_pack_problem(node: ast.Call) -> bool:
    """``PackError([(where, message), ...])`` or ``x.problems.append((where, message))``."""
    func = node.func
    if getattr(func, "id", None) == "PackError" and node.args and isinstance(
            node.args[0], ast.List):
        return any(isinstance(item, ast.Tuple) for item in node.args[0].elts)
    return (isinstance(func, ast.Attribute) and func.attr == "append"
            and getattr(func.value, "attr", None) == "problems"
            and bool(node.args) and isinstance(node.args[0], ast.Tuple)
            and len(node.args[0].elts) == 2)


def _unworded(names: set[str] | dict[str, int], root: Path = SRC,
              helpers: dict[str, dict[str, int]] | None = None) -> list[str]:
    """``file:line (function)`` of every call to one of ``names`` (and, in the files
    ``helpers`` names, to theirs) without its Chinese, but those ``AUTHOR_FACING`` lists."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        makers = names if isinstance(names, dict) else dict.fromkeys(names, 2)
        for where, own in (helpers or {}).items():
            if rel == where or (where.endswith("/") and rel.startswith(where)):
                makers = {**makers, **own}
        calls = _Calls(makers)
        calls.visit(ast.parse(path.read_text(encoding="utf-8")))
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


def test_every_load_problem_is_worded_in_chinese_too():
    """A rule pack that fails to load says why in both languages: no PackProblem, syntax error
    or loader helper's problem without its Chinese, and no problem as a bare pair."""
    missing = _unworded(LOAD_PROBLEMS, helpers=LOAD_HELPERS)
    assert not missing, "a load problem without zh (say it in Chinese too):\n" + "\n".join(
        missing)


def _zh_index(params: list[str]) -> int:
    return [p for p in params if p != "self"].index("zh")


def test_the_load_problem_makers_take_their_chinese_where_the_scan_looks():
    """The scan's positions are the makers' own: each named helper takes ``zh`` there."""
    assert _zh_index([f.name for f in attrs.fields(PackProblem)]) == LOAD_PROBLEMS["PackProblem"]
    for cls in (ExprSyntaxError, yamlio.YamlSyntaxError):
        params = list(inspect.signature(cls.__init__).parameters)
        assert _zh_index(params) == LOAD_PROBLEMS[cls.__name__], cls
    for where, helpers in LOAD_HELPERS.items():
        files = sorted((SRC / where).rglob("*.py")) if where.endswith("/") else [SRC / where]
        defined = {}
        for path in files:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef) and node.name in helpers:
                    defined[node.name] = _zh_index([a.arg for a in node.args.args])
        assert defined == helpers, where


def test_the_scan_finds_a_call_without_chinese(tmp_path):
    """The scan itself: a call without zh is found, one with zh (either way) is not, a load
    helper is read at its own position in its own files only, and a bare pair is found."""
    (tmp_path / "pack").mkdir()
    (tmp_path / "bad.py").write_text(
        "def f():\n    Problem('a', 'english only')\n    Problem('a', 'en', '中文')\n"
        "    Problem('a', 'en', zh='中文')\n", encoding="utf-8")
    (tmp_path / "pack" / "loader.py").write_text(
        "class L:\n    def load(self):\n        self.problem('f', (), 'english only')\n"
        "        self.problem('f', (), 'en', '中文')\n"
        "        self.problems.append((where, 'english only'))\n"
        "        raise PackError([(where, 'english only')])\n"
        "        raise PackError([PackProblem(where, 'en', '中文')])\n", encoding="utf-8")
    (tmp_path / "other.py").write_text(
        "def g():\n    self.problem((), text)\n", encoding="utf-8")
    assert _unworded({"Problem"}, tmp_path) == [
        "src/tongcheng/bad.py:2 (f)", "src/tongcheng/pack/loader.py:5 (load)",
        "src/tongcheng/pack/loader.py:6 (load)"]
    assert _unworded(LOAD_PROBLEMS, tmp_path, {"pack/": {"problem": 3}}) == [
        "src/tongcheng/pack/loader.py:3 (load)", "src/tongcheng/pack/loader.py:5 (load)",
        "src/tongcheng/pack/loader.py:6 (load)"]
