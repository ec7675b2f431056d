"""Helpers of the hostile-input regression tests: run a command in-process as its users run it
(exit code, stdout, stderr apart), assert the contract's clean failure, and break a copy of the
tiny pack (tests/packs/tiny) in one known place.

The inputs themselves are built in the tests, each named for what the review found (issue 12),
so a regression reads as the attack it repeats.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from tongcheng.cli import main

HERE = Path(__file__).resolve().parent
TINY_PACK = HERE.parent / "packs" / "tiny"
RULE_FILE = "rules/tiny.yaml"
OUTCOME_LINE = "      expr: count(months(insurance))"
LET_LINE = "  outcome:\n"
SITUATION = {"as_of": "2025-06-01", "target": "370200",
             "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "2020-01"}]}


def run(*args: object, input: str | bytes | None = None) -> Result:
    """``tongcheng ARGS`` in this process; exceptions are results, not test errors, so that a
    traceback is seen as the failure it is."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def assert_clean(result: Result, *codes: int) -> None:
    """Exit code among ``codes``, no traceback anywhere, the error on stderr."""
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output}")
    assert "Traceback" not in output, output
    assert result.exit_code in codes, f"exit {result.exit_code}, expected {codes}:\n{output}"


def tiny_pack(tmp_path: Path) -> Path:
    """A private copy of the tiny pack."""
    target = tmp_path / "pack"
    shutil.copytree(TINY_PACK, target)
    return target


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` (exactly one occurrence); the 1-based line where ``new``
    starts."""
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, f"{old!r} occurs {content.count(old)} times in {path}"
    path.write_text(content.replace(old, new), encoding="utf-8")
    return content[: content.index(old)].count("\n") + 1


def with_outcome(tmp_path: Path, expr: str) -> tuple[Path, int]:
    """The tiny pack with ``expr`` as its rule's outcome; the line of the expression."""
    pack = tiny_pack(tmp_path)
    line = replace_once(pack / RULE_FILE, OUTCOME_LINE, f"      expr: {yaml_string(expr)}")
    return pack, line


def assert_names(stderr: str, file: str, line: int | None, *words: str) -> None:
    """Some line of ``stderr`` names ``file`` (at ``line``) with every word."""
    where = re.escape(file) + (rf":{line}(?!\d)" if line is not None else "")
    hits = [x for x in stderr.splitlines() if re.search(where, x) and all(w in x for w in words)]
    assert hits, f"no line names {file}:{line} with {words}:\n{stderr}"


def check_pack(tmp_path: Path, pack: Path, lang: str = "en") -> Result:
    """``tongcheng check`` of the contract's example situation with ``pack``, in ``lang``
    (English by default: the tests name the problems by their English words)."""
    situation = tmp_path / "situation.json"
    situation.write_text(json.dumps(SITUATION), encoding="utf-8")
    return run("check", situation, "--pack", pack, "--lang", lang)


def laughs(levels: int = 9, key: str = "a") -> str:
    """A "billion laughs" YAML value: ``levels`` anchors each repeating the last nine times."""
    lines = [f"{key}0: &{key}0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"{key}{i}: &{key}{i} [{', '.join([f'*{key}{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"
