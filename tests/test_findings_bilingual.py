"""Every finding a rule author reads is written in Chinese too (``tongcheng lint`` and
``tongcheng verify`` speak the language asked, Chinese by default).

A lint ``Finding`` (and the ``finding``/``_finding`` helpers that make one), a property's
``Failure``, and the notes that reach an author (an ``Overlap``'s undecided note, a ``Result``'s
skip note, a ``Property``'s summary) take their Chinese as a keyword. This test reads the source
of the whole package and names every such call made without it, so a new check cannot slip in
speaking English only. (``records verify``'s own ``Finding`` takes its Chinese as its fifth
argument or ``message_zh=``: it is held to the same rule.)
"""

from __future__ import annotations

import ast
from pathlib import Path

from astscan import InFunction

SRC = Path(__file__).resolve().parents[1] / "src" / "tongcheng"

# call name -> (the keywords that carry its Chinese, the keyword that makes one needed: None
# when every call needs it)
WORDED = {
    "Finding": (("zh", "message_zh"), None),
    "finding": (("zh",), None),
    "_finding": (("zh",), None),
    "Failure": (("zh",), None),
    "Property": (("summary_zh",), None),
    "Overlap": (("note_zh",), "note"),
    "Result": (("note_zh",), "note"),
}
# (file, call name) -> the argument that is the Chinese when given by position
POSITIONAL = {("records/verify.py", "Finding"): 5}


class _Calls(InFunction):
    """The calls of ``WORDED`` without their Chinese, with the function each is in (the
    definitions of the helpers themselves, which pass ``zh=zh`` on, are calls like any)."""

    def __init__(self, rel: str) -> None:
        super().__init__()
        self.rel, self.found = rel, []

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name in WORDED:
            chinese, needed_by = WORDED[name]
            given = {k.arg for k in node.keywords}
            nth = POSITIONAL.get((self.rel, name))
            if nth is not None and len(node.args) >= nth:
                given.add(chinese[-1])
            if (needed_by is None or needed_by in given) and not given & set(chinese):
                self.found.append((node.lineno, self.where[-1], name))
        self.generic_visit(node)


def unworded(root: Path = SRC) -> list[str]:
    """``file:line (function): Name(...)`` of every call of ``WORDED`` without its Chinese."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        calls = _Calls(rel)
        calls.visit(ast.parse(path.read_text(encoding="utf-8")))
        out += [f"src/tongcheng/{rel}:{line} ({where}): {name}(...)"
                for line, where, name in calls.found]
    return out


def test_every_finding_and_failure_is_worded_in_chinese_too():
    missing = unworded()
    assert not missing, "made without its Chinese (say it in Chinese too):\n" + "\n".join(
        missing)


def test_the_checks_are_all_made_through_the_scanned_names():
    """The scan sees the checks: lint's modules and the properties make findings and failures
    by these names, so a check added there is scanned."""
    seen: dict[str, int] = {}
    for path in (SRC / "consistency").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in WORDED:
                    seen[name] = seen.get(name, 0) + 1
    assert seen.get("finding", 0) > 20 and seen.get("Failure", 0) > 15, seen
    assert {"Finding", "_finding", "Property", "Overlap", "Result"} <= set(seen), seen


def test_the_scan_finds_a_call_without_chinese(tmp_path):
    (tmp_path / "bad.py").write_text(
        "def check():\n"
        "    finding(loc, 'warning', 'x', 'english only')\n"
        "    finding(loc, 'warning', 'x', 'en', zh='中文')\n"
        "    Finding('f', 1, 'error', 'x', 'en', zh='中文')\n"
        "    report.Finding('f', 1, 'error', 'x', 'english only')\n"
        "    Failure('p', 'english only', None, ())\n"
        "    Overlap('disjoint', a, b)\n"
        "    Overlap('unknown', a, b, note='english only')\n"
        "    Result(p, 'skipped', 0, 0.0, note='why', note_zh='为何')\n", encoding="utf-8")
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "verify.py").write_text(
        "Finding('moved', 'en', 'r1', 3, '中文')\nFinding('moved', 'english only', 'r1', 3)\n",
        encoding="utf-8")
    assert unworded(tmp_path) == [
        "src/tongcheng/bad.py:2 (check): finding(...)",
        "src/tongcheng/bad.py:5 (check): Finding(...)",
        "src/tongcheng/bad.py:6 (check): Failure(...)",
        "src/tongcheng/bad.py:8 (check): Overlap(...)",
        "src/tongcheng/records/verify.py:2 (module): Finding(...)",
    ]
