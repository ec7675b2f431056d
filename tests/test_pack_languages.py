"""A rule pack that fails to load says why in both languages: every problem of every bad pack
here (the tiny pack broken in each way the loader, the expression checker, the YAML guards, an
overlay, the triggers and the catalogue refuse, and the bundled pack broken as packtools'
breakages do) is Chinese in ``zh`` — no English word left once paths, ids, the format's keys
and quoted parts are set aside — and English in ``en``; a few wordings are pinned in both.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

import tongcheng
from hostile.hostiletools import laughs, tiny_pack
from packtools import BREAKAGE_IDS, BREAKAGES, copy_pack
from tongcheng import yamlio
from tongcheng.cases.triggers import CASE_EVENTS, load_triggers
from tongcheng.coverage import load_catalogue
from tongcheng.errors import Location, PackError, PackProblem
from tongcheng.expr.functions import CATALOGUE

HERE = Path(__file__).resolve().parent
OVERLAYS = HERE / "packs" / "overlays"
RULE = "rules/tiny.yaml"
PARAMS = "parameters/tiny.yaml"
OUTCOME = "      expr: count(months(insurance))"
QUOTE = "推动测试区域内缴费年限互认"
BASIS = f"[{{document: tiny_notice, quote: {QUOTE}}}]"

# --- telling the languages apart -------------------------------------------------------------

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|“[^”]*”|`[^`]*`|《[^》]*》")
_WORD = re.compile(r"-{0,2}[A-Za-z_][A-Za-z0-9_]*(?:[./\-][A-Za-z0-9_]+)*[/(]?")
_HAN = re.compile(r"[\u3400-\u9fff]")
_PLACE_NAME = re.compile(r"\([\u3400-\u9fff]+\)")  # a place's name beside its code
# Words a Chinese text may hold as they are: formats, encodings, the language's keywords.
_AS_WRITTEN = {"YAML", "JSON", "MiB", "NaN", "YYYY", "true", "false", "null", "item", "then",
               "else", "target", "as_of"}


def _models() -> Iterator[type[BaseModel]]:
    """The formats a rule author writes (the pack's, an overlay's, the triggers', the
    catalogue's) and the situation's vocabulary rules are written in."""
    from tongcheng import coverage
    from tongcheng.cases import events, triggers
    from tongcheng.pack import overlay, schema
    from tongcheng.situation import models

    for module in (schema, overlay, triggers, coverage, models, events):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel):
                yield value


def _literals(annotation: object) -> Iterator[str]:
    for arg in typing.get_args(annotation):
        if isinstance(arg, str):
            yield arg
        else:
            yield from _literals(arg)


def _vocabulary() -> set[str]:
    """Names a rule author writes: keys and literal values of the formats, the situation's
    fields and records, the functions and the case events."""
    words = {*CATALOGUE, *CASE_EVENTS}
    for model in _models():
        words.add(model.__name__)
        for name, info in model.model_fields.items():
            words |= {name, info.alias or name, *_literals(info.annotation)}
    return words


VOCABULARY = _vocabulary()


def _keys(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item)


def pack_keys(*roots: Path) -> set[str]:
    """The ids and names a broken pack gives (its YAML files' keys: outcome and definition
    names, parameter and zone ids), readable or not."""
    out: set[str] = set()
    for root in roots:
        for path in root.rglob("*.yaml") if root.is_dir() else ():
            try:
                out |= set(_keys(yamlio.load_file(path)[0]))
            except (yamlio.YamlSyntaxError, OSError):
                continue
    return out


def english_in(zh: str, known: set[str] = frozenset()) -> list[str]:
    """English words of ``zh`` outside quoted parts, paths, ids and names a rule author
    writes (words of four letters or more that are none of these)."""
    rest = zh
    while (shorter := _QUOTED.sub("", rest)) != rest:
        rest = shorter
    found = []
    for m in _WORD.finditer(rest):
        word = m.group()
        before = rest[m.start() - 1] if m.start() else " "
        after = rest[m.end()] if m.end() < len(rest) else " "
        if (len(word) < 4 or re.search(r"[._/\-(0-9]", word) or before in ".[]/{"
                or after in ".[}" or word in VOCABULARY or word in known
                or word in _AS_WRITTEN):
            continue
        found.append(word)
    return found


def chinese_in(en: str) -> list[str]:
    """Chinese characters of ``en`` outside quoted parts and places' names."""
    rest = en
    while (shorter := _QUOTED.sub("", rest)) != rest:
        rest = shorter
    return _HAN.findall(_PLACE_NAME.sub("", rest))


def assert_in_each_language(error: PackError, known: set[str] = frozenset()) -> None:
    """Each problem said in Chinese in ``zh`` and in English in ``en``, and so the whole
    refusal in each language."""
    assert error.problems
    for p in error.problems:
        assert isinstance(p, PackProblem) and isinstance(p.where, Location)
        assert _HAN.search(p.zh), f"no Chinese in the Chinese of {p}"
        assert not english_in(p.zh, known), f"English {english_in(p.zh, known)} in: {p.zh}"
        assert not chinese_in(p.message), f"Chinese in: {p.message}"
        assert p.describe("zh") == f"{p.where}: {p.zh}" and p.text("en") == p.message
    zh, en = error.describe("zh"), error.describe("en")
    assert zh.startswith("规则包载入失败") and not english_in(zh, known), zh
    assert en.startswith("rule pack failed to load:") and not chinese_in(en), en


# --- the tiny pack, broken ---------------------------------------------------------------------

LETS = "".join(f"    l{i}: \"{i}\"\n" for i in range(101))
EXCEPTIONS = f"""  exceptions:
    - label: e1
      title: {{zh: 例外, en: An exception}}
      applies: [{{label: {{zh: 适用, en: Applies}}, when: "true"}}]
      basis: {BASIS}
      overrides: [e2]
    - label: e1
      title: {{zh: 例外, en: An exception}}
      applies: [{{label: {{zh: 适用, en: Applies}}, when: "true"}}]
      basis: {BASIS}
"""
OTHER_ZONE = f"""other_zone:
  name: {{zh: 另一区域, en: Another zone}}
  basis: {BASIS}
  members:
    - {{place: "370700", from: 2020-01-01}}
"""
SERVICES = f"""items:
  - {{id: svc.one, name: {{zh: 事项, en: Item}}, zone: nowhere, from: 2020-01-01, channel: online,
     basis: {BASIS}}}
  - {{id: svc.one, name: {{zh: 事项, en: Item}}, zone: test_zone, from: 2020-01-01,
     channel: online, basis: {BASIS}}}
announced:
  nowhere: {{count: 3}}
"""

# (id, [(file, old text, new text)]): old None writes the file; new None deletes it.
PACK_CASES: list[tuple[str, list[tuple[str, str | None, str | None]]]] = [
    # the format (pydantic)
    ("unknown-key", [(RULE, "  domain: test\n", "  domain: test\n  colour: red\n")]),
    ("missing-title", [(RULE, "  title: {zh: 测试规则, en: A test rule}\n", "")]),
    ("not-an-allowed-value", [(RULE, "  domain: test\n", "  domain: test\n  subject: robot\n"),
                              (PARAMS, "confidence: high", "confidence: sure")]),
    ("empty-text", [(RULE, "{zh: 测试规则,", '{zh: "",')]),
    ("not-an-id", [(RULE, "- id: test.tiny", "- id: Test-Tiny")]),
    ("wrong-type", [(RULE, "  domain: test\n", "  domain: [test]\n"),
                    ("pack.yaml", 'version: "0.0.1"', "version: {a: 1}")]),
    ("empty-list", [(RULE, "  zones:\n    - {zone: test_zone, from: 2020-01-01}\n",
                     "  zones: []\n")]),
    ("impossible-date", [(RULE, "from: 2020-01-01}", "from: 2023-13-06}"),
                         ("documents.yaml", "issued: 2020-01-01", "issued: 2020-02-30")]),
    ("not-a-date", [(RULE, "from: 2020-01-01}", "from: soon}")]),
    ("a-date-and-time", [(RULE, "from: 2020-01-01}", "from: 2020-01-01T10:00:00}")]),
    ("a-definition-of-a-number", [(RULE, "  scope:\n", "  let:\n    n: 1\n  scope:\n")]),
    ("empty-reference", [(PARAMS, "reference: a test value", 'reference: ""')]),
    ("missing-file", [("pack.yaml", None, None)]),
    ("rules-not-a-list", [("rules/other.yaml", None, "a: 1\n")]),
    ("parameters-not-a-mapping", [("parameters/list.yaml", None, "- a\n")]),
    ("entry-not-an-id", [(PARAMS, "tiny.min_months:", "Tiny-Min:")]),
    ("no-rules", [(RULE, None, "[]\n")]),
    # places
    ("unknown-place", [("zones.yaml", '"370200"', '"999999"'), (PARAMS, '"370200"', '"999999"')]),
    ("retired-place", [("zones.yaml", '"370200"', '"370122"')]),
    ("not-a-place-code", [("zones.yaml", '"370200"', '"37020x"'),
                          (PARAMS, '"370200"', "true")]),
    # what the loader checks across files
    ("to-before-from", [("zones.yaml", '{place: "370600", from: 2020-01-01}',
                         '{place: "370600", from: 2020-01-01, to: 2019-01-01}'),
                        (PARAMS, "{from: 2020-01-01,", "{from: 2020-01-01, to: 2019-12-31,")]),
    ("unknown-member-basis", [("zones.yaml", '{place: "370600", from: 2020-01-01}',
                               '{place: "370600", from: 2020-01-01, basis: no_doc}')]),
    ("document-outside-sources", [("documents.yaml", "file: tiny-notice.md",
                                   "file: ../pack.yaml")]),
    ("document-text-missing", [("documents.yaml", "file: tiny-notice.md", "file: gone.md")]),
    ("unknown-document", [(RULE, "    - document: tiny_notice", "    - document: no_doc")]),
    ("quote-not-in-source", [(RULE, f"      quote: {QUOTE}", "      quote: 推动别处缴费年限互认")]),
    ("official-text-without-quote", [(RULE, f"      quote: {QUOTE}\n", "")]),
    ("undated-value-with-from", [(PARAMS, "{from: 2020-01-01,",
                                  "{from: 2020-01-01, undated: true,")]),
    ("value-not-finite", [(PARAMS, "value: 12,", "value: .nan,")]),
    ("overlapping-and-undated-values", [(PARAMS, "confidence: high}\n", (
        "confidence: high}\n"
        "      - {from: 2021-01-01, value: 13, reference: b, confidence: low}\n"
        "      - {undated: true, value: 1, reference: c, confidence: low}\n"
        "      - {undated: true, value: 2, reference: d, confidence: low}\n"))]),
    ("parameter-declared-twice", [("parameters/again.yaml", None,
                                   "tiny.min_months:\n  description: {zh: 又一个, en: Again}\n"
                                   "  values: {}\n")]),
    ("rule-defined-twice", [(RULE, None, (HERE / "packs/tiny" / RULE).read_text("utf-8") * 2)]),
    ("rule-without-basis", [(RULE, f"  basis:\n    - document: tiny_notice\n      quote: {QUOTE}\n",
                             "")]),
    ("unknown-zone", [(RULE, "{zone: test_zone,", "{zone: nowhere,")]),
    ("monotonic", [(RULE, "  basis:\n", "  monotonic:\n    nope: [zzz.y]\n  basis:\n")]),
    ("definition-hides-a-field", [(RULE, "  scope:\n", "  let:\n    person: count(insurance)\n"
                                   "  scope:\n")]),
    ("definitions-in-a-cycle", [(RULE, "  scope:\n", "  let:\n    a: b + 1\n    b: a + 1\n"
                                 "  scope:\n")]),
    ("too-many-definitions", [(RULE, "  scope:\n", f"  let:\n{LETS}  scope:\n")]),
    ("definitions-nest-too-deep", [(RULE, "  scope:\n", "  let:\n    l0: \"1\"\n" + "".join(
        f"    l{i}: l{i - 1} + 1\n" for i in range(1, 70)) + "  scope:\n")]),
    ("exceptions", [(RULE, "  basis:\n", EXCEPTIONS + "  basis:\n")]),
    ("zone-tested-but-not-cited", [("zones.yaml", None, (HERE / "packs/tiny/zones.yaml").read_text(
        "utf-8") + OTHER_ZONE), (RULE, "when: count(insurance) > 0",
                                 'when: in_zone(target, "other_zone")')]),
    ("place-reads-itself", [(RULE, "  domain: test\n", "  domain: test\n"
                             "  place: if member(target) then target else target\n")]),
    ("outcome-text-not-a-term", [("terms.yaml", None, "terms:\n  x.y: {zh: 甲, en: X}\n"),
                                 (RULE, OUTCOME, "      expr: '\"months of cover\"'")]),
    ("services", [("services.yaml", None, SERVICES)]),
    ("services-format", [("services.yaml", None, SERVICES.replace("channel: online,",
                                                                  "channel: fax,", 1))]),
    # hostile YAML
    *[(f"alias-bomb-in-{f}", [(f, None, laughs())]) for f in
      ("pack.yaml", "documents.yaml", "zones.yaml", PARAMS, RULE)],
    ("self-referencing-alias", [("zones.yaml", "  members:\n",
                                 "  loop: &x\n    - *x\n  members:\n")]),
    *[(f"tag-{i}", [("pack.yaml", 'version: "0.0.1"', f"version: {tag}")]) for i, tag in
      enumerate(["!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!custom x",
                 "!!set {a}"])],
    ("octal-number", [(PARAMS, "value: 12,", "value: 0012,")]),
    ("long-number", [(PARAMS, "value: 12,", f"value: {'9' * 5000},")]),
    ("too-deep", [(PARAMS, "value: 12,", f"value: {'[' * 70}1{']' * 70},")]),
    ("duplicate-key", [(RULE, "  domain: test\n", "  domain: test\n  domain: again\n")]),
    ("colon-out-of-place", [(RULE, "  domain: test\n", "  domain: social: insurance\n")]),
    ("unclosed-bracket", [(RULE, "  domain: test\n", "  domain: [test\n")]),
    ("undefined-alias", [(RULE, "  domain: test\n", "  domain: *nothing\n")]),
    ("tab", [(RULE, "  domain: test\n", "  domain:\n\t- test\n")]),
    ("unterminated-quote", [(RULE, None, '- id: "test.tiny\n')]),
    ("two-documents", [(RULE, None, "- a\n--- \n- b\n")]),
    ("not-utf8", [(RULE, "A test rule", "A test \udcff rule")]),
    ("too-large", [("sources/big.md", None, "x" * (yamlio.MAX_FILE_BYTES + 1)),
                   ("documents.yaml", None, (HERE / "packs/tiny/documents.yaml").read_text(
                       "utf-8").replace("file: tiny-notice.md", "file: big.md"))]),
]

# Expressions the parser or the checker refuses, each as the tiny rule's outcome.
EXPRESSIONS = [
    "cnt(insurance)", "person.sexx", "nobody + 1", 'date("2023-02-30")', 'date("2023/02/28")',
    'month("2020-13")', "month(3)", 'month("1899-01")', 'city("999999")', 'city("abc")',
    "member(true)", "insurance == 3", "round_down(1, 100)", "insurance.from", "count(1, 2)",
    "count(insurance, x=1)", 'param("nope")', "param(1)", 'in_zone(target, "nope")',
    'exists(insurance[item.from == "2020-01"])', 'person.birth_date == "1960-01-01"',
    "-person", 'max(1, date("2020-01-01"))', "person.__class__",
    "(if true then person else insurance).sex", "(if true then 1 else 2).real",
    'pick(person, "sex")', 'age("1960-01-01")', "count(months(cards))", "not person.sex",
    "exists(insurance[item.place])", "exists(service_items(target)[item.colour == 1])",
    "count(places(person))", "min()", "person[true]", "consecutive_months(insurance)",
    "round_down(person.sex, 2)", 'param("tiny.min_months", place="123456")',
    'param("tiny.min_months", at=person.sex)', "exists(insurance[item.from * 2 > 3])",
    "(if person.sex then 1 else 2)", "person.hukou < person.work_place",
    "running(person.residence)", "max(months(person.sex))", 'person.sex in "male"',
    "person.sex in [1, 2]", "person.birth_date + 1", "count(insurance) @ 2",
    "count(insurance", "count(insurance))", "count(a=1, insurance)", "1" * 30,
    " + ".join(["1"] * 10_000), "not " * 100 + "true", "count(months(insurance)) +\n  nosuch",
]


def _write(root: Path, file: str, old: str | None, new: str | None) -> None:
    path = root / file
    if old is None:
        if new is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            if "\udcff" in new:
                path.write_bytes(new.encode("utf-8", "surrogateescape"))
            else:
                path.write_text(new, encoding="utf-8")
        return
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    text = text.replace(old, new or "")
    if "\udcff" in text:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    else:
        path.write_text(text, encoding="utf-8")


def _refusal(load, *roots: Path) -> tuple[PackError, set[str]]:
    with pytest.raises(PackError) as caught:
        load()
    return caught.value, pack_keys(*roots)


@pytest.mark.parametrize("edits", [e for _, e in PACK_CASES], ids=[i for i, _ in PACK_CASES])
def test_a_broken_tiny_pack_is_refused_in_each_language(tmp_path, edits):
    pack = tiny_pack(tmp_path)
    for edit in edits:
        _write(pack, *edit)
    error, known = _refusal(lambda: tongcheng.load_pack(pack), pack)
    assert_in_each_language(error, known)


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=[e[:40] for e in EXPRESSIONS])
def test_a_refused_expression_is_said_in_each_language(tmp_path, expr):
    pack = tiny_pack(tmp_path)
    _write(pack, RULE, OUTCOME, f"      expr: {json.dumps(expr)}")
    error, known = _refusal(lambda: tongcheng.load_pack(pack), pack)
    assert_in_each_language(error, known)


