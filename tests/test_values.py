"""Comparisons of partly known values: a list with maybe-items never equals anything for sure."""

from __future__ import annotations

from tongcheng.evaluate import values as v
from tongcheng.evaluate.interpreter import compare


def _items(sure: int, maybe: int) -> v.Items:
    return v.Items(
        sure=tuple(v.Item(f"insurance[{i}]", i) for i in range(sure)),
        maybe=tuple(v.Item(f"insurance[{sure + i}]", sure + i) for i in range(maybe)),
        missing=frozenset({"insurance[9].place"}),
    )


def test_equality_with_maybe_items_is_unknown_and_names_what_is_missing():
    for op in ("==", "!="):
        result = compare(op, _items(1, 1), _items(1, 1))
        assert isinstance(result, v.Unknown)
        assert result.missing == {"insurance[9].place"}


def test_equality_of_fully_known_items_is_decided():
    assert compare("==", _items(2, 0), _items(2, 0)) is True
    assert compare("!=", _items(2, 0), _items(1, 0)) is True


def test_known_values_as_json():
    from datetime import date
    from decimal import Decimal

    assert v.to_json(Decimal("2.50")) == 2.5 and v.to_json(Decimal("3.00")) == 3
    assert type(v.to_json(Decimal("3.00"))) is int
    assert v.to_json(v.MonthSet(((24300, 24302), (24310, 24310)))) == [
        ["2025-01", "2025-03"], ["2025-11", "2025-11"]]
    assert v.to_json(v.MonthSet(((24300, 24302),), ((24305, 24306),))) is None  # maybe months
    assert v.to_json(date(2025, 6, 1)) == "2025-06-01"
    assert v.to_json({"a": (1, Decimal("1.5"))}) == {"a": [1, 1.5]}
    assert v.to_json(v.Range(1, 2)) is None and v.to_json(v.Unknown()) is None
    assert v.to_json(_items(2, 0)) == [0, 1]
    assert v.to_json(None) is None and v.to_json(True) is True


def test_gaps_name_what_the_values_not_fully_known_miss():
    a, b, p = frozenset({"a"}), frozenset({"b"}), frozenset({"p[1]"})
    none = (frozenset(), frozenset())
    assert v.gaps(1) == none and v.gaps() == none and v.gaps(1, "x", None) == none
    assert v.gaps(v.Unknown(a, p)) == (a, p)
    assert v.gaps(v.Range(1, 2, a, p)) == (a, p)
    assert v.gaps(3, v.Unknown(a), v.Range(1, 2, b, p)) == (a | b, p)
    # a list or month set whose maybe part is gone is known: what it once missed is not missing
    assert v.gaps(v.Items((), (), a, p)) == none
    assert v.gaps(v.MonthSet(((1, 2),), (), a, p)) == none
    assert v.gaps(v.MonthSet(((1, 2),), ((4, 4),), a, p)) == (a, p)
    assert v.gaps(_items(1, 1)) == (frozenset({"insurance[9].place"}), frozenset())


def test_unknown_and_bounded_carry_the_gaps_of_their_sources():
    a, p = frozenset({"a"}), frozenset({"p[1]"})
    u = v.Unknown(a, p)
    assert v.unknown(u) is u
    assert v.unknown(u, v.Unknown(frozenset({"b"}))) == v.Unknown(a | {"b"}, p)
    assert v.unknown(1, 2) == v.Unknown()
    assert v.bounded(3, 3, u) == 3
    assert v.bounded(2, 5, u, 7) == v.Range(2, 5, a, p)
    assert v.bounds(v.Range(2, 5)) == (2, 5) and v.bounds(4) == (4, 4)
    assert v.bounds(u) is None


def test_facts_and_pack_items_as_json():
    from pathlib import PurePosixPath

    import tongcheng
    from tongcheng.situation import parse_situation

    s = parse_situation({"as_of": "2025-06-01", "insurance": [
        {"scheme": "employee_medical", "place": "370200", "from": "2020-01"}],
        "person": {"residence": [{"place": "370200", "since": "2020-05-01"}]}})
    # situation keys (`from`), no nulls (`to` absent: still running), months and dates as text
    assert v.to_json(s.insurance[0]) == {"scheme": "employee_medical", "place": "370200",
                                         "from": "2020-01", "deemed": False}
    assert v.to_json(s.person.residence[0]) == {"place": "370200", "since": "2020-05-01"}
    item = tongcheng.bundled_pack().services[0]
    assert v.to_json(item) == item.to_dict() and v.to_json(item)["from"] == "2020-05-19"
    assert v.to_json(PurePosixPath("a/b")) == "a/b"  # anything else: its text
