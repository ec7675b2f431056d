"""``compare`` against the reference evaluator deciding every person twice: the same
transitions per rule (status and firmness), the same changed persons with the same values, the
same counts by city, and rules decided once really decide alike on both sides."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tongcheng
from tongcheng.compare.run import CHANGED, compare
from tongcheng.compare.sides import load_side
from tongcheng.compare.tally import UNKNOWN
from tongcheng.places import default_registry
from tongcheng.situation import parse_situation
from tongcheng.testing import situations

ROOT = Path(__file__).resolve().parents[2]
KEEP = str(ROOT / "examples" / "overlays" / "qingdao-keep-25-20")
CAPS = str(ROOT / "tests" / "packs" / "overlays" / "weihai-loan-caps")
REG = default_registry()
CACHE: dict = {}


@st.composite
def retirees(draw) -> dict:
    """Persons retiring around 2026 who ask in the Qingdao metro area (the overlay's change)."""
    male = draw(st.booleans())
    retired = date(2026, 1, 1) if draw(st.booleans()) else draw(
        st.dates(date(2025, 6, 1), date(2026, 12, 31)))
    born = date(retired.year - (60 if male else 50), retired.month, min(retired.day, 28))
    places = st.sampled_from(["370202", "370285", "370600", "370782", "370100", "371002"])
    periods = []
    start = draw(st.integers(1984, 1995)) * 12
    if draw(st.booleans()):
        periods.append({"scheme": "employee_medical", "place": draw(places),
                        "from": f"{start // 12}-01", "to": "1995-12", "deemed": True})
    month = 1996 * 12
    for _ in range(draw(st.integers(1, 3))):
        length = draw(st.integers(12, 200))
        end = min(month + length, 2025 * 12 + 11)
        periods.append({"scheme": "employee_medical", "place": draw(places),
                        "from": f"{month // 12}-{month % 12 + 1:02d}",
                        "to": f"{end // 12}-{end % 12 + 1:02d}"})
        month = end + 1 + draw(st.integers(0, 24))
        if month > 2025 * 12:
            break
    person = {"birth_date": born.isoformat(), "employment": "retired",
              "retired_on": retired.isoformat(), "hukou": draw(places)}
    if draw(st.integers(0, 5)):
        person["sex"] = "male" if male else "female"
    return {"as_of": "2026-12-31", "target": draw(st.sampled_from(["370202", "370281",
                                                                    "370782", "370200"])),
            "person": person, "insurance": periods}


def population(max_size: int = 40):
    return st.lists(st.one_of(retirees(), situations()), min_size=1, max_size=max_size)


def side(label: str, spec: str | None, overlays=()):
    return load_side(label, spec, list(overlays), REG, CACHE)


def reference(models, base, new):
    """Every person decided twice with the reference evaluator: transitions and rows."""
    transitions: dict[str, Counter] = {}
    by_city: dict[str, Counter] = {}
    changed: dict[int, dict] = {}
    for row, model in enumerate(models):
        b = tongcheng.evaluate(model, base.pack, as_of=base.as_of)
        n = tongcheng.evaluate(model, new.pack, as_of=new.as_of)
        for db in b.decisions:
            dn = n.decision(db.rule)
            key = (db.status.value, dn.status.value, db.firmness, dn.firmness)
            transitions.setdefault(db.rule, Counter())[key] += 1
            city = REG.city_of(model.target) if model.target else UNKNOWN
            by_city.setdefault(db.rule, Counter())[(city, key[0], key[1])] += 1
            if key[0] != key[1] or key[2] != key[3] or dict(db.outcome) != dict(dn.outcome):
                changed.setdefault(row, {})[db.rule] = (db, dn)
    return transitions, by_city, changed


def run(tmp_path: Path, rows: list[dict], base, new):
    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "report"
    result = compare(path, "jsonl", base, new, out, chunk_size=17, registry=REG)
    data = result.to_json(REG)
    return result, data, pl.read_parquet(out / CHANGED)


def check(tmp_path, rows, base, new):
    result, data, changed = run(tmp_path, rows, base, new)
    models = [parse_situation(r) for r in rows]
    # rows valid as read but born after a side's date are rejected, as check would refuse them
    dates = [d for d in (base.as_of, new.as_of) if d]
    keep = [k for k, m in enumerate(models) if not (
        m.person and m.person.birth_date and any(m.person.birth_date > d for d in dates))]
    assert result.rejected == len(models) - len(keep)
    models = [models[k] for k in keep]
    transitions, by_city, reference_changed = reference(models, base, new)
    rules = {r["rule"]: r for r in data["rules"]}
    for rule_id, counts in transitions.items():
        got = Counter({(t["from"], t["to"], t["firmness_from"], t["firmness_to"]): t["persons"]
                       for t in rules[rule_id]["transitions"]})
        assert got == counts, rule_id
        if rule_id in result.plan.once:  # decided once: the reference agrees on both sides
            assert all(k[0] == k[1] and k[2] == k[3] for k in counts), rule_id
        else:
            cities = Counter()
            for g in rules[rule_id]["by_target_city"]:
                for key, c in g["transitions"].items():
                    f, t = key.split("→")
                    cities[(g["group"], f, t)] += c
            want = Counter({k: c for k, c in by_city[rule_id].items() if k[1] != k[2]})
            assert cities == want, rule_id
    # numeric outcomes: persons with a value and their sum, on each side
    for rule_id in result.plan.twice:
        for name, entry in rules[rule_id].get("outcomes", {}).items():
            for side, pack_side in (("base", base), ("new", new)):
                values = [tongcheng.evaluate(m, pack_side.pack, as_of=pack_side.as_of)
                          .decision(rule_id).outcome.get(name) for m in models]
                values = [float(v) for v in values if v is not None]
                assert entry[side]["count"] == len(values), (rule_id, name, side)
                if values:
                    assert entry[side]["sum"] == pytest.approx(sum(values)), (rule_id, name)
    # rules decided once decide alike on both sides, outcomes included
    for row in reference_changed.values():
        assert not set(row) & set(result.plan.once), row.keys()
    # the changed persons: exactly those, with both sides' values
    rows_changed = {keep[r] for r in reference_changed}
    assert set(changed["_row"].to_list()) == rows_changed
    for record in changed.iter_rows(named=True):
        for rule_id, (db, dn) in reference_changed[keep.index(record["_row"])].items():
            assert record[f"base:{rule_id}.status"] == db.status.value
            assert record[f"new:{rule_id}.status"] == dn.status.value
            for name, value in dn.outcome.items():
                got = record.get(f"new:{rule_id}.outcome.{name}")
                assert (json.loads(got) if isinstance(got, str) and not isinstance(
                    value, str) else got) == value, (rule_id, name)
    return data


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=population())
def test_an_overlay_against_the_bundled_pack(tmp_path_factory, rows):
    base, new = side("base", None, [KEEP]), side("new", None)
    data = check(tmp_path_factory.mktemp("keep"), rows, base, new)
    assert data["decided_twice"] == ["medical_insurance.retiree_benefit_years"]
    assert data["base"]["rule_pack"]["version"].endswith("+qingdao-keep-25-20@1")


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=population(), days=st.tuples(st.dates(date(2019, 6, 1), date(2027, 6, 30)),
                                         st.dates(date(2019, 6, 1), date(2027, 6, 30))))
