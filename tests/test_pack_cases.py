"""The bundled pack carries its own test cases (rules/tests/*.yaml, shipped with it): they read
without a problem, check every rule on every status, and pytest runs them (through tongcheng's
plugin: `testpaths` names rules/tests)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import tongcheng
from tongcheng.pack.loader import bundled_pack_path
from tongcheng.packtest.runner import run_pack_tests

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ran():
    return run_pack_tests(tongcheng.bundled_pack())


def test_the_pack_cases_read_cleanly_and_pass(ran):
    files, results = ran
    assert len(files) >= 10
    assert [p.text("en") for f in files for p in f.all_problems] == []
    assert len(results) >= 140
    assert all(r.passed for r in results)


def test_every_rule_is_checked_on_every_status(ran):
    _, results = ran
    seen: dict[str, set[str]] = {}
    for r in results:
        for e in r.case.expectations:
            seen.setdefault(e.rule, set()).add(e.status)
    for rule in tongcheng.bundled_pack().rules:
        statuses = {"eligible", "undetermined", "not_applicable"}
        if rule.conditions:  # a rule without conditions grants whenever it applies
            statuses.add("ineligible")
        assert statuses <= seen.get(rule.id, set()), (rule.id, statuses - seen.get(rule.id, set()))


def test_the_cases_ship_with_the_pack_and_pytest_collects_them():
    assert (bundled_pack_path() / "tests").is_dir()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "rules/tests" in config["tool"]["pytest"]["ini_options"]["testpaths"]
    entry = config["project"]["entry-points"]["pytest11"]["tongcheng"]
    assert entry == "tongcheng.packtest.pytest_plugin"
