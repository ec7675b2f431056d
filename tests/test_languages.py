"""Both languages, fully (issue 11, item 4): every rule, reason, question, parameter reference,
outcome and validation message, in Chinese and in English, has no words of the other language.

A Chinese text may hold ASCII only as codes, ids, numbers, paths, formats (YYYY-MM-DD, JSON)
and what the user typed (quoted '...'); an English text may hold Han only inside quotes of
source text (“…”, "…", 《…》, ‘…’), as an article or document number of a source, or as the proper
names listed below (places, zones, the 琴岛通 card). Checked on the library's JSON, the table the
command line prints, ``tongcheng rules`` and ``tongcheng coverage``, every question, and a
catalogue of bad inputs producing every kind of validation problem.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from ruamel.yaml import YAML

import tongcheng
from tongcheng import wording
from tongcheng.coverage import coverage
from tongcheng.errors import SituationError
from tongcheng.evaluate.decision import basis_json
from tongcheng.pack.model import local
from tongcheng.places import default_registry
from tongcheng.questions import _QUESTIONS, question_for
from tongcheng.render import (
    render_coverage,
    render_evaluation,
    render_rule,
    render_rules,
    show,
)
from tongcheng.situation import (
    CARD_KINDS,
    CREDITS,
    EMPLOYMENTS,
    RESULT_KINDS,
    SCHEMES,
    SEXES,
    TALENTS,
    Situation,
    load_situation,
    parse_situation,
)

ROOT = Path(__file__).resolve().parents[1]
PACK = tongcheng.bundled_pack()
REGISTRY = default_registry()

# --- what each language may hold of the other -------------------------------------------------

_HAN = re.compile(r"[\u3400-\u9fff]")
# quoted source text, what the user typed and `code`: removed before looking at the words
_QUOTED = re.compile(r"“[^“”]*”|《[^《》]*》|\"[^\"]*\"|‘[^‘’]*’|「[^「」]*」|`[^`]*`|"
                     r"(?<![A-Za-z])'[^']*'(?![A-Za-z])")
# a source term glossed in brackets after its English words: "to explore" (探索)
_GLOSS = re.compile(r"[(（][\u3400-\u9fff“”‘’、…·]+[)）]")
# article and document references of the sources: 第七章第三节, 二(六)22, 鲁政字〔2023〕168号
_CITATION = re.compile(r"第[一二三四五六七八九十]+章(第[一二三四五六七八九十]+节)?|"
                       r"[一二三四五六七八九十]+\([一二三四五六七八九十]+\)\d+|"
                       r"[\u3400-\u9fff]+〔\d{4}〕\d+号")


def _proper_names() -> list[str]:
    names = {p.name_zh for p in REGISTRY}
    names |= {n[:-1] for n in names if len(n) > 2 and n[-1] in "市区县"}  # 青岛, 莱西
    for zone in PACK.zones.values():
        names |= {zone.name.zh, zone.name.zh.split("（")[0]}
    names |= {"琴岛通", "双莱", "胶东五市"}  # the card's brand; the zones' own short names
    return sorted(names, key=len, reverse=True)


PROPER_NAMES = _proper_names()
_NAMES = re.compile("|".join(re.escape(n) for n in PROPER_NAMES))


def _codes() -> set[str]:
    """ASCII a Chinese text may hold: codes, ids, keys, formats."""
    words = {
        *SEXES, *EMPLOYMENTS, *SCHEMES, *CARD_KINDS, *RESULT_KINDS, *TALENTS, *CREDITS,
        "high", "medium", "low", "in_force", "pilot", "promise", "true", "false", "null",
        "JSON", "YAML", "UTF-8", "YYYY-MM", "YYYY-MM-DD", "GB/T", "GDP", "CT", "A", "sha256",
        "zh", "en", "kind", "industry", "persons", "id", "tongcheng", "inf", "nan",
    }
    words |= set(PACK.rule_ids) | set(PACK.zones) | set(PACK.parameters) | set(PACK.documents)
    words |= set(PACK.info.terms) | {r.domain for r in PACK.rules} | PACK.service_ids
    words.add(PACK.info.name)
    words |= {s.channel for s in PACK.services}

    def keys(model: Any) -> None:
        for name, info in model.model_fields.items():
            words.add(info.alias or name)
            for arg in getattr(info.annotation, "__args__", ()) or ():
                inner = getattr(arg, "__args__", None)
                for t in (arg, *(inner or ())):
                    if isinstance(t, type) and hasattr(t, "model_fields"):
                        keys(t)

    keys(Situation)
    for parameter in PACK.parameters.values():  # keys of record values: {male: 300, ...}
        for values in parameter.places.values():
            for v in values:
                if isinstance(v.value, dict):
                    words |= set(v.value)
    for rule in PACK.rules:  # outcome fields are keys of the answer (the table shows them)
        for clause in (*rule.outcome, *(c for e in rule.exceptions for c in e.outcome)):
            words.add(clause.name)
    return words


CODES = _codes()
_ASCII = re.compile(r"[A-Za-z][A-Za-z0-9_./\-\[\]']*")


def _unquoted(text: str) -> str:
    """``text`` without its quoted parts (innermost first: a quote may quote a quote)."""
    while True:
        rest = _QUOTED.sub("", text)
        if rest == text:
            return rest
        text = rest


def foreign(text: str, lang: str) -> list[str]:
    """The bits of ``text`` that are in the other language (empty when it is all in ``lang``)."""
    if lang == "en":
        rest = _unquoted(text)
        rest = _CITATION.sub("", rest)
        rest = _GLOSS.sub("", rest)
        if _HAN.search(rest):
            rest = _NAMES.sub("", rest)
        return [rest] if _HAN.search(rest) else []
    rest = _unquoted(text)
    bad = []
    for token in _ASCII.findall(rest):
        token = token.rstrip(".-/']")
        if not token or token in CODES or "_" in token or "." in token or "[" in token:
            continue
        if all(part in CODES for part in token.split("/")):
            continue  # medium/low
        if re.fullmatch(r"[A-Za-z]", token) or re.search(r"\d", token):
            continue  # a letter (A级) or a code with digits
        bad.append(token)
    return bad


def check(texts: Iterator[tuple[str, str]], lang: str) -> list[str]:
    found = []
    for where, text in texts:
        bits = foreign(text, lang)
        if bits:
            found.append(f"{where}: {bits} in {text[:160]!r}")
    return found


def assert_in_language(texts: Iterator[tuple[str, str]], lang: str) -> None:
    found = check(texts, lang)
    assert not found, f"{len(found)} text(s) not in {lang}:\n" + "\n".join(found[:40])


def test_the_checker_catches_each_language_in_the_other():
    assert {"ID", "required"} <= set(foreign("琴岛通老年卡 (ID card required)", "zh"))
    assert foreign("(as reported by 半岛都市报)", "en")
    assert foreign("True", "zh") == ["True"]
    assert not foreign("person.sex: 应为以下之一:male, female;实际为字符串 'mal'", "zh")
    assert not foreign("370200 青岛市 is in Qingdao Metropolitan Area (青岛都市圈)", "en")
    assert not foreign("The plan sets “实现户籍准入年限同城化累计互认”", "en")


# --- the corpus: every situation the tests know -----------------------------------------------


def _situations() -> list[dict[str, Any]]:
    out = []
    for path in sorted((ROOT / "rules" / "tests").glob("*.yaml")):  # the pack's own cases
        cases = YAML(typ="safe", pure=True).load(path.read_text("utf-8"))
        out += [case["situation"] for case in cases if isinstance(case["situation"], dict)]
    golden = YAML(typ="safe", pure=True).load(
        (ROOT / "tests" / "data" / "golden-cases.yaml").read_text("utf-8"))
    out += [case["situation"] for case in golden]
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        out.append(load_situation(path).to_dict())
    return out


@pytest.fixture(scope="module")
def evaluations() -> list[Any]:
    return [tongcheng.evaluate(s, PACK) for s in _situations()]


_DATA_KEYS = {"rule", "status", "firmness", "kind", "name", "expression", "facts", "value",
              "missing", "missing_parameters", "path", "source", "file", "url", "number",
              "article", "quote", "issued", "at", "place", "parameter", "confidence", "settles",
              "outcome", "as_of", "rule_pack", "undated", "flagged", "exception"}


def json_texts(value: Any, lang: str, where: str = "") -> Iterator[tuple[str, str]]:
    """The words of a JSON answer a person reads (not codes, data or quoted sources)."""
    if isinstance(value, dict):
        if set(value) == {"zh", "en"}:
            yield where, value[lang]
            return
        for key, item in value.items():
            if key not in _DATA_KEYS:
                yield from json_texts(item, lang, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_texts(item, lang, f"{where}[{i}]")
    elif isinstance(value, str):
        yield where, value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_decisions_reasons_and_questions_in_json(evaluations, lang):
    texts = []
    for result in evaluations:
        texts += list(json_texts(result.to_json(lang), lang))
    assert len(texts) > 5000
    assert_in_language(iter(texts), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_outcomes_as_a_person_reads_them(evaluations, lang):
    terms = PACK.info.terms
    texts = [
        (f"{d.rule}.{k}", show(v, lang, terms))
        for result in evaluations for d in result.decisions for k, v in d.outcome.items()
    ]
    assert_in_language(iter(texts), lang)
    shown = " ".join(t for _, t in texts)
    assert ("是" if lang == "zh" else "yes") in shown.split()  # booleans are words
    assert "True" not in shown and "False" not in shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_table_the_command_line_prints(evaluations, lang):
    texts = []
    for i, result in enumerate(evaluations[::12]):  # each renders every rule
        buffer = io.StringIO()
        render_evaluation(result, Console(file=buffer, width=10_000, highlight=False), lang)
        texts += [(f"table {i}", line) for line in buffer.getvalue().splitlines()]
    assert_in_language(iter(texts), lang)


def _clauses(rule: Any) -> list[Any]:
    out = [*rule.lets, *rule.scope, *rule.conditions, *rule.outcome]
    for e in rule.exceptions:
        out += [*e.applies, *(e.conditions or ()), *e.outcome]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rules_zones_and_bases(lang):
    texts = []
    for rule in PACK.rules:
        texts.append((rule.id, rule.title.get(lang)))
        for clause in (*rule.lets, *rule.scope, *rule.conditions, *rule.outcome):
            if clause.label.zh != clause.name:  # a definition without a label shows none
                texts.append((f"{rule.id}.{clause.name}", clause.label.get(lang)))
        if rule.reading:
            texts.append((f"{rule.id}.reading", rule.reading.get(lang)))
        for e in rule.exceptions:
            texts.append((f"{rule.id}.{e.label}", e.title.get(lang)))
            for clause in (*e.applies, *(e.conditions or ()), *e.outcome):
                texts.append((f"{rule.id}.{e.label}.{clause.name}", clause.label.get(lang)))
        for b in (*rule.basis, *(b for e in rule.exceptions for b in e.basis)):
            texts += list(json_texts(basis_json(b, lang), lang, f"{rule.id}.basis"))
        buffer = io.StringIO()
        render_rule(PACK, rule, Console(file=buffer, width=10_000, highlight=False), lang)
        for line in buffer.getvalue().splitlines():
            for c in _clauses(rule):  # "name: label: expression": the name and code as written
                if line.rstrip().endswith(c.text):
                    line = line.rstrip()[: -len(c.text)].replace(f"{c.name}:", "", 1)
                    break
            texts.append((f"rules {rule.id}", line))
    for zone in PACK.zones.values():
        texts.append((zone.id, zone.name.get(lang)))
        for b in zone.basis:
            texts += list(json_texts(basis_json(b, lang), lang, f"{zone.id}.basis"))
    for code, term in PACK.info.terms.items():
        texts.append((f"term {code}", term.get(lang)))
    buffer = io.StringIO()
    render_rules(PACK, Console(file=buffer, width=10_000, highlight=False), lang)
    texts += [("rules", line) for line in buffer.getvalue().splitlines()]
    assert_in_language(iter(texts), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_parameters_their_references_and_notes(lang):
    texts = []
    for parameter in PACK.parameters.values():
        texts.append((parameter.id, parameter.description.get(lang)))
        for place, values in parameter.places.items():
            for v in values:
                where = f"{parameter.id}[{place}]"
                texts.append((f"{where}.reference", str(local(v.reference, lang))))
                if v.note:
                    texts.append((f"{where}.note", str(local(v.note, lang))))
    assert_in_language(iter(texts), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coverage_report(lang):
    buffer = io.StringIO()
    render_coverage(coverage(PACK), Console(file=buffer, width=10_000, highlight=False), lang)
    texts = [("coverage", line) for line in buffer.getvalue().splitlines()]
    assert_in_language(iter(texts), lang)


def _question_paths(evaluations: list[Any]) -> set[str]:
    paths = {p for result in evaluations for d in result.decisions for p in d.missing}
    for pattern, _, _ in _QUESTIONS:  # one instance of each pattern
        path = pattern.strip("^$").replace("(\\.periods)?", "").replace("(out|in)", "out")
        path = path.replace("(from|to)", "from").replace("\\[\\d+\\]", "[0]")
        paths.add(path.replace("\\.", "."))
    return paths


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_question(evaluations, lang):
    paths = _question_paths(evaluations)
    texts = [(path, question_for(path, lang)) for path in sorted(paths)]
    assert_in_language(iter(texts), lang)


def test_every_missing_fact_has_a_worded_question(evaluations):
    generic = [p for p in _question_paths(evaluations)
               if question_for(p, "en") == f"What is {p}?"]
    assert not generic, generic


# --- validation messages: a catalogue of bad inputs producing every kind ----------------------

OK = {"as_of": "2025-06-01", "target": "370200"}
BAD_INPUTS: list[tuple[str, Any]] = [
    ("expected_month", {**OK, "insurance": [{"scheme": "pension", "place": "370200",
                                             "from": 201501}]}),
    ("month_not_calendar", {**OK, "insurance": [{"scheme": "pension", "place": "370200",
                                                 "from": "2015-13"}]}),
    ("year_too_early", {**OK, "insurance": [{"scheme": "pension", "place": "370200",
                                             "from": "1899-12"}]}),
    ("expected_date", {**OK, "person": {"birth_date": "yesterday"}}),
    ("impossible_date", ("bad.yaml", "as_of: 2025-06-01\nperson:\n  birth_date: 1965-02-30\n")),
    ("expected_amount", {**OK, "provident_fund": {"balance": "lots"}}),
    ("amount_not_finite", {**OK, "provident_fund": {"balance": float("inf")}}),
    ("amount_too_large", {**OK, "provident_fund": {"balance": 10**14}}),
    ("negative", {**OK, "provident_fund": {"balance": -1}}),
    ("expected_count", {**OK, "provident_fund": {"outstanding_loans": 1.5}}),
    ("expected_place", {**OK, "target": "Qingdao"}),
    ("unknown_place", {**OK, "target": "999999"}),
    ("retired_place", {**OK, "target": "370282"}),
    ("expected_choice", {**OK, "person": {"sex": "m"}}),
    ("hospital_grade", {**OK, "request": {"hospital_grade": 4}}),
    ("expected_mapping", {**OK, "person": "someone"}),
    ("unknown_key", {**OK, "persn": {}}),
    ("missing_key", {**OK, "cards": [{"kind": "transit"}]}),
    ("expected_list", {**OK, "cards": "transit"}),
    ("expected_bool", {**OK, "provident_fund": {"couple_application": "yes"}}),
    ("expected_string", {**OK, "request": {"service": 7}}),
    ("expected_situation", "- just\n- a list\n"),
    ("to_before_from", {**OK, "insurance": [{"scheme": "pension", "place": "370200",
                                             "from": "2015-01", "to": "2014-01"}]}),
    ("only_when_retired", {**OK, "person": {"employment": "employed",
                                            "retired_on": "2020-01-01"}}),
    ("before_birth", {**OK, "person": {"birth_date": "1960-01-01", "employment": "retired",
                                       "retired_on": "1950-01-01"}}),
    ("after_as_of", {**OK, "person": {"birth_date": "2030-01-01"}}),
    ("unknown_service", {**OK, "request": {"service": "hukou_migraton"}}),
    ("one_subject", {**OK, "project": {"name": "x"}, "enterprise": {"name": "y"}}),
    ("not_json", ("bad.json", '{"as_of": "2025-06-01",\n "target": }')),
    ("cannot_read", ("missing.yaml", None)),
    ("duplicate_key", '{"as_of": "2025-06-01", "as_of": "2025-06-02"}'),
    ("not_yaml", "as_of: 2025-06-01\nperson: {sex: male\n"),
    ("not_utf8", b"target: '370200' # J\xedm\xf2"),
    ("too_deep", '{"as_of": "2025-06-01", "person": ' + "[" * 70 + "]" * 70 + "}"),
    ("number_too_long", '{"as_of": "2025-06-01", "target": ' + "7" * 5000 + "}"),
    ("lone_surrogate", {**OK, "request": {"service": "hukou\ud800"}}),
    ("too_many_items", {**OK, "cards": [{"kind": "transit", "issuer": "370200"}] * 1001}),
    ("too_large", ("big.json", '{"as_of": "2025-06-01", "x": "' + "y" * 2**20 + '"}')),
]
# Kinds no input of today's model reaches, each with why (kept so nothing goes unworded).
UNREACHABLE = {
    "expected_null": "no field of the model is null-only",
    "invalid": "every pydantic error the model can raise has its own words",
}


def _refusal(data: Any, tmp: Path) -> SituationError:
    """The error a bad input gets (a (file name, text) pair is read from a file)."""
    with pytest.raises(SituationError) as caught:
        if isinstance(data, tuple):
            name, text = data
            if text is not None:
                (tmp / name).write_text(text, encoding="utf-8")
            load_situation(tmp / name, services=PACK.service_ids)
        else:
            parse_situation(data, services=PACK.service_ids)
    return caught.value


def _problems(data: Any, tmp: Path) -> list[Any]:
    return _refusal(data, tmp).problems


def test_the_catalogue_reaches_every_kind_of_problem(tmp_path):
    reached = {}
    for kind, data in BAD_INPUTS:
        codes = {p.code for p in _problems(data, tmp_path)}
        assert kind in codes, (kind, codes)
        reached[kind] = codes
    assert set(wording.KINDS) == set(reached) | set(UNREACHABLE)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_validation_message(tmp_path, lang):
    texts = []
    for kind, data in BAD_INPUTS:
        error = _refusal(data, tmp_path)
        described = error.describe(lang)
        for p in error.problems:  # a path may hold what the user typed (an unknown key)
            described = described.replace(f"{p.path}: ", "")
            texts.append((f"{kind} {p.path}", p.text(lang)))
        texts.append((kind, described))
    assert len(texts) > len(BAD_INPUTS)
    assert_in_language(iter(texts), lang)


def test_an_impossible_yaml_date_is_named_by_path_and_line_with_every_other_problem(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("as_of: 2025-06-01\ntarget: \"370200\"\nperson:\n  birth_date: 1965-02-30\n"
                    "  sex: mal\ninsurance:\n  - {scheme: pension, place: \"370200\", "
                    "from: 2015-13}\n", encoding="utf-8")
    with pytest.raises(SituationError) as caught:
        load_situation(path)
    found = {(p.path, p.line, p.code) for p in caught.value.problems}
    assert found == {("person.birth_date", 4, "impossible_date"),
                     ("person.sex", 5, "expected_choice"),
                     ("insurance[0].from", 7, "month_not_calendar")}
    assert f"{path}:4: person.birth_date: " in caught.value.describe("en")
    assert f"{path}:4: person.birth_date: " in caught.value.describe("zh")


# --- tongcheng screen: the rejects' reasons and the closing line ------------------------------

_SCREEN_GOOD = {"as_of": "2025-06-01", "target": "370200",
                "insurance": [{"scheme": "employee_medical", "place": "370200",
                               "from": "2016-01"}]}
_SCREEN_BAD = {"as_of": "2025-06-01", "target": "370200", "persn": {},
               "insurance": [{"scheme": "employee_medical", "place": "370600",
                              "from": "2016-01", "to": "2015-12"}]}


def _screen_inputs(tmp: Path) -> list[Path]:
    """A JSON Lines file and a CSV file with rows refused in every way the readers know."""
    import json

    jsonl = tmp / "people.jsonl"
    jsonl.write_bytes(b"\n".join([
        json.dumps(_SCREEN_GOOD).encode(), json.dumps(_SCREEN_BAD).encode(), b"{not json",
        b"", b'{"target": "370200", "as_of": "2025-06-01\xff"}',
        json.dumps({**_SCREEN_GOOD, "id": [1]}).encode(),
        json.dumps({**_SCREEN_GOOD, "as_of": 7}).encode(),
        json.dumps({"as_of": "2025-06-01", "insurance": [{"from": 1e999}]}).encode(),
    ]) + b"\n")
    csv = tmp / "people.csv"
    csv.write_bytes(b"id,as_of,target,person.sex,insurance\n"
                    b"a,2025-06-01,370200,male,\n"
                    b"b,2025-06-01,370200,mail,\n"
                    b"c,2025-06-01,370200\n"
                    b'd,2025-06-01,370200,male,"[{""from"": }]"\n'
                    b"e,2025-06-01,37\xfe200,male,\n")
    return [jsonl, csv]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screen_rejects_and_closing_line(tmp_path, lang):
    import json

    from click.testing import CliRunner

    from tongcheng.cli import main

    texts: list[tuple[str, str]] = []
    for src in _screen_inputs(tmp_path):
        out = tmp_path / f"{src.stem}-{lang}.parquet"
        args = ["screen", str(src), "-o", str(out), *([] if lang == "zh" else ["--lang", lang])]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 1, result.output
        rejects = [json.loads(line) for line in
                   Path(f"{out}.rejects.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(rejects) >= 4
        for r in rejects:
            reason = r["reason"]
            for p in r["problems"]:  # a path may hold what the user typed (an unknown key)
                reason = reason.replace(f"{p['path']}:", "")
                texts.append((f"{src.name} row {r['row']} {p['path']}", p["message"]))
            texts.append((f"{src.name} row {r['row']}", reason))
        closing = result.stderr.strip().splitlines()[-1]
        assert ("已筛查" if lang == "zh" else "screened") in closing
        # the file names and the format name are what the user gave: not words of a language
        texts.append(("closing line", closing.replace(str(out), "").replace("(parquet)", "")
                      .replace("rejects.jsonl", "").replace("summary.json", "")))
    assert_in_language(iter(texts), lang)
    reasons = " ".join(t for _, t in texts)
    if lang == "zh":
        assert "不是有效的 JSON" in reasons and "空行" in reasons and "UTF-8" in reasons
        assert "单元格" in reasons
    else:
        assert "not valid JSON" in reasons and "empty line" in reasons


# --- what screen and compare say when they stop ------------------------------------------------

# option names, format names and function names are code: not words of a language
_COMMAND_CODE = re.compile(r"--[a-z][a-z-]*|[A-Za-z_]+\(\)(/[A-Za-z_]+\(\))*|"
                           r"(?<![.\w])\.?(?:Parquet|parquet|CSV|csv|jsonl)(?![.\w])|\b[a-z]+=")


def _stops(tmp: Path) -> list[list[str]]:
    """Commands of ``screen`` and ``compare`` that stop (or note) something, one of each kind."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    good = tmp / "good.jsonl"
    good.write_text(json.dumps(_SCREEN_GOOD) + "\n", encoding="utf-8")
    files = {"header.csv": b"as_of,persn.sex\n2025-06-01,male\n", "twice.csv": b"id,id\n",
             "empty.csv": b"", "broken.parquet": b"not parquet"}
    for name, content in files.items():
        (tmp / name).write_bytes(content)
    for name, column in (("struct", {"person": ["x"]}), ("place", {"target": [1.5]}),
                         ("list", {"insurance": [1]}), ("unknown", {"persn.sex": ["male"]})):
        pq.write_table(pa.table(column), tmp / f"{name}.parquet")
    (tmp / "folder.jsonl").mkdir()
    out = ["-o", str(tmp / "out.parquet")]
    screens = [[str(tmp / name), *out] for name in (
        "missing.jsonl", "header.csv", "twice.csv", "empty.csv", "broken.parquet",
        "struct.parquet", "place.parquet", "list.parquet", "unknown.parquet", "folder.jsonl")]
    screens += [[str(good), "-o", str(tmp / "no" / "x.parquet")], [str(good), "-o", str(tmp)],
                [str(good), *out, "--rule", "transit.senior_free_rid"],
                [str(good), "-o", str(tmp / "x.csv"), "--output-format", "jsonl"],
                [str(good), "-o", str(tmp / "x.csv"), "--format", "csv"],
                [str(good), *out, "--pack", str(ROOT / "tests" / "packs" / "screen-rule-errors")]]
    report = ["-o", str(tmp / "report")]
    compares = [[str(tmp / "missing.parquet"), *report], [str(tmp / "broken.parquet"), *report],
                [str(good), *report, "--new", "bundled@2026-02-30"],
                [str(good), *report, "--base", "bundled@soon@2026-01-01x"],
                [str(good), *report, "--no-html"]]
    return [["screen", *a] for a in screens] + [["compare", *a] for a in compares]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_what_screen_and_compare_say_when_they_stop(tmp_path, lang):
    from click.testing import CliRunner

    from tongcheng.cli import main

    texts = []
    stops = _stops(tmp_path)
    for args in stops:
        result = CliRunner().invoke(main, [*args, "--lang", lang], catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), result.output
        for line in result.stderr.splitlines():
            if not line.startswith(" "):  # the tables are checked apart, above
                texts.append((" ".join(args[:2]), _COMMAND_CODE.sub(" ", line)))
    assert len(texts) >= len(stops)
    assert_in_language(iter(texts), lang)