@pytest.mark.parametrize("breakage", BREAKAGES, ids=BREAKAGE_IDS)
def test_a_broken_bundled_pack_is_refused_in_each_language(tmp_path, breakage):
    pack = copy_pack(tmp_path)
    breakage.apply(pack)
    error, known = _refusal(lambda: tongcheng.load_pack(pack), pack)
    assert_in_each_language(error, known)


def test_no_folder_a_link_out_and_a_text_out_are_refused_in_each_language(tmp_path):
    error, _ = _refusal(lambda: tongcheng.load_pack(tmp_path / "nowhere"))
    assert_in_each_language(error)
    pack = tiny_pack(tmp_path)
    outside = tmp_path / "outside.md"
    outside.write_text(QUOTE, encoding="utf-8")
    (pack / "sources" / "tiny-notice.md").unlink()
    os.symlink(outside, pack / "sources" / "tiny-notice.md")
    error, known = _refusal(lambda: tongcheng.load_pack(pack), pack)
    assert_in_each_language(error, known)


# --- overlays ----------------------------------------------------------------------------------

OVERLAY_CASES: list[tuple[str, dict[str, str]]] = [
    ("a-pack-given-as-an-overlay", {"pack.yaml": "name: x\nversion: '1'\n"}),
    ("what-an-overlay-cannot-change", {"services.yaml": "items: []\n",
                                       "triggers.yaml": "[]\n", "catalogue.yaml": "[]\n"}),
    ("overlay-name", {"overlay.yaml": "name: bad name!\nversion: '1'\n"}),
    ("document-defined-again", {"documents.yaml": (
        "tiny_notice: {title: 《又一份》, kind: news}\n")}),
    ("zones-not-a-mapping", {"zones.yaml": "- a\n"}),
    ("zone-members", {"zones.yaml": (
        "test_zone:\n  members:\n    - {place: \"370200\", from: 2021-01-01}\n"
        "    - {place: \"370700\", from: 2021-01-01, basis: no_doc}\n")}),
    ("parameters", {"parameters/p.yaml": (
        "fresh.one:\n  unit: days\n  replace: [\"370200\"]\n  values: {}\n"
        "tiny.min_months:\n  description: {zh: 又一个, en: Again}\n  unit: days\n"
        "  replace: [\"370600\", \"370700\"]\n  values:\n    \"370700\": []\n")}),
    ("value-meets-one-below", {"parameters/p.yaml": (
        "tiny.min_months:\n  values:\n    \"370200\":\n"
        "      - {from: 2021-01-01, value: 1, reference: r, confidence: low}\n"
        "      - {undated: true, value: 2, reference: r, confidence: low}\n")}),
    ("rules", {"rules/r.yaml": (
        (HERE / "packs/tiny" / RULE).read_text("utf-8")
        + (HERE / "packs/tiny" / RULE).read_text("utf-8").replace(
            "- id: test.tiny", "- id: test.fresh\n  replace: true"))}),
]


