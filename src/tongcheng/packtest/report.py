"""What ``tongcheng test`` prints, and the JUnit XML it writes for CI.

A failure reads::

    rules/tests/recognition.yaml:12: FAIL Jinan months are not recognised in Qingdao
      medical_insurance.contribution_years_recognition (line 19): status: expected eligible,
      got ineligible            (one line)
        decided by:
         ✘ Some of those months were paid in a member place of a zone shared with the target
             insurance[0].place=370100
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tongcheng.packtest.cases import Problem, TestFile
from tongcheng.packtest.runner import CaseResult, Mismatch
from tongcheng.render import reason_lines

WORDS = {
    "zh": {"pass": "通过", "fail": "失败", "broken": "无效", "expected": "应为", "got": "实际为",
           "decided": "判断依据:", "line": "第 {n} 行",
           "summary": "{passed} 个通过,{failed} 个失败,{broken} 个无效({files} 个文件)",
           },
    "en": {"pass": "PASS", "fail": "FAIL", "broken": "BROKEN", "expected": "expected",
           "got": "got", "decided": "decided by:", "line": "line {n}",
           "summary": "{passed} passed, {failed} failed, {broken} broken ({files} file(s))",
           },
}


def shown_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def mismatch_lines(m: Mismatch, lang: str) -> list[str]:
    w = WORDS[lang]
    where = f" ({w['line'].format(n=m.line)})" if m.line else ""
    if m.message is not None:
        head = f"  {m.rule}{where}: {m.message.get(lang)}"
    else:
        sep = ", " if lang == "en" else ","
        head = (f"  {m.rule}{where}: {m.check}: {w['expected']} {shown_value(m.expected)}"
                f"{sep}{w['got']} {shown_value(m.actual)}")
    lines = [head]
    if m.trace:
        lines.append(f"    {w['decided']}")
        for r in m.trace:
            lines += reason_lines(r, lang, indent="     ")
    return lines


def result_lines(result: CaseResult, lang: str, verbose: bool = False) -> list[str]:
    w = WORDS[lang]
    case = result.case
    if case.broken:
        return [f"{case.where}: {w['broken']} {case.name}",
                *(f"  {p.text(lang)}" for p in case.problems)]
    if result.passed:
        return [f"{case.where}: {w['pass']} {case.name}"] if verbose else []
    lines = [f"{case.where}: {w['fail']} {case.name}"]
    for m in result.mismatches:
        lines += mismatch_lines(m, lang)
    return lines


def summary(results: Sequence[CaseResult], files: Sequence[TestFile], lang: str) -> str:
    broken = sum(r.case.broken for r in results) + sum(bool(f.problems) for f in files)
    passed = sum(r.passed for r in results)
    failed = sum(not r.passed and not r.case.broken for r in results)
    return WORDS[lang]["summary"].format(passed=passed, failed=failed, broken=broken,
                                         files=len(files))


def junit_xml(files: Sequence[TestFile], results: Sequence[CaseResult], path: Path,
              lang: str = "en") -> None:
    """JUnit XML, one ``testsuite`` per test file and one ``testcase`` per case; a broken file
    or case is an ``error``, a failed case a ``failure``, each with the message printed."""
    root = ET.Element("testsuites", name="tongcheng test")
    by_file: dict[str, list[CaseResult]] = {}
    for r in results:
        by_file.setdefault(r.case.file, []).append(r)
    for f in files:
        rs = by_file.get(f.shown, [])
        suite = ET.SubElement(root, "testsuite", name=f.shown, tests=str(len(rs) or 1))
        failures = errors = 0
        if f.problems:
            errors += 1
            case = ET.SubElement(suite, "testcase", classname=f.shown, name=f.shown,
                                 file=f.shown)
            _error(case, f.problems, lang)
        for r in rs:
            attrs = {"classname": f.shown, "name": r.case.name, "file": f.shown}
            if r.case.line:
                attrs["line"] = str(r.case.line)
            case = ET.SubElement(suite, "testcase", attrs)
            if r.case.broken:
                errors += 1
                _error(case, r.case.problems, lang)
            elif not r.passed:
                failures += 1
                text = "\n".join(result_lines(r, lang))
                first = r.mismatches[0]
                node = ET.SubElement(case, "failure", message=mismatch_lines(first, lang)[0]
                                     .strip())
                node.text = text
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _error(case: ET.Element, problems: Sequence[Problem], lang: str) -> None:
    node = ET.SubElement(case, "error", message=problems[0].text(lang))
    node.text = "\n".join(p.text(lang) for p in problems)