def _worded_calls() -> Iterator[tuple[str, Any, Any]]:
    """Every error of ``screen``/``compare`` raised in both languages: (where, English, Chinese)
    as written at the raise site, a formatted value standing as ``0``."""
    import ast

    needs = {"LayoutError": 2, "NotCompilable": 2, "FormatError": 2, "SideError": 2,
             "_kind_error": 4, "_exactly": 3}

    def text(node: Any) -> str | None:
        if isinstance(node, ast.Constant):
            return str(node.value)
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else " 0 " for v in node.values)
        return None

    package = Path(tongcheng.__file__).parent
    for path in sorted([*(package / "batch").rglob("*.py"), *(package / "compare").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            name = getattr(name, "id", None) or getattr(name, "attr", None)
            if isinstance(node, ast.Call) and name in needs and len(node.args) >= needs[name]:
                n = needs[name]
                yield f"{path.name}:{node.lineno}", text(node.args[n - 2]), text(node.args[n - 1])


def test_every_reason_a_rule_falls_back_and_every_layout_error_in_both_languages():
    calls = [c for c in _worded_calls() if c[1] is not None and c[2] is not None]
    assert len(calls) > 80  # about 60 reasons a rule is decided row by row, 20 layout errors
    assert_in_language(((f"{where} zh", _COMMAND_CODE.sub(" ", zh)) for where, _, zh in calls),
                       "zh")
    assert_in_language(((f"{where} en", en) for where, en, _ in calls), "en")
