"""Rule packs written to attack the loader (issue 12): each one fails to load, exit 3, naming the
file and line — never a traceback, a RecursionError, a file read outside the pack, a rule that
fails only when a caseworker asks, or memory growing until the process is killed."""

from __future__ import annotations

import os
import time

import pytest
from hostiletools import (
    LET_LINE,
    RULE_FILE,
    assert_clean,
    assert_names,
    check_pack,
    laughs,
    replace_once,
    run,
    tiny_pack,
    with_outcome,
)

import tongcheng
from tongcheng.errors import PackError

# --- expressions: typed at load ------------------------------------------------------------

# (name, expression, words the message must hold)
EXPRESSIONS = [
    ("attribute_of_an_if_reaches_no_internals", "(if true then person else person).__dict__",
     ("'__dict__'",)),
    ("attribute_of_a_plain_value", "(if true then 1 else 2).real", ("cannot take .real",)),
    ("attribute_of_mixed_branches", "(if true then person else insurance).sex",
     ("depends on the branch",)),
    ("attribute_of_a_declared_record_that_is_not_a_field", "person.__class__", ("'__class__'",)),
    ("attribute_of_a_parameter_value_behind_underscore", 'param("tiny.min_months").__class__',
     ("'__class__'",)),
    ("pick_of_a_situation_record", 'pick(person, "sex")', ("pick()",)),
    ("date_literal_not_a_calendar_date", 'count(months(insurance)) + age(person.birth_date, '
     'date("2023-02-29"))', ('date("2023-02-29")',)),
    ("date_literal_not_iso", 'age(person.birth_date, date("2023/02/28"))', ("date(",)),
    ("month_literal_not_a_month", 'month("2020-13")', ("month()", "2020-13")),
    ("city_literal_unknown_code", 'city("999999")', ("city()", "999999")),
    ("member_literal_not_a_code", 'member("abc")', ("member()", "abc")),
    ("param_place_literal_unknown", 'param("tiny.min_months", place="123456")', ("param()",)),
    ("round_down_to_100_decimals", "round_down(1, 100)", ("round_down()",)),
    ("round_down_to_computed_decimals", "round_down(1, count(insurance))", ("round_down()",)),
    ("age_of_a_literal_string", 'age("1960-01-01")', ("age()",)),
    ("a_thousand_nested_nots", "not " * 1000 + "true", ("nested more than",)),
    ("a_thousand_nested_negations", "-" * 1000 + "1", ("nested more than",)),
    ("a_thousand_nested_calls", "count(" * 1000 + "insurance" + ")" * 1000,
     ("nested more than",)),
    ("a_long_sum", " + ".join(["1"] * 3000), ("nested more than",)),
    ("a_ten_thousand_term_sum", " + ".join(["1"] * 10_000), ("characters",)),
    ("a_5000_digit_number", "1" * 5000, ("digits",)),
]


@pytest.mark.parametrize(("expr", "words"), [(e, w) for _, e, w in EXPRESSIONS],
                         ids=[name for name, _, _ in EXPRESSIONS])
def test_hostile_expression_fails_the_load_naming_file_and_line(tmp_path, expr, words):
    pack, line = with_outcome(tmp_path, expr)
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    assert_names(caught.value.describe(), RULE_FILE, line, *words)


def test_attribute_through_if_exits_3_on_the_command_line(tmp_path):
    pack, line = with_outcome(tmp_path, "(if true then person else person).__dict__")
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, RULE_FILE, line, "__dict__")


def test_three_thousand_chained_lets_exit_3(tmp_path):
    pack = tiny_pack(tmp_path)
    lets = "".join(f"    l{i}: l{i - 1} + 1\n" for i in range(1, 3000))
    line = replace_once(pack / RULE_FILE, LET_LINE, "  let:\n    l0: \"1\"\n" + lets + LET_LINE)
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, RULE_FILE, line, "definitions")


def test_sixty_chained_lets_nest_too_deep_through_their_uses(tmp_path):
    pack = tiny_pack(tmp_path)
    lets = "".join(f"    l{i}: l{i - 1} + 1\n" for i in range(1, 70))
    replace_once(pack / RULE_FILE, LET_LINE, "  let:\n    l0: \"1\"\n" + lets + LET_LINE)
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    assert "through the definitions" in caught.value.describe()


