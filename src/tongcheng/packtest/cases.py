"""Test files of a rule pack: cases, each a situation and what named rules must decide for it.

A test file is a YAML list of cases (the contract's ``golden-cases.yaml`` is one as it stands)::

    - name: recognition, Yantai then Qingdao, asked in Qingdao
      situation: {as_of: 2025-06-01, target: "370200", insurance: [...]}   # or a file name
      as_of: 2025-06-01                 # optional: overrides the situation's
      expect:
        medical_insurance.contribution_years_recognition:
          status: eligible
          firmness: in_force
          outcome: {recognized_months: 305}
          missing_has: [insurance]        # `missing` names each of these
          missing: []                     # `missing` is exactly this
          missing_parameters_nonempty: true
          exception: metro_one_place      # the exception that applied (null: none)

Reading checks everything a test can get wrong before anything runs — bad YAML, an unknown
key, rule, outcome field, situation path or parameter (with the nearest known one), a value of
the wrong type, an invalid situation, a situation file that is not there — and reports each
with the file and line, in Chinese and English. A broken case is not run; the others are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from tongcheng import yamlio
from tongcheng.consistency.facts import field_at, fields, format_path, parse_path
from tongcheng.errors import SituationError
from tongcheng.pack.model import RulePack, Text
from tongcheng.situation import Situation, parse_situation
from tongcheng.suggest import closest

STATUSES = ("eligible", "ineligible", "undetermined", "not_applicable")
FIRMNESS = ("in_force", "pilot", "promise")
CASE_KEYS = ("name", "situation", "as_of", "expect", "note")
EXPECT_KEYS = (
    "status",
    "firmness",
    "outcome",
    "missing",
    "missing_has",
    "missing_parameters",
    "missing_parameters_has",
    "missing_parameters_nonempty",
    "exception",
)
_LISTS = ("missing", "missing_has", "missing_parameters", "missing_parameters_has")
_UNSET = object()


@attrs.frozen
class Problem:
    """One thing wrong with a test file, at a file and line, said in Chinese and English."""

    file: str
    line: int | None
    message: Text

    def text(self, lang: str = "en") -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message.get(lang)}"


@attrs.frozen
class Expectation:
    """What one case says one rule must decide. ``None`` (or ``_UNSET`` for ``exception``)
    means the case does not check that part."""

    rule: str
    line: int | None
    status: str | None = None
    firmness: str | None = None
    outcome: tuple[tuple[str, Any], ...] = ()
    missing: tuple[str, ...] | None = None
    missing_has: tuple[str, ...] = ()
    missing_parameters: tuple[str, ...] | None = None
    missing_parameters_has: tuple[str, ...] = ()
    missing_parameters_nonempty: bool | None = None
    exception: Any = _UNSET
    lines: Mapping[str, int] = attrs.field(factory=dict)  # the line of each key checked

    @property
    def checks_exception(self) -> bool:
        return self.exception is not _UNSET

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


@attrs.frozen
class Case:
    name: str
    file: str
    line: int | None
    situation: Situation | None
    expectations: tuple[Expectation, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def broken(self) -> bool:
        return bool(self.problems)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@attrs.frozen
class TestFile:
    """A test file as read: its cases, and problems of the file as a whole (no case runs)."""

    path: Path
    shown: str
    cases: tuple[Case, ...]
    problems: tuple[Problem, ...] = ()

    __test__ = False  # not a pytest test class

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for c in self.cases for p in c.problems)]


def _t(zh: str, en: str) -> Text:
    return Text(zh, en)


def _mean(hit: str | None) -> Text:
    if hit is None:
        return _t("", "")
    return _t(f"(是否应为 {hit!r}?)", f" (did you mean {hit!r}?)")


def _join(*parts: Text) -> Text:
    return Text("".join(p.zh for p in parts), "".join(p.en for p in parts))


def _what(value: Any) -> Text:
    """A value's kind in words, for "expected X, got Y"."""
    if value is None:
        return _t("空值", "nothing")
    if isinstance(value, bool):
        return _t(f"布尔值 {value}", f"the boolean {value}")
    if isinstance(value, int | float):
        return _t(f"数字 {value}", f"the number {value}")
    if isinstance(value, str):
        return _t(f"文字 {value!r}", f"the text {value!r}")
    if isinstance(value, dict):
        return _t("映射", "a mapping")
    if isinstance(value, list):
        return _t("列表", "a list")
    if isinstance(value, dt.date):
        return _t(f"日期 {value}", f"the date {value}")
    return _t(type(value).__name__, type(value).__name__)


