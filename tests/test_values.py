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
