"""tongcheng.testing: strategies derived from any pack, valid by construction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tongcheng
from tongcheng import testing as ts
from tongcheng.consistency.facts import field_at, parse_path
from tongcheng.pack.loader import load_pack
from tongcheng.situation import Situation

PACKS = Path(__file__).resolve().parents[1] / "packs" / "consistency"
BUNDLED = tongcheng.bundled_pack()
SMALL = load_pack(PACKS / "clean")


def months_of(situation: dict, path: tuple) -> int:
    """Distinct months of the periods at path, up to as_of (the contract's counting)."""
    model = tongcheng.parse_situation(situation)
    as_of = model.as_of or date.today()
    now = as_of.year * 12 + as_of.month - 1
    node = model
    for key in path:
        node = getattr(node, key) if node is not None else None
    covered = set()
    for p in node or ():
        if hasattr(p, "from_"):
            covered |= set(range(p.from_, min(p.to if p.to is not None else now, now) + 1))
        elif p.since is not None:
            start = p.since.year * 12 + p.since.month - 1
            covered |= set(range(start, now + 1))
    return len(covered)


def test_the_pool_is_derived_from_the_pack_and_the_registry():
    pool = ts.place_pool(BUNDLED)
    assert "370785" in pool.members and "370782" in pool.members  # 高密, 诸城 (metro counties)
    assert "370700" in pool.coarse  # 潍坊: too coarse for the metro area
    assert "370786" in pool.beside  # 昌邑: in 潍坊, not in the metro area
    assert "370211" in pool.inside  # 黄岛区, a county of a member city
    assert any(p.startswith("11") for p in pool.elsewhere)  # outside Shandong
    assert "419001" in pool.elsewhere  # 济源: a county governed by its province, no city
    assert ("370282", date(2017, 9, 20)) in pool.retired  # 即墨市, valid for earlier periods
    assert "370700" not in pool.fine and "370785" in pool.fine
    small = ts.place_pool(SMALL)
    assert set(small.members) == {"370200", "370600", "370700", "371000"}
    assert "370211" in small.inside and not small.coarse


@pytest.mark.parametrize("pack", [BUNDLED, SMALL], ids=["bundled", "small"])
@settings(max_examples=60)
@given(data=st.data())
def test_situations_are_valid_by_construction(pack, data):
    rule = data.draw(st.sampled_from([None, *pack.rule_ids]))
    s = data.draw(ts.situations(pack=pack, rule=rule))
    model = tongcheng.parse_situation(s)
    assert isinstance(model, Situation)
    assert tongcheng.evaluate(model, pack).decisions
    for derived in (data.draw(ts.less_informed(s, pack=pack)),
                    data.draw(ts.more_months(s, ("insurance",), pack=pack)),
                    data.draw(ts.more_months(s, ("person", "residence"), pack=pack)),
                    data.draw(ts.more_months(s, ("provident_fund", "periods"), pack=pack))):
        tongcheng.parse_situation(derived)


@settings(max_examples=60)
@given(data=st.data())
def test_persons_of_every_age_and_periods_at_edges(data):
    as_of = data.draw(ts.as_of_dates(BUNDLED))
    person = data.draw(ts.persons(as_of, 10, BUNDLED))
    born = date.fromisoformat(person["birth_date"])
    assert born <= as_of and (as_of.year - born.year) <= 101
    periods = data.draw(ts.period_lists(pack=BUNDLED, as_of=as_of))
    tongcheng.parse_situation({"as_of": as_of.isoformat(), "person": person,
                               "insurance": periods})


@settings(max_examples=60)
@given(data=st.data())
def test_less_informed_removes_or_coarsens_only(data):
    full = data.draw(ts.situations(pack=BUNDLED, completeness=10))
    less = data.draw(ts.reduced(full))
    tongcheng.parse_situation(less)
    for path in ts.removable_paths(full):
        assert path != ("as_of",) and path != ("project",) and path[-1] != "to"
        assert field_at(path) is not None


@settings(max_examples=60)
@given(data=st.data())
def test_more_months_gives_more_months(data):
    s = data.draw(ts.situations(pack=BUNDLED, completeness=10, subject="person"))
    for path in (("insurance",), ("provident_fund", "periods"), ("person", "residence")):
        base = data.draw(ts.with_list(s, path, pack=BUNDLED))
        more = data.draw(ts.more_months(base, path, pack=BUNDLED))
        assert months_of(more, path) >= months_of(base, path)


@settings(max_examples=60)
@given(data=st.data())
def test_given_values_fill_exactly_the_missing_paths(data):
    s = data.draw(ts.situations(pack=BUNDLED))
    for d in tongcheng.evaluate(s, BUNDLED).decisions:
        if d.status.value == "undetermined" and d.missing:
            given_ = data.draw(ts.given_values(s, d.missing, pack=BUNDLED))
            tongcheng.parse_situation(given_)
            for path in d.missing:
                value = ts.get_path(given_, parse_path(path))
                assert value is not None, path
            break


def test_a_too_coarse_place_is_narrowed_to_a_county_inside_it():
    s = {"as_of": "2024-06-01", "target": "370200",
         "insurance": [{"scheme": "employee_medical", "place": "370700", "from": "2010-01"}]}

    @settings(max_examples=20)
    @given(ts.given_values(s, ["insurance[0].place"], pack=BUNDLED))
    def check(given_):
        place = given_["insurance"][0]["place"]
        assert place.startswith("3707") and place != "370700"

    check()

    @settings(max_examples=1)
    @given(st.data())
    def not_a_path(data):
        with pytest.raises(ts.NotAPath, match="sexx"):
            data.draw(ts.given_values(s, ["person.sexx"], pack=BUNDLED))

    not_a_path()


def test_projects_follow_the_model():
    @settings(max_examples=30)
    @given(ts.projects(BUNDLED))
    def check(project):
        if ts.HAS_PROJECT:
            model = tongcheng.parse_situation({"as_of": "2025-06-01", "project": project})
            assert model.project is not None
        else:
            assert project["kind"] == "joint_enclave_project"

    check()


def test_existing_names_still_work():
    assert ts.ZONE_PLACES and ts.REMOVABLE
    assert ts.without({"person": {"sex": "male"}}, [("person", "sex")]) == {"person": {}}
    assert ts.shift_days(date(2024, 2, 28), 1).day == 29
