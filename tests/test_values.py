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