@pytest.mark.parametrize("files", [f for _, f in OVERLAY_CASES], ids=[i for i, _ in OVERLAY_CASES])
def test_a_broken_overlay_is_refused_in_each_language(tmp_path, files):
    pack = tiny_pack(tmp_path)
    overlay = tmp_path / "overlay"
    _write(overlay, "overlay.yaml", None, "name: test-overlay\nversion: '1'\n")
    for name, text in files.items():
        _write(overlay, name, None, text)
    error, known = _refusal(lambda: tongcheng.load_pack(pack, overlays=[overlay]), pack, overlay)
    assert_in_each_language(error, known)


@pytest.mark.parametrize("name", ["conflict-value", "conflict-rule", "nowhere"])
def test_the_repository_s_conflicting_overlays_are_refused_in_each_language(name):
    error, known = _refusal(lambda: tongcheng.load_pack(overlays=[OVERLAYS / name]),
                            OVERLAYS / name)
    assert_in_each_language(error, known)


# --- triggers and the catalogue ----------------------------------------------------------------

TRIGGER = """\
- id: pension.certify
  rule: pension.remote_certification
  service: {zh: 认证, en: Certification}
  message: {zh: "{pension_place}", en: "{pension_place}"}
"""
TRIGGER_CASES = [
    ("rule: pension.remote_certification", "rule: pension.remote"),
    ("  service:", "  on: [moved]\n  service:"),
    ("  service:", "  on: []\n  service:"),
    ('en: "{pension_place}"', 'en: "{pension}"'),
    ('en: "{pension_place}"', 'en: "{pension_place!r}"'),
    ('en: "{pension_place}"', 'en: "{pension_place"'),
    ("  service:", "  deadline: {working_days: 9}\n  service:"),
    ("  service:", "  deadline: {working_days: months}\n  service:"),
    ("  service:", "  becomes: ineligible\n  deadline: {working_days: pension_place}\n  service:"),
    ("  service:", "  becomes: granted\n  service:"),
    ("  service:", "  fires: on_event\n  service:"),
    ("  service:", "  colour: red\n  service:"),
    ("  service:", "  where: [{outcome: pension, op: '==', value: x}]\n  service:"),
    ("  service:", "  where: [{outcome: pension_place, op: '>', value: x}]\n  service:"),
    ("  service:", "  where: [{outcome: pension_place, op: in, value: []}]\n  service:"),
    ("  service:", "  where: [{outcome: pension_place, op: in, value: [a, 1]}]\n  service:"),
    ("  service:", "  where: [{outcome: pension_place, op: '==', value: [a]}]\n  service:"),
    ("  service:", "  with: {scheme: pension}\n  service:"),
    ("  service:", "  on: [move]\n  with: {scheme: pension}\n  service:"),
    ("  service:", "  on: [transfer_in]\n  with: {scheme: pensions}\n  service:"),
    ("  service:", "  on: [transfer_in]\n  with: {scheme: []}\n  service:"),
    ("- id: pension.certify", "- id: [unclosed"),
    (TRIGGER, "id: x\n"),
    (TRIGGER, TRIGGER * 2),
]