# --- reading ----------------------------------------------------------------------------------


def read_test_file(path: Path, pack: RulePack, shown: str | None = None) -> TestFile:
    """Read and check a test file against ``pack``. Never raises for bad content: every problem
    is returned with its line."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return TestFile(path, shown, (), (Problem(shown, None, _t(
            "没有这个测试文件", "no such test file")),))
    except (OSError, UnicodeDecodeError) as e:
        return TestFile(path, shown, (), (Problem(shown, None, _t(
            f"无法读取({_why_zh(e)})", f"cannot read: {e}")),))
    try:
        data, lines = yamlio.load_text(text)
    except yamlio.YamlSyntaxError as e:
        message = str(e).removeprefix("not valid YAML: ")
        return TestFile(path, shown, (), (Problem(shown, e.line, _t(
            e.zh, f"not valid YAML: {message}")),))
    if data is None:
        return TestFile(path, shown, (), (Problem(shown, 1, _t(
            "文件是空的: 应为测试用例列表(每项以 '- name: ...' 开头)",
            "the file is empty: expected a list of test cases (each starting with "
            "'- name: ...')")),))
    if not isinstance(data, list):
        return TestFile(path, shown, (), (Problem(shown, yamlio.line_of(lines, ()), _join(_t(
            "应为测试用例列表(每项以 '- name: ...' 开头),实际是",
            "expected a list of test cases (each starting with '- name: ...'), got "),
            _what(data))),))
    reader = _CaseReader(path, shown, pack, lines)
    cases = [reader.case(i, raw) for i, raw in enumerate(data)]
    seen: dict[str, Case] = {}
    out = []
    for case in cases:
        if case.name in seen and case.name:
            first = seen[case.name]
            case = attrs.evolve(case, problems=(*case.problems, Problem(shown, case.line, _t(
                f"用例名 {case.name!r} 重复(第一次在第 {first.line} 行)",
                f"the case name {case.name!r} is used twice (first at line {first.line})"))))
        seen.setdefault(case.name, case)
        out.append(case)
    return TestFile(path, shown, tuple(out))


class _CaseReader:
    def __init__(self, path: Path, shown: str, pack: RulePack, lines: dict) -> None:
        self.path, self.shown, self.pack, self.lines = path, shown, pack, lines
        self.problems: list[Problem] = []

    def line(self, *path: Any) -> int | None:
        return yamlio.line_of(self.lines, path)

    def problem(self, path: tuple, message: Text, file: str | None = None,
                line: int | None = None) -> None:
        self.problems.append(Problem(file or self.shown,
                                     line if line is not None else self.line(*path), message))

    def case(self, i: int, raw: Any) -> Case:
        self.problems = []
        if not isinstance(raw, dict):
            self.problem((i,), _join(_t("测试用例应为映射(name、situation、expect),实际是",
                                        "a test case is a mapping (name, situation, expect); "
                                        "got "), _what(raw)))
            return Case("", self.shown, self.line(i), None, (), tuple(self.problems))
        for key in raw:
            if key not in CASE_KEYS:
                self.problem((i, key), _join(
                    _t(f"未知的键 {key!r}", f"unknown key {key!r}"),
                    _mean(closest(key, CASE_KEYS)),
                    _t(f";用例的键为 {', '.join(CASE_KEYS)}",
                       f"; a case has {', '.join(CASE_KEYS)}")))
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem((i, "name") if "name" in raw else (i,), _t(
                "每个用例需要名称 'name'(文字)", "every case needs a 'name' (a text)"))
            name = f"#{i + 1}"
        as_of = self.as_of(i, raw)
        situation = self.situation(i, raw, as_of)
        expectations = self.expectations(i, raw)
        return Case(name, self.shown, self.line(i), situation, expectations,
                    tuple(self.problems))

    def as_of(self, i: int, raw: dict) -> dt.date | None:
        value = raw.get("as_of")
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem((i, "as_of"), _join(_t("as_of 应为日期 YYYY-MM-DD,实际是",
                                            "as_of: expected a date YYYY-MM-DD, got "),
                                         _what(value)))
        return None

    # -- the situation -------------------------------------------------------------------------

    def situation(self, i: int, raw: dict, as_of: dt.date | None) -> Situation | None:
        if "situation" not in raw:
            self.problem((i,), _t("缺少情形 'situation'(映射,或情形文件名)",
                                  "'situation' is missing (a mapping, or a situation file's "
                                  "name)"))
            return None
        value = raw["situation"]
        if isinstance(value, str):
            return self.situation_file(i, value, as_of)
        if not isinstance(value, dict):
            self.problem((i, "situation"), _join(
                _t("situation 应为映射或情形文件名,实际是",
                   "situation: expected a mapping or a situation file's name, got "),
                _what(value)))
            return None
        return self.validate(value, as_of, self.shown, self.lines, (i, "situation"))

    def situation_file(self, i: int, name: str, as_of: dt.date | None) -> Situation | None:
        file = self.path.parent / name
        shown = str(Path(self.shown).parent / name)
        if not file.is_file():
            self.problem((i, "situation"), _t(
                f"没有情形文件 {name}(相对于测试文件所在目录 {Path(self.shown).parent}/ 查找)",
                f"no situation file {name} (looked for {shown}, beside the test file)"))
            return None
        try:
            data, lines = yamlio.load_file(file)
        except yamlio.YamlSyntaxError as e:
            message = str(e).removeprefix("not valid YAML: ")
            self.problem((), _t(e.zh, f"not valid YAML: {message}"), shown, e.line or 1)
            return None
        except (OSError, UnicodeDecodeError) as e:
            self.problem((i, "situation"), _t(f"无法读取 {shown}({_why_zh(e)})",
                                              f"cannot read {shown}: {e}"))
            return None
        if not isinstance(data, dict):
            self.problem((), _join(_t("情形文件应为映射,实际是",
                                      "a situation file holds a mapping, got "), _what(data)),
                         shown, 1)
            return None
        return self.validate(data, as_of, shown, lines, ())

    def validate(self, data: dict, as_of: dt.date | None, file: str, lines: dict,
                 prefix: tuple) -> Situation | None:
        try:
            return parse_situation(data, as_of=as_of, services=self.pack.service_ids)
        except SituationError as e:
            for p in e.problems:
                path = parse_path(p.path) if p.path else ()
                line = yamlio.line_of(lines, (*prefix, *(path or ())))
                where = f"situation.{p.path}" if prefix and p.path else p.path or "situation"
                self.problems.append(Problem(file, line, _t(
                    f"情形无效: {where}: {p.zh or p.message}",
                    f"invalid situation: {where}: {p.message}")))
            return None

    # -- expectations --------------------------------------------------------------------------

    def expectations(self, i: int, raw: dict) -> tuple[Expectation, ...]:
        expect = raw.get("expect")
        if "expect" not in raw:
            self.problem((i,), _t("缺少期望 'expect'(按规则编号列出应得的判断)",
                                  "'expect' is missing (what each named rule must decide)"))
            return ()
        if not isinstance(expect, dict) or not expect:
            self.problem((i, "expect"), _join(
                _t("expect 应为以规则编号为键的非空映射,实际是",
                   "expect: expected a mapping from rule ids to what they must decide, got "),
                _what(expect)))
            return ()
        out = []
        for rule_id, spec in expect.items():
            got = self.expectation(i, str(rule_id), spec)
            if got is not None:
                out.append(got)
        return tuple(out)

    def expectation(self, i: int, rule_id: str, spec: Any) -> Expectation | None:
        at = (i, "expect", rule_id)
        if rule_id not in self.pack.rule_ids:
            self.problem(at, _join(_t(f"规则包中没有规则 {rule_id!r}",
                                      f"the pack has no rule {rule_id!r}"),
                                   _mean(closest(rule_id, self.pack.rule_ids))))
            return None
        if not isinstance(spec, dict) or not spec:
            self.problem(at, _join(_t(f"{rule_id}: 应为非空映射(status、outcome 等),实际是",
                                      f"{rule_id}: expected a mapping (status, outcome, ...), "
                                      "got "), _what(spec)))
            return None
        values: dict[str, Any] = {}
        for key, value in spec.items():
            if key not in EXPECT_KEYS:
                self.problem((*at, key), _join(
                    _t(f"{rule_id}: 未知的期望 {key!r}", f"{rule_id}: unknown expectation "
                       f"{key!r}"), _mean(closest(key, EXPECT_KEYS)),
                    _t(f";可用的有 {', '.join(EXPECT_KEYS)}",
                       f"; one of {', '.join(EXPECT_KEYS)}")))
                continue
            checked = self.value(at, rule_id, key, value)
            if checked is not _UNSET:
                values[key] = checked
        lines = {k: self.line(*at, k) for k in spec if isinstance(k, str)}
        return Expectation(rule_id, self.line(*at), lines={k: v for k, v in lines.items() if v},
                           **values)

    def value(self, at: tuple, rule_id: str, key: str, value: Any) -> Any:
        rule = self.pack.rule(rule_id)
        where = (*at, key)
        if key in ("status", "firmness"):
            allowed = STATUSES if key == "status" else FIRMNESS
            if value not in allowed:
                self.problem(where, _join(
                    _t(f"{rule_id}: {key} 应为 {' | '.join(allowed)} 之一,实际是",
                       f"{rule_id}: {key}: expected one of {' | '.join(allowed)}, got "),
                    _what(value),
                    _mean(closest(value, allowed)) if isinstance(value, str) else _t("", "")))
                return _UNSET
            return value
        if key == "outcome":
            return self.outcome(where, rule_id, rule, value)
        if key in _LISTS:
            return self.paths(where, rule_id, key, value)
        if key == "missing_parameters_nonempty":
            if not isinstance(value, bool):
                self.problem(where, _join(_t(f"{rule_id}: {key} 应为 true 或 false,实际是",
                                             f"{rule_id}: {key}: expected true or false, got "),
                                          _what(value)))
                return _UNSET
            return value
        # exception: the label of the exception that applied, or null for none
        labels = [e.label for e in rule.exceptions]
        if value is not None and value not in labels:
            known = ", ".join(labels) or _t("(无)", "(none)").en
            self.problem(where, _join(
                _t(f"{rule_id}: 没有例外 {value!r};其例外为 {known}",
                   f"{rule_id}: has no exception {value!r}; its exceptions: {known}"),
                _mean(closest(str(value), labels))))
            return _UNSET
        return value

    def outcome(self, where: tuple, rule_id: str, rule: Any, value: Any) -> Any:
        if not isinstance(value, dict):
            self.problem(where, _join(_t(f"{rule_id}: outcome 应为 字段: 值 的映射,实际是",
                                         f"{rule_id}: outcome: expected a mapping of field: "
                                         "value, got "), _what(value)))
            return _UNSET
        known = [c.name for c in rule.outcome]
        for e in rule.exceptions:
            known += [c.name for c in e.outcome if c.name not in known]
        good = []
        for name, expected in value.items():
            if name not in known:
                self.problem((*where, name), _join(
                    _t(f"{rule_id}: 没有结果字段 {name!r}", f"{rule_id} has no outcome field "
                       f"{name!r}"), _mean(closest(str(name), known)),
                    _t(f";其结果字段为 {', '.join(known) or '(无)'}",
                       f"; its outcome fields: {', '.join(known) or '(none)'}")))
                continue
            good.append((str(name), expected))
        return tuple(good)

    def paths(self, where: tuple, rule_id: str, key: str, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(where, _join(_t(f"{rule_id}: {key} 应为文字列表,如 [insurance],实际是",
                                         f"{rule_id}: {key}: expected a list of texts such as "
                                         "[insurance], got "), _what(value)))
            return _UNSET
        for n, text in enumerate(value):
            message = (_parameter_problem(self.pack, text) if "parameters" in key
                       else _path_problem(text))
            if message is not None:
                self.problem((*where, n), _join(_t(f"{rule_id}: {key}: ", f"{rule_id}: {key}: "),
                                                message))
        return tuple(value)


def _path_problem(text: str) -> Text | None:
    """Why ``text`` is not a situation path, with the nearest known field; None when it is."""
    path = parse_path(text)
    if path is None:
        return _t(f"{text!r} 不是情形路径(如 insurance[0].place)",
                  f"{text!r} is not a situation path (such as insurance[0].place)")
    if field_at(path) is not None:
        return None
    # Walk as far as the path is known, then suggest at the first unknown key.
    for n in range(len(path), 0, -1):
        head = path[:n - 1]
        key = path[n - 1]
        parent = field_at(head) if head else None
        if head and parent is None:
            continue
        if isinstance(key, int):
            return _t(f"{text!r}: {format_path(head)} 不是列表",
                      f"{text!r}: {format_path(head)} is not a list")
        model = parent.model if parent is not None else Situation
        if parent is not None and parent.name == "list":
            return _t(f"{text!r}: 列表 {format_path(head)} 的字段需要序号,如 "
                      f"{format_path(head)}[0].{key}",
                      f"{text!r}: a field of the list {format_path(head)} needs an index, such "
                      f"as {format_path(head)}[0].{key}")
        known = list(fields(model)) if model is not None else []
        if model is Situation:
            known.append("as_of")
        return _join(_t(f"{text!r}: 情形中没有字段 {format_path(path[:n])}",
                        f"{text!r}: the situation has no field {format_path(path[:n])}"),
                     _mean(closest(str(key), known)))
    return _t(f"{text!r} 不是情形路径", f"{text!r} is not a situation path")


def _parameter_problem(pack: RulePack, text: str) -> Text | None:
    name = text.split("[", 1)[0]
    if name in pack.parameters:
        return None
    return _join(_t(f"规则包中没有参数 {name!r}", f"the pack has no parameter {name!r}"),
                 _mean(closest(name, pack.parameters)))


# --- finding test files -----------------------------------------------------------------------


def pack_test_files(root: Path) -> list[Path]:
    """The test files a pack carries: ``tests/*.yaml`` (and ``*.yml``) in its folder. Files in
    folders below ``tests/`` are not read as tests: situation files go there."""
    folder = root / "tests"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix in (".yaml", ".yml"))


def is_pack_test_file(path: Path) -> bool:
    """Whether ``path`` is a test file of a pack (``PACK/tests/NAME.yaml`` beside pack.yaml)."""
    return (path.suffix in (".yaml", ".yml") and path.parent.name == "tests"
            and (path.parent.parent / "pack.yaml").is_file())


def pack_of(path: Path) -> Path | None:
    """The pack folder a test file or folder belongs to, when it lies inside one."""
    for folder in [path, *path.resolve().parents]:
        if folder.is_dir() and (folder / "pack.yaml").is_file():
            return folder
    return None


def _why_zh(error: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in Chinese (``wording.os_problem``; text that is not
    UTF-8)."""
    from tongcheng.wording import os_problem

    if isinstance(error, UnicodeDecodeError):
        return f"不是 UTF-8 文本(第 {error.start} 字节)"
    return os_problem(error, "zh")
