"""Parameter fallback (README, pack format): a place's values speak from their earliest start;
before it, the next broader place declaring the parameter answers. A city value from 2026-07 does
not hide Shandong's value before then — in the reference evaluator and in columns alike."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from batchtools import assert_same

import tongcheng
from packtools import TRANSIT_PARAMS, copy_pack
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.batch.layout import from_situations
from tongcheng.pack import parameters as params
from tongcheng.places import default_registry
from tongcheng.situation import parse_situation

# A made-up later Qingdao value, for this test pack only (the bundled pack has none).
QINGDAO_LATER = '''
    "370200":
      - from: 2026-07-01
        value: 65
        reference: a value made up for this test, to show the fallback
        confidence: low
    "370285": []   # Laixi: declared, without a value
    "370785":
      - from: 2026-07-01
        to: 2026-12-31
        value: 62
        reference: another made-up value, with an end
        confidence: low
'''
RIDE = "transit.senior_free_ride"


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> tongcheng.RulePack:
    root = copy_pack(Path(tmp_path_factory.mktemp("fallback")))
    path = root / TRANSIT_PARAMS
    text = path.read_text(encoding="utf-8")
    anchor = "        confidence: high\n"
    head, tail = text.split(anchor, 1)
    path.write_text(head + anchor + QINGDAO_LATER.lstrip("\n") + tail, encoding="utf-8")
    return tongcheng.load_pack(root)


@pytest.mark.parametrize(("place", "at", "value", "where"), [
    ("370202", date(2025, 6, 1), 60, "370000"),   # before Qingdao's value: Shandong's
    ("370202", date(2026, 6, 30), 60, "370000"),
    ("370202", date(2026, 7, 1), 65, "370200"),
    ("370285", date(2025, 6, 1), None, "370285"),  # declared without value: no fallback
    ("370785", date(2026, 6, 1), 60, "370000"),
    ("370785", date(2026, 8, 1), 62, "370785"),
    ("370785", date(2027, 1, 1), None, "370785"),  # after its own value ends: its own gap
    ("371000", date(2025, 6, 1), 60, "370000"),
])
def test_lookup_falls_back_before_a_place_speaks(pack, place, at, value, where):
    hit = params.lookup(default_registry(), pack.parameters["transit.senior_free_ride_min_age"],
                        place, at)
    assert hit.place == where
    assert (hit.value.value if hit.value else None) == value


SITUATIONS = [
    {"as_of": when, "target": target, "person": {"birth_date": born}}
    for when in ("2025-06-01", "2026-06-30", "2026-07-01", "2027-01-01")
    for target in ("370202", "370285", "370785", "371000")
    for born in ("1963-01-01", "1965-06-01")
]


def test_decisions_and_columns_fall_back_alike(pack):
    d = tongcheng.evaluate(SITUATIONS[0] | {"person": {"birth_date": "1963-01-01"}}, pack,
                           rules=[RIDE]).decision(RIDE)
    assert d.status.value == "eligible"  # 62 in 2025 under Shandong's 60, in Qingdao too
    later = tongcheng.evaluate({"as_of": "2026-07-01", "target": "370202",
                                "person": {"birth_date": "1963-01-01"}}, pack,
                               rules=[RIDE]).decision(RIDE)
    assert later.status.value == "ineligible"  # 63 under Qingdao's 65
    engine = BatchEvaluator(pack)
    models = [parse_situation(s) for s in SITUATIONS]
    assert_same(engine, engine.evaluate(from_situations(models),
                                        lambda idx: [models[i] for i in idx]), models)
    by_day = {}
    for day in ("2025-06-01", "2026-07-01"):  # one as_of for all rows: the columns' shortcut
        same = [m for m, s in zip(models, SITUATIONS, strict=True) if s["as_of"] == day]
        by_day[day] = engine.evaluate(from_situations(same), lambda idx, same=same: [
            same[i] for i in idx])
        assert_same(engine, by_day[day], same)