@pytest.fixture(scope="module")
def bundled() -> tongcheng.RulePack:
    return tongcheng.bundled_pack()


@pytest.mark.parametrize(("old", "new"), TRIGGER_CASES, ids=[n[:40] for _, n in TRIGGER_CASES])
def test_a_broken_triggers_file_is_refused_in_each_language(bundled, tmp_path, old, new):
    path = tmp_path / "triggers.yaml"
    path.write_text(TRIGGER.replace(old, new, 1), encoding="utf-8")
    error, known = _refusal(lambda: load_triggers(bundled, path), tmp_path)
    assert_in_each_language(error, known | set(bundled.rule_ids))


def test_a_missing_triggers_file_is_refused_in_each_language(bundled, tmp_path):
    error, _ = _refusal(lambda: load_triggers(bundled, tmp_path / "none.yaml"))
    assert_in_each_language(error)


@pytest.mark.parametrize("catalogue", [
    "- {treatment: {zh: 待遇, en: A treatment}, domain: test, zones: [nowhere], basis: "
    "[{document: no_doc}, {document: tiny_notice, quote: 别的话}]}\n",
    "- {treatment: {zh: 待遇}, domain: test, colour: red, firmness: sure}\n",
    "- [unclosed\n",
], ids=["basis", "format", "yaml"])
def test_a_broken_catalogue_is_refused_in_each_language(tmp_path, catalogue):
    pack = tiny_pack(tmp_path)
    (pack / "catalogue.yaml").write_text(catalogue, encoding="utf-8")
    loaded = tongcheng.load_pack(pack)
    error, known = _refusal(lambda: load_catalogue(loaded), pack)
    assert_in_each_language(error, known)


