"""The pytest entry a rule author copies: lint_test and property_tests on their own pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tongcheng.consistency.pytest_plugin import lint_test, property_tests

PACKS = Path(__file__).resolve().parents[1] / "packs" / "consistency"

# What a rule author writes for their pack (here the small consistent test pack):
test_clean_pack_lint = lint_test(PACKS / "clean")
test_clean_pack_property = property_tests(PACKS / "clean", examples=30, shrink_seconds=5)


def test_lint_test_fails_with_file_line_messages():
    with pytest.raises(pytest.fail.Exception) as e:
        lint_test(PACKS / "lint-gap")()
    assert "rules/loan.yaml:" in str(e.value) and "error:" in str(e.value)


def test_property_test_fails_with_the_counterexample():
    test = property_tests(PACKS.parent / "conflict", examples=50,
                          properties=["no_contradictions"], shrink_seconds=5)
    with pytest.raises(pytest.fail.Exception) as e:
        test("no_contradictions")
    text = str(e.value)
    assert "both apply" in text and "target: '370200'" in text and "tongcheng check" in text
