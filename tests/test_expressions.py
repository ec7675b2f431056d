"""Every operator and function of the rule language on known, unknown and bounded values.

Unit level (tests/exprtools.py): each expression runs in the reference interpreter as a clause of
the test pack's frame rule (tests/packs/expressions). ``R`` below is a count known only to lie
between 12 and 18: at target 370785 高密 (zone ``counties``), 12 months paid in 高密 are surely in,
6 paid in 370700 潍坊 (too coarse for that zone) only maybe, so ``insurance[1].place`` is missing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from exprtools import ev, ev_rec
from tongcheng import months as mo
from tongcheng.evaluate.values import EvalTypeError, Items, MonthSet, Range, Unknown

GAOMI, WEIFANG, ZHUCHENG = "370785", "370700", "370782"
QINGDAO, YANTAI, LAIYANG, WEIHAI, JINAN = "370200", "370600", "370682", "371000", "370100"
COARSE = frozenset({"insurance[1].place"})


def period(place, start, end=None, scheme="employee_medical"):
    return {"scheme": scheme, "place": place, "from": start, **({"to": end} if end else {})}


BOUNDED = {"target": GAOMI, "insurance": [period(GAOMI, "2020-01", "2020-12"),
                                          period(WEIFANG, "2021-01", "2021-06")]}
LETS = {"r": "count(months(insurance[member(item.place)]))",
        "u": "provident_fund.balance",  # unknown: provident_fund is given without a balance
        "b": "person.birth_date"}
NO_BALANCE = {"provident_fund": {"periods": []}}


def r(text: str, situation: dict | None = None, **kw):
    """``text`` where ``r`` is the bounded count R and ``u`` an unknown number."""
    return ev(text, {**BOUNDED, **NO_BALANCE, **(situation or {})}, lets=LETS, **kw)


def unknown(*missing: str, params: tuple[str, ...] = ()) -> Unknown:
    return Unknown(frozenset(missing), frozenset(params))


U_BALANCE = unknown("provident_fund.balance")


# --- arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [
    ("2 + 3", 5), ("2 - 3", -1), ("3 - 2", 1), ("2 * 3", 6), ("-3", -3), ("-(2 - 5)", 3),
    ("7 / 2", Decimal("3.5")), ("6 / 3", Decimal(2)), ("2.5 + 1", Decimal("3.5")),
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 4 - 3", 3), ("12 / 3 / 2", Decimal(2)),
])
def test_arithmetic_on_known_numbers_is_exact(text, value):
    got = ev(text)
    assert got == value and type(got) is type(value), (text, got)


@pytest.mark.parametrize("text, lo, hi", [
    ("r", 12, 18), ("r + 1", 13, 19), ("1 + r", 13, 19), ("r + r", 24, 36),
    ("r - 2", 10, 16), ("20 - r", 2, 8), ("r - r", -6, 6), ("r * 2", 24, 36),
    ("r * -1", -18, -12), ("-r", -18, -12), ("r / 2", 6, 9), ("36 / r", 2, 3),
])
def test_arithmetic_on_a_bounded_count_keeps_exact_bounds_and_what_is_missing(text, lo, hi):
    got = r(text)
    assert got == Range(lo, hi, COARSE), (text, got)


@pytest.mark.parametrize("text", ["u + 1", "1 - u", "u * 2", "2 / u", "-u", "u + r", "r * u"])
def test_arithmetic_with_an_unknown_is_unknown_naming_every_missing_fact(text):
    got = r(text)
    expected = COARSE | U_BALANCE.missing if "r" in text.replace("u", "") else U_BALANCE.missing
    assert got == Unknown(expected), (text, got)


def test_division_by_zero_is_an_evaluation_error_not_a_crash():
    for text in ("1 / 0", "r / 0", "1 / (2 - 2)", "1.5 / 0.0"):
        with pytest.raises(EvalTypeError, match="division by zero"):
            r(text)


def test_division_by_a_bounded_count_that_may_be_zero_is_unknown_naming_what_would_settle_it():
    maybe_zero = {"insurance": [period(WEIFANG, "2021-01", "2021-06")]}  # 0 to 6 months
    assert r("r", maybe_zero) == Range(0, 6, frozenset({"insurance[0].place"}))
    assert r("12 / r", maybe_zero) == unknown("insurance[0].place")
    assert r("12 / (r - 6)", maybe_zero) == unknown("insurance[0].place")  # -6 … 0
    assert r("12 / (r - 3)", maybe_zero) == unknown("insurance[0].place")  # -3 … 3


def test_arithmetic_on_text_is_a_pack_error():
    with pytest.raises(EvalTypeError, match="cannot compute"):
        ev('"a" + 1')
    with pytest.raises(EvalTypeError, match="cannot compute"):
        ev("true + 1")


# --- comparisons -----------------------------------------------------------------------------


@pytest.mark.parametrize("op, below, equal, above", [
    ("<", True, False, False), ("<=", True, True, False), (">", False, False, True),
    (">=", False, True, True), ("==", False, True, False), ("!=", True, False, True),
])
def test_comparisons_of_known_numbers(op, below, equal, above):
    assert ev(f"4 {op} 5") is below
    assert ev(f"5 {op} 5") is equal
    assert ev(f"6 {op} 5") is above
    assert ev(f"5.0 {op} 5") is equal  # decimals and whole numbers compare by value


@pytest.mark.parametrize("text, value", [
    # R lies in 12 … 18: true when every value in it passes, false when none does
    ("r > 11", True), ("r > 12", None), ("r > 17", None), ("r > 18", False),
    ("r >= 12", True), ("r >= 13", None), ("r >= 18", None), ("r >= 19", False),
    ("r < 19", True), ("r < 18", None), ("r < 13", None), ("r < 12", False),
    ("r <= 18", True), ("r <= 17", None), ("r <= 12", None), ("r <= 11", False),
    ("r == 15", None), ("r == 12", None), ("r == 18", None), ("r == 11", False),
    ("r == 19", False), ("r != 19", True), ("r != 11", True), ("r != 12", None),
    ("r != 18", None), ("r != 15", None),
    ("11 < r", True), ("18 < r", False), ("12 <= r", True), ("19 <= r", False),
    ("12 == r", None), ("12 != r", None), ("r == r", None), ("r != r", None),
    ("r < r + 7", True), ("r < r + 6", None), ("r - 7 >= r", False),
])
def test_comparisons_of_a_bounded_count_are_decided_only_by_the_bounds(text, value):
    got = r(text)
    if value is None:
        assert got == Unknown(COARSE), (text, got)
    else:
        assert got is value, (text, got)


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_a_comparison_with_an_unknown_is_unknown_naming_it(op):
    assert r(f"u {op} 5") == U_BALANCE
    assert r(f"5 {op} u") == U_BALANCE
    assert r(f"u {op} r") == Unknown(COARSE | U_BALANCE.missing)


def test_comparisons_of_text_dates_and_null():
    assert ev('"370200" == target') is True
    assert ev('target != "370200"') is False
    assert ev('as_of > date("2025-05-31")') is True
    assert ev('as_of <= date("2025-05-31")') is False
    assert ev("request.service == null") is True  # no service asked: a known null
    with pytest.raises(EvalTypeError, match="cannot compare"):
        ev('1 < "a"')


@pytest.mark.parametrize("text, message", [
    ("insurance < 3", "cannot compare Items < int 3"),
    ("months(3)", "months() needs a list of periods, got int 3"),
    ("months_by_place(3)", "months_by_place() needs a list of periods, got int 3"),
    ("running(3)", "running() needs a list of periods, got int 3"),
    ("places(3)", "places() needs a list, got int 3"),
    ('age("1960-01-01")', "age() needs dates"),
])
def test_functions_given_the_wrong_kind_of_value_are_pack_errors(text, message):
    with pytest.raises(EvalTypeError) as caught:
        ev(text, BOUNDED)
    assert str(caught.value) == message


def test_membership_in_a_list():
    assert ev('"b" in ["a", "b"]') is True
    assert ev('"c" in ["a", "b"]') is False
    assert ev("2 in []") is False
    assert r('u in [1, 2]') == U_BALANCE
    assert r("r in [12, 13]") == Unknown(COARSE)
    with pytest.raises(EvalTypeError, match="'in' needs a list"):
        ev('"a" in "abc"')


def test_membership_in_a_list_not_known_is_unknown():
    # places() of periods not given, or with a period that may or may not count, is unknown:
    # so is a place's membership in it (it was a rule error, found by the generated rules)
    assert ev(f'"{QINGDAO}" in places(insurance)') == unknown("insurance")
    assert r(f'"{GAOMI}" in places(insurance[member(item.place)])') == Unknown(COARSE)
    assert r('u in places(insurance[member(item.place)])') == Unknown(
        COARSE | U_BALANCE.missing)
    assert ev(f'"{GAOMI}" in places(insurance)', BOUNDED) is True


def test_lists_with_maybe_items_equal_nothing_for_sure():
    assert r("insurance[member(item.place)] == insurance") == Unknown(COARSE)
    assert r("insurance[member(item.place)] != insurance") == Unknown(COARSE)
    assert ev("insurance == insurance", BOUNDED) is True


# --- logic -----------------------------------------------------------------------------------

U1, U2 = "person.sex == \"male\"", "provident_fund.balance > 0"  # two unknowns (no person given)
M1, M2 = frozenset({"person.sex"}), frozenset({"provident_fund.balance"})


@pytest.mark.parametrize("text, value", [
    ("true and true", True), ("true and false", False), ("false and true", False),
    ("true or false", True), ("false or true", True), ("false or false", False),
    ("not true", False), ("not false", True), ("not not true", True),
    (f"false and {U1}", False), (f"{U1} and false", False), (f"true or {U1}", True),
    (f"{U1} or true", True), (f"true and {U1}", M1), (f"{U1} and true", M1),
    (f"false or {U1}", M1), (f"{U1} or false", M1), (f"not ({U1})", M1),
    (f"{U1} and {U2}", M1 | M2), (f"{U1} or {U2}", M1 | M2),
    (f"true and {U1} and {U2}", M1 | M2), (f"{U1} and {U2} and false", False),
    (f"{U1} or {U2} or true", True), ("true and true and true", True),
    ("false or false or false", False),
])
def test_three_valued_logic(text, value):
    got = ev(text, NO_BALANCE)
    if isinstance(value, frozenset):
        assert got == Unknown(value), (text, got)
    else:
        assert got is value, (text, got)


@pytest.mark.parametrize("text", ["1 and true", "false or 1", "not 1", '"a" and true'])
def test_logic_on_a_value_that_is_no_truth_value_is_a_pack_error(text):
    with pytest.raises(EvalTypeError, match="not a truth value"):
        ev(text)


def test_if_then_else():
    assert ev("if true then 1 else 2") == 1
    assert ev("if false then 1 else 2") == 2
    assert ev(f"if {U1} then 3 else 3") == 3  # both branches agree: decided
    assert ev(f"if {U1} then 3 else 4") == Unknown(M1)
    assert ev(f"if {U1} then 3 else {U2}", NO_BALANCE) == Unknown(M1 | M2)
    assert r(f"if {U1} then r else r") == Unknown(M1 | COARSE)  # bounds are no known value
    with pytest.raises(EvalTypeError, match="not a truth value"):
        ev("if 1 then 2 else 3")


# --- names, fields, filters ------------------------------------------------------------------


def test_names_and_fields_read_facts_and_record_them():
    value, rec = ev_rec("person.sex", {"person": {"sex": "female"}})
    assert value == "female" and rec.facts == {"person.sex": "female"}
    assert ev("as_of") == date(2025, 6, 1) and ev("target") == QINGDAO


def test_an_absent_fact_is_unknown_naming_its_own_path():
    value, rec = ev_rec("person.sex", {"person": {"birth_date": "1970-01-01"}})
    assert value == unknown("person.sex") and rec.facts == {"person.sex": None}
    # a whole absent object: the path asked for is named, not its parent
    assert ev("person.sex") == unknown("person.sex")
    assert ev("provident_fund.balance") == unknown("provident_fund.balance")
    assert ev("target", {"target": None}) == unknown("target")


def test_fields_whose_null_is_known():
    running = ev("insurance[item.to == null]", {"insurance": [period(QINGDAO, "2020-01")]})
    assert [i.path for i in running.sure] == ["insurance[0]"]
    assert ev("request.service") is None


def test_a_parameter_value_with_fields():
    assert ev('param("test.record").male') == 300
    with pytest.raises(EvalTypeError, match="no field 'child'"):
        ev('param("test.record").child')


def test_unknown_names_and_fields_are_pack_errors():
    with pytest.raises(EvalTypeError, match="unknown name 'nobody'"):
        ev("nobody")
    with pytest.raises(EvalTypeError, match=r"cannot take \.place of"):
        ev("as_of.place")


def test_a_filter_keeps_item_paths_and_splits_sure_from_maybe():
    items = r("insurance[member(item.place)]")
    assert isinstance(items, Items)
    assert [i.path for i in items.sure] == ["insurance[0]"]
    assert [i.path for i in items.maybe] == ["insurance[1]"]
    assert items.missing == COARSE
    kept = ev('insurance[item.scheme == "pension"]',
              {"insurance": [period(QINGDAO, "2020-01"), period(YANTAI, "2020-01", None,
                                                                 "pension")]})
    assert [i.path for i in kept.sure] == ["insurance[1]"] and kept.maybe == ()
    # a filter of a filter: maybe stays maybe, and a false condition drops a maybe-item
    assert r('insurance[member(item.place)][item.scheme == "employee_medical"]').maybe != ()
    assert r('insurance[member(item.place)][item.from > month("2020-12")]').sure == ()
    assert ev("insurance[true]") == unknown("insurance")
    with pytest.raises(EvalTypeError, match="cannot filter"):
        ev("as_of[true]")


# --- functions -------------------------------------------------------------------------------


def test_count_and_exists():
    assert ev("count(insurance)", BOUNDED) == 2
    assert r("count(insurance[member(item.place)])") == Range(1, 2, COARSE)
    assert ev("count([1, 2, 3])") == 3 and ev("count([])") == 0
    assert ev("count(insurance)") == unknown("insurance")
    assert ev("exists(insurance)", BOUNDED) is True
    assert ev("exists(insurance)", {"insurance": []}) is False
    assert ev("exists(insurance)") == unknown("insurance")
    only_maybe = {"insurance": [period(WEIFANG, "2021-01", "2021-06")]}
    assert r("exists(insurance[member(item.place)])", only_maybe) == unknown("insurance[0].place")
    with pytest.raises(EvalTypeError, match="count"):
        ev("count(3)")


def test_months_merge_overlaps_run_open_periods_to_as_of_and_ignore_the_future():
    sit = {"insurance": [period(YANTAI, "2020-01", "2020-12"), period(QINGDAO, "2020-07",
                                                                       "2021-03"),
                         period(QINGDAO, "2025-03"), period(QINGDAO, "2026-01", "2026-12")]}
    got = ev("months(insurance)", sit)
    m = mo.parse_month
    assert got == MonthSet(((m("2020-01"), m("2021-03")), (m("2025-03"), m("2025-06"))))
    assert ev("count(months(insurance))", sit) == 15 + 4
    assert ev("count(months(insurance))", {"insurance": []}) == 0
    bounded = r("months(insurance[member(item.place)])")
    assert bounded.sure == ((m("2020-01"), m("2020-12")),)
    assert bounded.maybe == ((m("2021-01"), m("2021-06")),) and bounded.missing == COARSE
    assert ev("months(insurance)") == unknown("insurance")


def test_months_of_permits_count_from_since_and_need_it():
    held = {"person": {"residence": [{"place": QINGDAO, "since": "2024-07-15"}]}}
    assert ev("count(months(person.residence))", held) == 12  # 2024-07 … 2025-06
    undated = {"person": {"residence": [{"place": QINGDAO}]}}
    assert ev("months(person.residence)", undated) == unknown("person.residence[0].since")
    assert ev("months_by_place(person.residence)", undated) == unknown(
        "person.residence[0].since")


def test_months_by_place_counts_each_place_once_and_drops_empty_places():
    sit = {"insurance": [period(YANTAI, "2020-01", "2020-12"), period(YANTAI, "2020-07",
                                                                       "2021-02"),
                         period(QINGDAO, "2025-01"), period(WEIHAI, "2026-01")]}
    assert ev("months_by_place(insurance)", sit) == {QINGDAO: 6, YANTAI: 14}
    assert r("months_by_place(insurance[member(item.place)])") == Unknown(COARSE)
    assert ev("months_by_place(insurance)") == unknown("insurance")


@pytest.mark.parametrize("periods, run", [
    ([("2024-01", None)], 18),  # still paying through June 2025
    ([("2024-01", "2025-06")], 18),
    ([("2024-01", "2025-05")], 17),  # June not paid yet: the run ending in May counts
    ([("2024-01", "2025-04")], 0),  # ended two months ago: no run
    ([("2025-06", "2025-06")], 1),  # a one-month period this month
    ([("2025-05", "2025-05")], 1),  # a one-month period last month
    ([("2024-01", "2024-12"), ("2025-02", None)], 5),  # a gap breaks the run
    ([("2024-01", "2024-12"), ("2025-01", None)], 18),  # adjacent periods join
    ([("2024-01", "2025-01"), ("2024-06", "2025-06")], 18),  # overlapping periods join
    ([], 0),
])
def test_consecutive_months(periods, run):
    sit = {"provident_fund": {"periods": [
        {"place": QINGDAO, "from": a, **({"to": b} if b else {})} for a, b in periods]}}
    assert ev("consecutive_months(months(provident_fund.periods))", sit) == run


def test_consecutive_months_bounded_and_unknown():
    sit = {"target": GAOMI, "insurance": [period(GAOMI, "2024-01", "2024-12"),
                                          period(WEIFANG, "2025-01")]}
    got = ev("consecutive_months(months(insurance[member(item.place)]))", sit)
    assert got == Range(0, 18, COARSE)  # the run reaches June only through the maybe months
    assert ev("consecutive_months(months(insurance))") == unknown("insurance")
    with pytest.raises(EvalTypeError, match="consecutive_months"):
        ev("consecutive_months(insurance)", BOUNDED)


def test_running_keeps_periods_running_at_as_of():
    sit = {"insurance": [period(YANTAI, "2020-01", "2024-12"), period(QINGDAO, "2025-01"),
                         period(WEIHAI, "2025-06", "2025-06"), period(JINAN, "2025-07"),
                         period(LAIYANG, "2024-01", "2025-05")]}
    got = ev("running(insurance)", sit)
    assert [i.path for i in got.sure] == ["insurance[1]", "insurance[2]"]
    assert ev("running(insurance)") == unknown("insurance")
    kept = r("running(insurance[member(item.place)])",
             {"insurance": [period(GAOMI, "2025-01"), period(WEIFANG, "2025-01"),
                            period(WEIFANG, "2020-01", "2020-02")]})
    assert [i.path for i in kept.sure] == ["insurance[0]"]
    assert [i.path for i in kept.maybe] == ["insurance[1]"]


@pytest.mark.parametrize("born, at, age", [
    ("1965-06-01", None, 60), ("1965-06-02", None, 59), ("1965-05-31", None, 60),
    ("1965-07-01", None, 59), ("1964-12-31", None, 60),
    ("1960-02-29", "2021-02-28", 60), ("1960-02-29", "2021-03-01", 61),
    ("1960-02-29", "2024-02-29", 64),
])
def test_age_in_whole_years(born, at, age):
    sit = {"person": {"birth_date": born}}
    text = "age(person.birth_date)" if at is None else f'age(person.birth_date, date("{at}"))'
    assert ev(text, sit) == age


def test_age_of_an_unknown_birth_date_is_unknown():
    assert ev("age(person.birth_date)") == unknown("person.birth_date")
    assert ev("age(person.birth_date) >= 60") == unknown("person.birth_date")


def test_city_of_a_place():
    assert ev(f'city("{LAIYANG}")') == YANTAI
    assert ev(f'city("{YANTAI}")') == YANTAI
    assert ev("city(person.hukou)") == unknown("person.hukou")


def test_member_needs_the_place_and_the_target_in_one_zone_in_force():
    assert ev(f'member("{YANTAI}")') is True  # 青岛 and 烟台: zone cities
    assert ev(f'member("{LAIYANG}")') is True  # a county of a member city
    assert ev(f'member("{GAOMI}")') is False  # 高密's zone does not hold 青岛
    assert ev(f'member("{JINAN}")') is False
    assert ev(f'member("{ZHUCHENG}")', {"target": GAOMI}) is True
    # 威海 joins the zone `later` on 2024-01-01: membership is judged at as_of
    assert ev(f'member("{WEIHAI}")') is True
    assert ev(f'member("{WEIHAI}")', as_of=date(2023, 12, 31)) is False


def test_member_of_a_too_coarse_place_is_unknown_naming_its_path_with_a_note():
    value, rec = ev_rec("insurance[member(item.place)]", BOUNDED)
    assert value.missing == COARSE
    assert [n.en for n in rec.notes] == [
        "370700 潍坊市 is too coarse for Two counties: only 诸城市、高密市 are members; "
        "the county decides"]
    assert rec.notes[0].zh.startswith("370700 潍坊市 对两县而言不够具体")
    value, rec = ev_rec(f'member("{WEIFANG}")', {"target": GAOMI})
    assert value == unknown("place") and len(rec.notes) == 1
    value, rec = ev_rec("member(person.hukou)", {"target": GAOMI, "person": {"hukou": WEIFANG}})
    assert value == unknown("person.hukou")
    # a place that is decided gets no note
    value, rec = ev_rec("insurance[member(item.place)]",
                        {"target": GAOMI, "insurance": [period(ZHUCHENG, "2020-01")]})
    assert rec.notes == []


def test_member_with_an_unknown_target():
    assert ev(f'member("{JINAN}")', {"target": None}) is False  # in no zone: never a member
    assert ev(f'member("{YANTAI}")', {"target": None}) == unknown("target")
    assert ev("member(person.hukou)") == unknown("person.hukou")


def test_shares_zone_looks_at_one_zone_of_the_rule():
    assert ev(f'shares_zone("{YANTAI}", "cities")') is True
    assert ev(f'shares_zone("{WEIHAI}", "cities")') is False
    assert ev(f'shares_zone("{WEIHAI}", "later")') is True
    assert ev(f'shares_zone("{WEIFANG}", "counties")', {"target": GAOMI}) == unknown("place")
    assert ev(f'shares_zone("{GAOMI}", "cities")', {"target": GAOMI}) is False


def test_in_zone_holds_the_place_at_as_of():
    def zone(text, situation=None, **kw):
        return ev(text, situation, rule="test.zones", **kw)

    assert zone(f'in_zone("{GAOMI}", "counties")') is True
    assert zone(f'in_zone("{JINAN}", "counties")') is False
    assert zone('in_zone(person.hukou, "counties")', {"person": {"hukou": WEIFANG}}) == unknown(
        "person.hukou")
    assert zone('in_zone(person.hukou, "counties")') == unknown("person.hukou")
    # 潍坊 holds one member of `mixed` (高密) but not the other (青岛): still too coarse
    assert zone(f'in_zone("{WEIFANG}", "mixed")') == unknown("place")
    assert zone(f'in_zone("{ZHUCHENG}", "mixed")') is False
    assert zone(f'in_zone("{LAIYANG}", "mixed")') is False
    # a zone with no member yet holds nothing
    assert zone('in_zone("371100", "future")') is False
    assert zone('in_zone("370100", "future")') is False
    assert zone('in_zone("371100", "future")', as_of=date(2030, 1, 1)) is True
    # a zone the rule does not cite holds nothing, even a member (test.frame cites no `mixed`)
    assert zone(f'in_zone("{GAOMI}", "mixed")') is True
    assert ev(f'in_zone("{GAOMI}", "mixed")') is False


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize("at, value", [
    ("2020-06-01", None),  # before the first dated value: none (the undated one comes after)
    ("2020-12-31", None),
    ("2021-01-01", 10), ("2022-12-31", 10), ("2023-01-01", 20), ("2023-12-31", 20),
    ("2024-01-01", 30),  # after every dated value: the undated current value
    ("2030-01-01", 30),
])
def test_parameter_values_at_the_edges_of_their_dates(at, value):
    got = ev('param("test.dated")', as_of=date.fromisoformat(at))
    if value is None:
        assert got == unknown(params=("test.dated[370200]",))
    else:
        assert got == value


@pytest.mark.parametrize("place, at, value", [
    (YANTAI, "2020-12-31", None), (YANTAI, "2021-01-01", 11), (YANTAI, "2022-12-31", 11),
    (YANTAI, "2023-01-01", None),  # its only value has ended: no stale value
    (WEIFANG, "2010-01-01", 12), (WEIFANG, "2022-12-31", 12),  # no start: up to its end
    (WEIFANG, "2023-01-01", None), (WEIHAI, "2022-01-01", None),  # declared without values
    ("371100", "2021-12-31", 40), ("371100", "2022-06-01", None),  # a gap between dated values
    ("371100", "2023-01-01", 50), ("371100", "2024-01-01", 60),  # the undated one comes after
])
def test_parameter_values_at_other_places(place, at, value):
    got = ev(f'param("test.dated", place="{place}")', as_of=date.fromisoformat(at))
    assert got == (unknown(params=(f"test.dated[{place}]",)) if value is None else value)


def test_a_parameter_declared_at_the_city_is_named_by_the_city_when_asked_at_a_county():
    value, rec = ev_rec(f'param("test.dated", place="{LAIYANG}")')
    assert value == unknown(params=("test.dated[370600]",))
    assert rec.parameters == [{"parameter": "test.dated", "place": YANTAI, "at": "2025-06-01",
                               "value": None, "status": "no_value"}]
    assert ev(f'param("test.dated", place="{LAIYANG}")', as_of=date(2022, 1, 1)) == 11
    # not declared on the way up: named at the place asked
    value, rec = ev_rec(f'param("test.dated", place="{JINAN}")')
    assert value == unknown(params=("test.dated[370100]",))
    assert rec.parameters == [{"parameter": "test.dated", "place": JINAN, "at": "2025-06-01",
                               "value": None, "status": "not_declared"}]


def test_a_parameter_at_a_place_too_coarse_names_the_fact_that_gave_the_place():
    value, rec = ev_rec('param("test.county", place=person.hukou)',
                        {"person": {"hukou": WEIFANG}})
    assert value == unknown("person.hukou")
    assert [n.en for n in rec.notes] == [
        "test.county: 370700 潍坊市 is too coarse; its counties have their own values"]
    assert ev(f'param("test.county", place="{WEIFANG}")') == unknown("place")
    assert ev('param("test.county")', {"target": WEIFANG}) == unknown("target")
    assert ev('param("test.county", place=person.hukou)', {"person": {"hukou": GAOMI}}) == 5
    assert ev('param("test.county", place=person.hukou)', {"person": {"hukou": ZHUCHENG}}) == 7
    assert ev('param("test.county", place=person.hukou)') == unknown("person.hukou")
    assert ev('param("test.county", place=person.hukou, at=person.retired_on)',
              {"person": {"hukou": GAOMI}}) == unknown("person.retired_on")


def test_a_parameter_at_another_date():
    assert ev('param("test.dated", at=date("2021-06-01"))') == 10
    assert ev('param("test.dated", at=person.retired_on)',
              {"person": {"retired_on": "2023-03-01"}}) == 20


def test_a_parameter_used_is_recorded_with_its_reference_and_flag():
    value, rec = ev_rec('param("test.dated")')
    assert value == 30
    assert rec.parameters == [{
        "parameter": "test.dated", "place": QINGDAO, "at": "2025-06-01", "value": 30,
        "reference": "Test notice, article 3 (undated)", "confidence": "medium",
        "undated": True, "flagged": True}]
    value, rec = ev_rec('param("test.dated")', as_of=date(2021, 6, 1))
    assert rec.parameters[0]["flagged"] is False and rec.parameters[0]["undated"] is False


def test_declared_with_or_without_a_value():
    assert ev('declared("test.dated")') is True
    assert ev(f'declared("test.dated", place="{WEIHAI}")') is True  # declared, no value
    assert ev(f'declared("test.dated", place="{LAIYANG}")') is True  # through its city
    assert ev(f'declared("test.dated", place="{JINAN}")') is False
    assert ev(f'declared("test.county_only", place="{GAOMI}")') is True
    assert ev('declared("test.county_only", place=person.hukou)',
              {"person": {"hukou": WEIFANG}}) == unknown("person.hukou")
    assert ev('declared("test.county_only", place=person.hukou)') == unknown("person.hukou")
    assert ev(f'declared("test.county_only", place="{ZHUCHENG}")') is False


def test_pick_a_field_by_a_fact():
    assert ev('pick(param("test.record"), person.sex)', {"person": {"sex": "female"}}) == 240
    assert ev('pick(param("test.record"), person.sex)') == unknown("person.sex")
    with pytest.raises(EvalTypeError, match="no field 'x'"):
        ev('pick(param("test.record"), "x")')


def test_places_of_periods_and_cards():
    sit = {"insurance": [period(YANTAI, "2020-01"), period(QINGDAO, "2020-01"),
                         period(YANTAI, "2010-01", "2011-01")],
           "cards": [{"kind": "transit", "issuer": WEIHAI}]}
    assert ev("places(insurance)", sit) == (QINGDAO, YANTAI)
    assert ev("places(cards)", sit) == (WEIHAI,)
    assert ev("places(insurance)") == unknown("insurance")
    assert r("places(insurance[member(item.place)])") == Unknown(COARSE)


@pytest.mark.parametrize("text, value", [
    ("min(3, 5)", 3), ("max(3, 5)", 5), ("min(5, 3, 4)", 3), ("max(5, 3, 4)", 5),
    ("min([4, 2, 9])", 2), ("max([4, 2, 9])", 9), ("min(7)", 7),
    ("min(r, 20)", Range(12, 18, COARSE)), ("min(r, 15)", Range(12, 15, COARSE)),
    ("max(r, 15)", Range(15, 18, COARSE)), ("min(r, 10)", 10), ("max(r, 20)", 20),
    ("max(r, 10)", Range(12, 18, COARSE)), ("min(20, r)", Range(12, 18, COARSE)),
])
def test_min_and_max(text, value):
    assert r(text) == value, text


def test_min_and_max_with_an_unknown_keep_every_arguments_missing_facts():
    for f in ("min", "max"):
        assert r(f"{f}(u, r)") == Unknown(U_BALANCE.missing | COARSE)
        assert r(f"{f}(r, u)") == Unknown(U_BALANCE.missing | COARSE)
        assert r(f"{f}(u, 3)") == U_BALANCE
        assert r(f"{f}(u)") == U_BALANCE
        assert r(f"{f}([])") == Unknown()


def test_round_down_cuts_toward_zero():
    assert ev("round_down(7 / 3, 2)") == Decimal("2.33")
    assert ev("round_down(2 / 3, 0)") == Decimal("0")
    assert ev("round_down(-7 / 3, 1)") == Decimal("-2.3")
    assert ev("round_down(5, 2)") == Decimal("5.00")
    assert r("round_down(r / 7, 2)") == Unknown(COARSE)
    assert r("round_down(u, 2)") == U_BALANCE
    with pytest.raises(EvalTypeError, match="round_down"):
        ev('round_down("a", 2)')


def test_service_items_of_the_zones_holding_place_and_target():
    def ids(items):
        return [i.value.id for i in items]

    got = ev(f'service_items("{YANTAI}")')
    assert ids(got.sure) == ["city_item"] and got.maybe == ()  # future_item starts in 2030
    assert ids(ev(f'service_items("{JINAN}")').sure) == []
    got = ev(f'service_items("{WEIFANG}")', {"target": GAOMI})
    assert ids(got.sure) == [] and ids(got.maybe) == ["county_item"]
    assert got.missing == {"place"}
    got = ev("service_items(person.hukou)", {"target": WEIFANG, "person": {"hukou": GAOMI}})
    assert ids(got.maybe) == ["county_item"] and got.missing == {"target"}
    assert ev("service_items(person.hukou)") == unknown("person.hukou")
    assert ev(f'service_items("{YANTAI}")', {"target": None}) == unknown("target")



def test_a_service_item_shows_its_id_zone_and_channel_and_nothing_else():
    items = f'service_items("{YANTAI}")'
    for field, value in (("id", "city_item"), ("zone", "cities"), ("channel", "online")):
        assert ev(f'count({items}[item.{field} == "{value}"])') == 1, field
        assert ev(f'count({items}[item.{field} != "{value}"])') == 0, field
    with pytest.raises(EvalTypeError, match=r"cannot take \.name"):
        ev(f'count({items}[item.name == "x"])')


def test_a_field_declared_without_value_is_unknown_naming_the_parameter_at_its_place():
    missing = unknown(params=("test.partial_record[370200]",))
    assert ev('param("test.partial_record").male') == 300
    assert ev('param("test.partial_record").female') == missing
    assert ev('pick(param("test.partial_record"), "female")') == missing
    assert ev('pick(param("test.partial_record"), person.sex)',
              {"person": {"sex": "female"}}) == missing

def test_given():
    assert ev("given(person.sex)", {"person": {"sex": "male"}}) is True
    assert ev("given(person.sex)") == unknown("person.sex")
    assert r("given(r)") == Unknown(COARSE)


def test_date_and_month():
    assert ev('date("2024-02-29")') == date(2024, 2, 29)
    assert ev('month("2025-03")') == 2025 * 12 + 2
    assert ev("month(as_of)") == 2025 * 12 + 5
    assert ev("month(person.retired_on)") == unknown("person.retired_on")
    assert ev('month("2025-03") < month(as_of)') is True