# --- wordings pinned ---------------------------------------------------------------------------


def _problems(tmp_path: Path, *edits) -> list[PackProblem]:
    pack = tiny_pack(tmp_path)
    for edit in edits:
        _write(pack, *edit)
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    return caught.value.problems


def test_a_missing_field_in_both_languages(tmp_path):
    [p] = _problems(tmp_path, (RULE, "  title: {zh: 测试规则, en: A test rule}\n", ""))
    assert (str(p.where), p.message, p.zh) == (
        "rules/tiny.yaml:1", "[0].title: required key is missing", "[0].title:缺少必填的键")


def test_an_unknown_function_in_both_languages(tmp_path):
    [p] = _problems(tmp_path, (RULE, OUTCOME, "      expr: cnt(months(insurance))"))
    functions = ", ".join(sorted(CATALOGUE))
    assert str(p.where) == "rules/tiny.yaml:12"
    assert p.message == f"outcome.months.expr: unknown function 'cnt'; functions: {functions}"
    assert p.zh == f"outcome.months.expr:未知的函数 'cnt';可用的函数:{functions}"


def test_an_alias_bomb_in_both_languages(tmp_path):
    [p] = [p for p in _problems(tmp_path, ("zones.yaml", None, laughs()))
           if p.where.file == "zones.yaml"]
    assert str(p.where) == "zones.yaml:5:10"
    assert p.message == "not valid YAML: aliases repeat more than 10,000 values in this document"
    assert p.zh == "不是有效的 YAML:本文档中别名重复的值超过 10,000 个"


