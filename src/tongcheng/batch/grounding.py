"""Firmness and unknown facts of a few values, over columns: as the reference evaluator has them.

``evaluate.firmness`` grounds a decision in the zone entries it rests on; ``evaluate.finite``
decides an undetermined decision again for every value of its unknown facts with a few possible
values. Here both work on whole columns:

- firmness is a small integer per row (the index in ``FIRMNESS``: 0 in force, 1 pilot,
  2 promise; firmer is smaller). A rule whose entries are all equally firm has it as a constant;
  otherwise per row: an eligible decision with two or more entries holding the target that differ
  takes the firmest entry that grants alone (the rule compiled again with that entry as its only
  zone), else the weakest holding entry; any other decision the firmest entry holding the target,
  else the firmest of the rule's entries;
- the unknown facts: the rule is compiled again with each combination of values of the facts of
  a few values it reads from the person's columns (``person.sex``, ``person.employment``, …),
  each read as given where unknown; a row left undetermined with such a fact unknown takes the
  status all combinations agree on (outcome values that differ null). A row whose fact of a few
  values is in a list item (a result's hospital grade), or whose rule reads more combinations
  than ``finite.LIMIT``, is decided by the reference evaluator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import polars as pl

from tongcheng.batch import phases
from tongcheng.batch.values import LIST_PATHS, PERSON_COLUMNS, ROOTS
from tongcheng.evaluate import finite
from tongcheng.evaluate.decision import Status
from tongcheng.expr import ast
from tongcheng.pack.model import FIRMNESS, Rule, firmest

FIRM = pl.Enum(list(FIRMNESS))
_ELIGIBLE = list(Status).index(Status.ELIGIBLE)
_UNDETERMINED = list(Status).index(Status.UNDETERMINED)

# (zones, fill) -> ((status, outcome, redo, holding), kinds)
Columns = Callable[[Any, Any], tuple[tuple[pl.Expr, dict[str, pl.Expr], Any, list[pl.Expr]],
                                     dict[str, pl.DataType]]]


def firmness_names(codes: pl.Expr) -> pl.Expr:
    """Firmness codes as their names."""
    return pl.lit(pl.Series(list(FIRMNESS), dtype=FIRM)).gather(codes)


def decide(frames, rule: Rule, columns: Columns):
    """((status, outcome, redo, firmness code), kinds) of ``rule`` over the frames."""
    (status, outcome, redo, holding), kinds = columns(None, None)
    with phases.clock("plan.grounding"):
        before = frames.planned()
        decided = _regrounded(frames, rule, columns, status, outcome, redo, holding)
        phases.count("planned_by_grounding", frames.planned() - before)
    return decided, kinds


def _regrounded(frames, rule: Rule, columns: Columns, status, outcome, redo, holding):
    """The decision grounded in its zone entries and decided again for each value of its
    unknown facts of a few values (see the module's docstring)."""
    firm = _firmness(frames, rule, columns, status, holding, None)
    facts = person_facts(rule)
    if facts:
        domains = [finite.domain(p) or () for p in facts]
        unknown = pl.any_horizontal([pl.col(PERSON_COLUMNS[p][0]).is_null() for p in facts])
        open_ = pl.col(frames.person((status == _UNDETERMINED) & unknown))
        if len(list(itertools.product(*domains))) > finite.LIMIT:
            redo = open_ if redo is None else (redo | open_)
        else:
            status, outcome, redo, firm = _by_cases(frames, rule, columns, facts, domains, open_,
                                                    (status, outcome, redo, firm))
    for lst, field in item_facts(rule):
        if lst not in frames.L or field not in frames.L[lst].columns:
            continue
        [some] = frames.later(
            lambda lst=lst, field=field: [frames.seg_sum(lst, frames.item_np(
                lst, pl.col(field).is_null(), bool)) > 0],
            [(lst, pl.col(field))])
        open_ = pl.col(frames.person((status == _UNDETERMINED) & some))
        redo = open_ if redo is None else (redo | open_)
    return status, outcome, redo, firm


def _firmness(frames, rule: Rule, columns: Columns, status: pl.Expr, holding: list[pl.Expr],
              fill: dict[str, Any] | None) -> pl.Expr:
    codes = [FIRMNESS.index(ref.firmness) for ref in rule.zones]
    fallback = FIRMNESS.index(firmest(ref.firmness for ref in rule.zones))
    if len(set(codes)) == 1:
        return pl.col(frames.person(pl.lit(codes[0], dtype=pl.Int8)))
    hold = [pl.col(frames.person(h.fill_null(False))) for h in holding]
    held = [pl.when(h).then(pl.lit(c, dtype=pl.Int8)) for h, c in zip(hold, codes, strict=True)]
    firmest_held = pl.min_horizontal(held)
    weakest_held = pl.max_horizontal(held)
    several = pl.sum_horizontal([h.cast(pl.Int32) for h in hold]) >= 2
    differ = several & (firmest_held != weakest_held)
    alone = []
    # the entries alone decide only the eligible rows whose entries differ (with a fill, this
    # is already a re-decision: of the rows whose fact the fill gives)
    with frames.redeciding((status == _ELIGIBLE) & differ):
        for ref, h, c in zip(rule.zones, hold, codes, strict=True):
            (alone_status, *_), _ = columns((ref,), fill)
            alone.append(pl.when(h & (alone_status == _ELIGIBLE))
                         .then(pl.lit(c, dtype=pl.Int8)))
    granting = pl.min_horizontal(alone)
    eligible = (pl.when(differ)
                .then(granting.fill_null(weakest_held)).otherwise(firmest_held))
    out = (pl.when(status == _ELIGIBLE).then(eligible)
           .otherwise(firmest_held.fill_null(pl.lit(fallback, dtype=pl.Int8))))
    return pl.col(frames.person(out.cast(pl.Int8)))


def _by_cases(frames, rule: Rule, columns: Columns, facts: list[str], domains: list[tuple],
              open_: pl.Expr, base: tuple) -> tuple:
    status, outcome, redo, firm = base
    variants = []
    with frames.redeciding(open_):  # decided again only where undetermined with a fact unknown
        for combo in itertools.product(*domains):
            fill = dict(zip(facts, combo, strict=True))
            (st, out, again, holding), _ = columns(None, fill)
            variants.append((st, out, again, _firmness(frames, rule, columns, st, holding,
                                                       fill)))
    lead = variants[0][0]
    agree = pl.lit(True)
    for st, *_ in variants:
        agree = agree & (st == lead)
    merge = pl.col(frames.person(open_ & agree & (lead != _UNDETERMINED)))
    new_outcome = {}
    for name, value in outcome.items():
        first = variants[0][1].get(name, pl.lit(None))
        same = pl.lit(True)
        for _, out, _, _ in variants[1:]:
            same = same & out.get(name, pl.lit(None)).eq_missing(first)
        merged = pl.when(same).then(first).otherwise(None)
        new_outcome[name] = pl.col(frames.person(
            pl.when(merge).then(merged).otherwise(value)))
    weakest = pl.max_horizontal([f for *_, f in variants])
    firm = pl.col(frames.person(
        pl.when(merge & (lead == _ELIGIBLE)).then(weakest).otherwise(firm).cast(pl.Int8)))
    status = pl.col(frames.person(pl.when(merge).then(lead).otherwise(status)))
    agains = [a for _, _, a, _ in variants if a is not None]
    if agains:  # two exceptions apply in some combination: the reference decides the row
        some = open_ & pl.any_horizontal(agains)
        redo = some if redo is None else (redo | some)
    return status, new_outcome, redo, firm


def _clauses(rule: Rule):
    yield from (*rule.lets, *rule.scope, *rule.conditions, *rule.outcome)
    if rule.place is not None:
        yield rule.place
    for e in rule.exceptions:
        yield from (*e.applies, *(e.conditions or ()), *e.outcome)


def person_facts(rule: Rule) -> list[str]:
    """The facts of a few possible values the rule reads from the person's columns."""
    out: list[str] = []
    for clause in _clauses(rule):
        for node in ast.walk(clause.expr):
            if isinstance(node, ast.Attr) and isinstance(node.obj, ast.Name) \
                    and node.obj.name in ROOTS:
                path = f"{node.obj.name}.{node.name}"
                if path in PERSON_COLUMNS and finite.domain(path) and path not in out:
                    out.append(path)
    return sorted(out)


def item_facts(rule: Rule) -> list[tuple[str, str]]:
    """(list, field) of the facts of a few possible values the rule may read from list items."""
    fields = {node.name for clause in _clauses(rule) for node in ast.walk(clause.expr)
              if isinstance(node, ast.Attr) and isinstance(node.obj, ast.Name)
              and node.obj.name == "item"}
    return sorted((lst, f) for lst in LIST_PATHS for f in fields
                  if finite.domain(f"{lst}[0].{f}") is not None
                  and finite.may_be_unknown(f"{lst}[0].{f}"))
