"""The columnar evaluator decides exactly as the reference evaluator: status and outcome of every
rule, row by row, over generated populations — overlapping periods, unknown facts, coarse places
(370700, 370600 for the metro area), retired codes, dates at the edges of zones, rules and
parameter values. Both ways in: validated situations (JSON Lines, CSV) and columns (Parquet),
where the vectorised validator must flag every row the situation model refuses."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from batchtools import assert_same, broken, populations, same_day
from hypothesis import given, settings
from hypothesis import strategies as st

from tongcheng.batch.layout import JSON_SCHEMA, build, from_situations, nest
from tongcheng.errors import SituationError
from tongcheng.situation import parse_situation


def test_every_bundled_rule_compiles(engine):
    assert engine.fallback_rules == {}


@settings(max_examples=60)
@given(populations())
def test_same_decisions_from_situations(engine, dicts):
    models = [parse_situation(d) for d in dicts]
    pop = from_situations(models)
    result = engine.evaluate(pop, lambda idx: [models[i] for i in idx])
    assert result.height == len(models)
    assert_same(engine, result, models)


@settings(max_examples=40)
@given(same_day())
def test_same_decisions_on_one_day(engine, dicts):
    models = [parse_situation(d) for d in dicts]
    result = engine.evaluate(from_situations(models), lambda idx: [models[i] for i in idx])
    assert_same(engine, result, models)


def _table(dicts):
    marked = ("project", "enterprise")  # subjects the columns only mark
    rows = [{**d, **{k: "given" for k in marked if k in d}} for d in dicts]
    return nest(pa.Table.from_pylist(rows, schema=JSON_SCHEMA))


@settings(max_examples=60)
@given(st.lists(broken(), min_size=1, max_size=12))
def test_columns_flag_every_refused_row_and_decide_the_rest_alike(engine, dicts):
    verdicts = []
    for d in dicts:
        try:
            verdicts.append(parse_situation(d))
        except SituationError:
            verdicts.append(None)
    pop, flagged = build(_table(dicts))
    flagged = flagged.to_list()
    for model, flag in zip(verdicts, flagged, strict=True):
        assert model is not None or flag, "a row the model refuses was not flagged"
    kept = [k for k, f in enumerate(flagged) if not f]
    models = [verdicts[k] for k in kept]
    result = engine.evaluate(pop, lambda idx: [models[i] for i in idx])
    assert result["_row"].to_list() == kept
    assert_same(engine, result, models, kept)


def test_as_of_override_and_missing_as_of(engine):
    dicts = [{"target": "370200", "person": {"birth_date": "1960-06-01"}}]
    pop, _ = build(_table(dicts), as_of=date(2020, 6, 1))
    model = parse_situation(dicts[0], as_of=date(2020, 6, 1))
    assert_same(engine, engine.evaluate(pop), [model])