def test_a_bad_date_in_both_languages(tmp_path):
    [p] = _problems(tmp_path, ("zones.yaml", '{place: "370600", from: 2020-01-01}',
                               '{place: "370600", from: 2023-13-06}'))
    assert (str(p.where), p.message, p.zh) == (
        "zones.yaml:8",
        "test_zone.members[1].from: expected a real calendar date as YYYY-MM-DD, got "
        "'2023-13-06' (month must be in 1..12)",
        "test_zone.members[1].from:应为日历上真实存在的日期(YYYY-MM-DD),实际为 '2023-13-06'"
        "(没有 13 月)")


def test_a_date_written_in_a_rule_in_both_languages(tmp_path):
    [p] = _problems(tmp_path, (RULE, OUTCOME, '      expr: age(person.birth_date, '
                                              'date("2023-02-29"))'))
    assert p.message == ('outcome.months.expr: date("2023-02-29"): not a calendar date as '
                         "YYYY-MM-DD (day is out of range for month)")
    assert p.zh == ('outcome.months.expr:date("2023-02-29"):应为日历上真实存在的日期'
                    "(YYYY-MM-DD),实际为 '2023-02-29'(2023 年 2 月没有 29 日)")


def test_an_expression_that_ends_early_in_both_languages(tmp_path):
    [p] = _problems(tmp_path, (RULE, "when: count(insurance) > 0", "when: count(insurance) > (1"))
    assert p.message == ("scope[0].when: unexpected end of expression; expected ')' "
                         "(column 21 of the expression)")
    assert p.zh == "scope[0].when:表达式在此处意外结束;此处应为:')'(表达式第 21 列)"