def test_one_pack_at_two_dates(tmp_path_factory, rows, days):
    base = side("base", f"bundled@{days[0]}")
    new = side("new", f"bundled@{days[1]}")
    data = check(tmp_path_factory.mktemp("dates"), rows, base, new)
    if days[0] != days[1]:
        assert len(data["decided_twice"]) == len(tongcheng.bundled_pack().rules)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=population())
def test_loan_caps_added(tmp_path_factory, rows):
    check(tmp_path_factory.mktemp("caps"), rows, side("base", None), side("new", None, [CAPS]))


def test_the_retiree_example_names_who_falls_short(tmp_path):
    """A man with 26 years of his own and 5 deemed: eligible under 25 years without deemed
    ones; under 30 years with them, 31 years count: still eligible. One with 26 and no deemed
    years falls short of 30: 48 months."""
    def retiree(deemed: bool, pid: str) -> dict:
        periods = [{"scheme": "employee_medical", "place": "370202", "from": "2000-01",
                    "to": "2025-12"}]
        if deemed:
            periods.insert(0, {"scheme": "employee_medical", "place": "370202",
                               "from": "1991-01", "to": "1995-12", "deemed": True})
        return {"as_of": "2026-06-30", "target": "370202", "insurance": periods,
                "person": {"birth_date": "1966-01-01", "sex": "male", "employment": "retired",
                           "retired_on": "2026-01-01", "hukou": "370600"}}
    rows = [retiree(True, "a"), retiree(False, "b")]
    data = check(tmp_path, rows, side("base", None, [KEEP]), side("new", None))
    rule = next(r for r in data["rules"] if r["rule"] == "medical_insurance.retiree_benefit_years")
    moved = [t for t in rule["transitions"] if t["changed"]]
    assert [(t["from"], t["to"], t["persons"], t["examples"]) for t in moved] == [
        ("eligible", "ineligible", 1, [1])]
    yantai = next(g for g in rule["by_hukou_city"] if g["group"] == "370600")
    assert yantai["changed"] == 1 and yantai["name"]["en"] == "Yantai"
    required = rule["outcomes"]["required_months"]
    assert (required["base"]["median"], required["new"]["median"]) == (300, 360)


def test_a_bad_side_is_a_clear_error():
    from tongcheng.compare.sides import SideError, parse_spec

    assert parse_spec("rules@2026-01-01") == ("rules", date(2026, 1, 1))
    assert parse_spec("@2026-01-01") == (None, date(2026, 1, 1))
    assert parse_spec("bundled") == (None, None)
    with pytest.raises(SideError, match="not a calendar date"):
        parse_spec("rules@2026-02-30")
