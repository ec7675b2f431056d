"""The rule-pack loader and the evaluator as a library.

A rule author who breaks a pack gets a PackError whose problems name the file and the line of
the mistake and say what is wrong; the bundled pack loads, is stable and cites its sources word
for word; a Catala-style conflict between exceptions is refused, never settled silently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tongcheng
from packtools import (
    BREAKAGE_IDS,
    BREAKAGES,
    CONFLICT_PACK,
    MEDICAL,
    Breakage,
    copy_pack,
    line_of,
    replace_once,
)
from tongcheng import PackError, RuleConflict, load_pack
from tongcheng.errors import Location
from tongcheng.pack.model import local

RECOGNITION = "medical_insurance.contribution_years_recognition"


@pytest.fixture(scope="module")
def pack() -> tongcheng.RulePack:
    return load_pack(tongcheng.bundled_pack_path())


def problems_of(path: Path) -> list[tuple[Location, str]]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    problems = info.value.problems
    assert problems, "a PackError must list at least one problem"
    for loc, message in problems:
        assert isinstance(loc, Location)
        assert message
    return problems


def find(problems, file: str, line: int | None, words) -> tuple[Location, str] | None:
    for loc, message in problems:
        if loc.file == file and loc.line == line and all(w in message for w in words):
            return loc, message
    return None


def _all_bases(pack: tongcheng.RulePack):
    """Every citation in the pack, with where it is used."""
    for rule in pack.rules:
        for b in rule.basis:
            yield rule.id, b
        for e in rule.exceptions:
            for b in e.basis:
                yield f"{rule.id}/{e.label}", b
    for zone in pack.zones.values():
        for b in zone.basis:
            yield f"zone {zone.id}", b


# --- the bundled pack ----------------------------------------------------------------------------


def test_bundled_pack_path_is_a_folder_with_pack_yaml():
    path = tongcheng.bundled_pack_path()
    assert path.is_dir()
    assert (path / "pack.yaml").is_file()
    assert sorted(p.name for p in (path / "rules").glob("*.yaml"))


def test_bundled_pack_loads(pack):
    assert pack.info.name == "tongcheng-shandong"
    assert pack.info.version
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", pack.info.digest)
    assert RECOGNITION in pack.rule_ids
    assert len(set(pack.rule_ids)) == len(pack.rule_ids)
    # load_pack() without a path is the bundled pack
    assert load_pack().info == pack.info


def test_digest_is_stable_across_loads_and_copies(pack, tmp_path):
    again = load_pack(tongcheng.bundled_pack_path())
    assert again.info.digest == pack.info.digest
    assert load_pack(copy_pack(tmp_path)).info.digest == pack.info.digest


def test_digest_changes_when_a_file_changes(pack, tmp_path):
    copy = copy_pack(tmp_path)
    rule_file = copy / MEDICAL
    rule_file.write_text(rule_file.read_text("utf-8") + "# a comment\n", "utf-8")
    changed = load_pack(copy)
    assert changed.rule_ids == pack.rule_ids
    assert changed.info.digest != pack.info.digest
    source = next((copy / "sources").glob("*.md"))
    source.write_text(source.read_text("utf-8") + "\n", "utf-8")
    assert load_pack(copy).info.digest not in (pack.info.digest, changed.info.digest)


def test_every_rule_and_exception_has_a_basis(pack):
    for rule in pack.rules:
        assert rule.basis, rule.id
        for e in rule.exceptions:
            assert e.basis, f"{rule.id}/{e.label}"


def test_every_basis_with_a_source_text_quotes_it_word_for_word(pack):
    root = Path(pack.root)
    checked = 0
    for where, b in _all_bases(pack):
        doc = b.document
        if not doc.file:
            continue
        assert b.quote, f"{where}: cites {doc.id}, whose text is at hand, without a quote"
        text = (root / "sources" / doc.file).read_text("utf-8")
        assert "".join(b.quote.split()) in "".join(text.split()), f"{where}: {b.quote}"
        checked += 1
    assert checked >= 10


def test_every_parameter_value_has_a_reference_and_a_confidence(pack):
    values = 0
    for parameter in pack.parameters.values():
        for place, vals in parameter.places.items():
            for val in vals:
                for lang in ("zh", "en"):
                    assert str(local(val.reference, lang)).strip(), f"{parameter.id}[{place}]"
                assert val.confidence in ("high", "medium", "low"), f"{parameter.id}[{place}]"
                values += 1
    assert values >= 10


def test_parameters_declared_without_values_exist(pack):
    minimum = pack.parameters["medical_insurance.retiree_min_months"]
    assert "370600" in minimum.places  # 烟台: declared, the number is not known
    assert minimum.places["370600"] == ()
    assert minimum.places["370200"]  # 青岛 has dated values


def test_parameters_used_by_rules_are_declared(pack):
    from tongcheng.render import rule_parameters

    for rule in pack.rules:
        for name in rule_parameters(pack, rule):
            assert name in pack.parameters


# --- broken packs --------------------------------------------------------------------------------


@pytest.mark.parametrize("breakage", BREAKAGES, ids=BREAKAGE_IDS)
def test_a_broken_pack_names_file_line_and_problem(breakage: Breakage, tmp_path):
    copy = copy_pack(tmp_path)
    line = breakage.apply(copy)
    problems = problems_of(copy)
    assert find(problems, breakage.file, line, breakage.expect), (
        f"expected a problem at {breakage.file}:{line} mentioning {breakage.expect}; got:\n"
        + "\n".join(f"  {loc}: {msg}" for loc, msg in problems)
    )


def test_missing_pack_yaml(tmp_path):
    copy = copy_pack(tmp_path)
    (copy / "pack.yaml").unlink()
    problems = problems_of(copy)
    assert any(loc.file == "pack.yaml" and "missing" in msg for loc, msg in problems)


def test_not_a_pack_folder(tmp_path):
    problems = problems_of(tmp_path / "nowhere")
    assert any("no such rule-pack folder" in msg for _, msg in problems)


def test_several_problems_are_all_reported_at_once(tmp_path):
    copy = copy_pack(tmp_path)
    chosen = [b for b in BREAKAGES if b.id in ("unknown-fact-path", "bad-confidence-word")]
    chosen.append(next(b for b in BREAKAGES if b.id == "zone-place-not-a-place"))
    chosen.append(next(b for b in BREAKAGES if b.id == "duplicate-rule-id"))
    expected = [(b, b.apply(copy)) for b in chosen]
    problems = problems_of(copy)
    for b, line in expected:
        assert find(problems, b.file, line, b.expect), f"{b.id} at {b.file}:{line} not reported"


def test_a_multi_line_expression_error_names_the_line_inside_the_block(tmp_path):
    copy = copy_pack(tmp_path)
    rule_file = copy / MEDICAL
    replace_once(
        rule_file,
        "      expr: count(months(medical[member(item.place) and not item.deemed]))\n",
        "      expr: >-\n        count(months(medical[member(item.place)\n"
        "          and not item.deemedd]))\n",
    )
    line = line_of(rule_file, "          and not item.deemedd]))")
    problems = problems_of(copy)
    assert find(problems, MEDICAL, line, ("deemedd", "no field")), problems


def test_overrides_must_name_another_exception(tmp_path):
    copy = copy_pack(tmp_path, CONFLICT_PACK)
    rule_file = copy / "rules" / "conflict.yaml"
    replace_once(
        rule_file,
        "    - label: place_rule\n",
        "    - label: place_rule\n      overrides: [town_rule]\n",
    )
    problems = problems_of(copy)
    line = line_of(rule_file, "      overrides: [town_rule]")
    assert find(problems, "rules/conflict.yaml", line, ("town_rule",)), problems


# One mistake in a file the rules depend on must be reported once, where it is: not echoed by
# every rule as a missing document, zone or parameter that the author did declare.
CASCADES = [
    Breakage(
        "document-kind-typo",
        "documents.yaml",
        "  issued: 2021-12-15\n  kind: secondary\n",
        "  issued: 2021-12-15\n  kind: secundary\n",
        ("kind",),
        at="  kind: secundary",
    ),
    Breakage(
        "zone-unknown-key",
        "zones.yaml",
        "laixi_laiyang:\n",
        "laixi_laiyang:\n  colour: red\n",
        ("colour", "unknown key"),
        at="  colour: red",
    ),
    next(b for b in BREAKAGES if b.id == "bad-confidence-word"),
    next(b for b in BREAKAGES if b.id == "value-without-reference"),
]


@pytest.mark.parametrize("breakage", CASCADES, ids=[b.id for b in CASCADES])
def test_one_mistake_is_reported_once_where_it_is(breakage: Breakage, tmp_path):
    copy = copy_pack(tmp_path)
    line = breakage.apply(copy)
    problems = problems_of(copy)
    assert find(problems, breakage.file, line, breakage.expect), problems
    elsewhere = [f"{loc}: {msg}" for loc, msg in problems if loc.file != breakage.file]
    assert not elsewhere, (
        f"one mistake in {breakage.file} also produced {len(elsewhere)} problem(s) "
        "elsewhere:\n" + "\n".join(elsewhere[:5])
    )


# --- evaluation: exceptions and conflicts -------------------------------------------------------


def test_conflicting_exceptions_raise_rule_conflict():
    situation = {"as_of": "2025-06-01", "target": "370200"}
    with pytest.raises(RuleConflict) as info:
        tongcheng.evaluate(situation, CONFLICT_PACK)
    err = info.value
    assert err.rule == "test.conflicting_exceptions"
    assert {err.first, err.second} == {"city_rule", "place_rule"}
    assert [w.file for w in err.where] == ["rules/conflict.yaml"] * 2
    assert all(w.line for w in err.where)
    assert "overrides" in str(err)


def test_no_conflict_where_only_the_base_rule_applies():
    result = tongcheng.evaluate({"as_of": "2025-06-01", "target": "370600"}, CONFLICT_PACK)
    decision = result.decision("test.conflicting_exceptions")
    assert decision.status == "eligible"
    assert decision.exception is None
    assert dict(decision.outcome) == {"level": "base"}


def test_an_exception_that_overrides_the_other_wins(tmp_path):
    copy = copy_pack(tmp_path, CONFLICT_PACK)
    replace_once(
        copy / "rules" / "conflict.yaml",
        "    - label: place_rule\n",
        "    - label: place_rule\n      overrides: [city_rule]\n",
    )
    result = tongcheng.evaluate({"as_of": "2025-06-01", "target": "370200"}, copy)
    decision = result.decision("test.conflicting_exceptions")
    assert decision.status == "eligible"
    assert decision.exception == "place_rule"
    assert dict(decision.outcome) == {"level": "place"}
    assert decision.to_json()["exception"] == "place_rule"


def test_digest_leaves_out_the_pack_test_cases(pack, tmp_path):
    copy = copy_pack(tmp_path)
    (copy / "tests").mkdir(exist_ok=True)
    (copy / "tests" / "new-case.yaml").write_text("- name: a case added later\n", "utf-8")
    assert load_pack(copy).info.digest == pack.info.digest