def test_the_refusal_keeps_both_languages_through_pickling():
    error = PackError([PackProblem(Location("rules/x.yaml", 3), "required key is missing",
                                   "缺少必填的键")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and again.describe("zh") == error.describe("zh")
    assert error.describe("zh") == ("规则包载入失败(规则包的缺陷,请告知规则维护人员):\n"
                                    "  rules/x.yaml:3: 缺少必填的键")
    (where, message), = error.problems  # read as the (where, message) pairs they were
    assert (where, message) == (Location("rules/x.yaml", 3), "required key is missing")


def test_a_problem_without_its_chinese_is_refused():
    with pytest.raises(TypeError):
        PackError([(Location("x.yaml"), "English only")])  # type: ignore[list-item]


# --- on every face -----------------------------------------------------------------------------

FACES = {  # command: its arguments, with {pack}, {situation}, {rows} and {out} filled in
    "check": ["{situation}", "--pack", "{pack}"],
    "rules": ["--pack", "{pack}"],
    "coverage": ["--pack", "{pack}"],
    "screen": ["{rows}", "-o", "{out}.parquet", "--pack", "{pack}"],
    "watch": ["-", "--pack", "{pack}"],
    "timeline": ["{situation}", "--from", "2024-01", "--to", "2024-06", "--pack", "{pack}"],
    "test": ["--pack", "{pack}"],
    "compare": ["{rows}", "-o", "{out}", "--new", "{pack}"],
    "docs": ["--pack", "{pack}", "-o", "{out}"],
    "serve": ["--pack", "{pack}"],
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, Path, set[str]]:
    """The tiny pack broken in three files, a situation and a file of rows beside it, and the
    names it gives."""
    tmp = tmp_path_factory.mktemp("broken")
    pack = tiny_pack(tmp)
    for edit in [(RULE, OUTCOME, "      expr: cnt(months(insurance))"),
                 (PARAMS, "confidence: high", "confidence: sure"),
                 ("zones.yaml", "from: 2020-01-01}   # 烟台", "from: 2023-13-06}   # 烟台")]:
        _write(pack, *edit)
    situation = {"as_of": "2025-06-01", "target": "370200"}
    (tmp / "situation.json").write_text(json.dumps(situation), encoding="utf-8")
    (tmp / "rows.jsonl").write_text(json.dumps(situation) + "\n", encoding="utf-8")
    return pack, tmp, pack_keys(pack)


@pytest.mark.parametrize("command", list(FACES))
def test_every_face_says_a_pack_load_failure_in_the_run_s_language(broken, command):
    from click.testing import CliRunner

    from tongcheng.cli import main

    pack, tmp, known = broken
    fill = {"pack": pack, "situation": tmp / "situation.json", "rows": tmp / "rows.jsonl",
            "out": tmp / f"out-{command}"}
    args = [command, *(a.format(**fill) for a in FACES[command])]
    chinese = CliRunner().invoke(main, args, input="")
    english = CliRunner().invoke(main, [*args, "--lang", "en"], input="")
    assert chinese.exit_code == english.exit_code == 3, (chinese.output, english.output)
    zh, en = chinese.stderr.replace(str(tmp), "<tmp>"), english.stderr
    assert zh.startswith("错误: 规则包载入失败") and "未知的函数 'cnt'" in zh, zh
    assert not english_in(zh, known), f"English {english_in(zh, known)} in a Chinese run:\n{zh}"
    assert en.startswith("error: rule pack failed to load") and "unknown function" in en, en
    assert not chinese_in(en), en


def test_over_http_a_pack_load_failure_is_said_in_the_request_s_language(broken):
    from tongcheng.service.deps import error_response

    pack, _, known = broken
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    for lang in ("zh", "en"):
        answer = error_response(caught.value, lang)
        assert answer is not None and answer.status_code == 422
        [problem] = json.loads(answer.body)["problems"]
        said = problem["message"]
        if lang == "zh":
            assert said.startswith("规则包载入失败") and not english_in(said, known), said
        else:
            assert said.startswith("rule pack failed to load") and not chinese_in(said), said