def test_the_typed_pack_still_reads_declared_fields_and_parameter_values(tmp_path):
    expr = ('(if given(person.sex) then person else person).birth_date == date("1960-02-29") '
            'or param("tiny.min_months") > 0 or exists(service_items(target)[item.zone == "z"])')
    pack, _ = with_outcome(tmp_path, expr)
    assert tongcheng.load_pack(pack).rule_ids == ("test.tiny",)


# --- parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "{single: .nan, couple: 1}"])
def test_a_parameter_value_that_is_no_finite_number_fails_the_load(tmp_path, value):
    pack = tiny_pack(tmp_path)
    line = replace_once(pack / "parameters/tiny.yaml", "value: 12,", f"value: {value},")
    with pytest.raises(PackError) as caught:
        tongcheng.load_pack(pack)
    assert_names(caught.value.describe(), "parameters/tiny.yaml", line, "finite")


# --- YAML ---------------------------------------------------------------------------------


def test_a_self_referencing_alias_exits_3(tmp_path):
    pack = tiny_pack(tmp_path)
    line = replace_once(pack / "zones.yaml", "  members:\n", "  loop: &x\n    - *x\n  members:\n")
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, "zones.yaml", line + 1, "alias")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['true']",
                                 "!!python/name:os.system ''", "!!binary aGVsbG8=", "!custom x"])
def test_a_foreign_tag_exits_3(tmp_path, tag):
    pack = tiny_pack(tmp_path)
    line = replace_once(pack / "pack.yaml", 'version: "0.0.1"', f"version: {tag}")
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, "pack.yaml", line, "tag")


def test_a_rule_file_not_utf8_exits_3_naming_the_line_of_the_byte(tmp_path):
    pack = tiny_pack(tmp_path)
    raw = (pack / RULE_FILE).read_bytes()
    (pack / RULE_FILE).write_bytes(raw.replace(b"A test rule", b"A test \xff rule"))
    line = raw[: raw.index(b"A test rule")].count(b"\n") + 1
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, RULE_FILE, line, "UTF-8")


def test_a_source_text_not_utf8_exits_3_naming_it(tmp_path):
    pack = tiny_pack(tmp_path)
    source = pack / "sources" / "tiny-notice.md"
    source.write_bytes(source.read_bytes() + b"\n\xc3\x28\n")
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, "sources/tiny-notice.md", 5, "UTF-8")


PACK_FILES = ["pack.yaml", "documents.yaml", "zones.yaml", "parameters/tiny.yaml", RULE_FILE,
              "services.yaml", "triggers.yaml"]


@pytest.mark.parametrize("file", PACK_FILES)
def test_billion_laughs_in_any_pack_file_is_refused_at_once(tmp_path, file):
    pack = tiny_pack(tmp_path)
    (pack / file).write_text(laughs(), encoding="utf-8")
    started = time.perf_counter()
    if file == "triggers.yaml":
        result = run("watch", "-", "--pack", pack, "--lang", "en", input="")
    else:
        result = check_pack(tmp_path, pack)
    assert time.perf_counter() - started < 10
    assert_clean(result, 3)
    assert_names(result.stderr, file, None, "aliases repeat more than")


def test_billion_laughs_in_the_coverage_catalogue_is_refused(tmp_path):
    pack = tiny_pack(tmp_path)
    (pack / "catalogue.yaml").write_text(laughs(), encoding="utf-8")
    result = run("coverage", "--pack", pack, "--lang", "en")
    assert_clean(result, 3)
    assert "aliases repeat more than" in result.stderr


# --- files stay inside the pack --------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../../../../../etc/passwd", "/etc/hostname",
                                  "../pack.yaml", "../../outside.md"])
def test_documents_may_only_name_texts_inside_sources(tmp_path, name):
    pack = tiny_pack(tmp_path)
    (tmp_path / "outside.md").write_text("推动测试区域内缴费年限互认", encoding="utf-8")
    line = replace_once(pack / "documents.yaml", "file: tiny-notice.md", f"file: {name!r}")
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, "documents.yaml", line, "not inside the pack's sources/")


def test_a_link_out_of_the_pack_is_refused(tmp_path):
    pack = tiny_pack(tmp_path)
    outside = tmp_path / "outside.md"
    outside.write_text("推动测试区域内缴费年限互认", encoding="utf-8")
    (pack / "sources" / "tiny-notice.md").unlink()
    os.symlink(outside, pack / "sources" / "tiny-notice.md")
    result = check_pack(tmp_path, pack)
    assert_clean(result, 3)
    assert_names(result.stderr, "sources/tiny-notice.md", None, "outside the rule pack")
