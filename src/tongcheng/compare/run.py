"""``compare``: one read of a population, two sides decided by the vectorised evaluator.

Each chunk is read and validated once; the base side decides every rule, the new side only the
rules whose inputs differ (``sides.plan``), and a rule decided once stands for both. The tallies
add up chunk by chunk and the persons whose decisions change are written as they come, so memory
stays that of one chunk whatever the input's size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from tongcheng import jsonio, wording
from tongcheng.batch import io
from tongcheng.batch.engine import BatchEvaluator, outcome_column, status_column
from tongcheng.batch.layout import Population
from tongcheng.compare.sides import Plan, Side, plan
from tongcheng.compare.tally import RuleTally, firmness_column, numeric_outcomes, person_groups
from tongcheng.places import PlaceRegistry, default_registry

CHANGED = "changed.parquet"
SUMMARY = "summary.json"
REJECTS = "rejects.jsonl"


@attrs.define
class Comparison:
    """What ``compare`` found: the sides, the plan, the tallies and the counts of rows."""

    base: Side
    new: Side
    plan: Plan
    tallies: list[RuleTally]
    rows: int = 0
    decided: int = 0
    rejected: int = 0
    changed_persons: int = 0
    seconds: float = 0.0
    input: str = ""

    def to_json(self, registry: PlaceRegistry | None = None) -> dict[str, Any]:
        registry = registry or default_registry()
        rules = []
        for t in self.tallies:
            rule = _rule(self.base, self.new, t.rule)
            titles = {"zh": rule.title.zh, "en": rule.title.en}
            rules.append(t.to_json(titles, registry, self.plan.twice.get(t.rule)))
        return {
            "input": self.input,
            "base": self.base.to_json(),
            "new": self.new.to_json(),
            "population": {"rows": self.rows, "decided": self.decided,
                           "rejected": self.rejected, "changed": self.changed_persons},
            "decided_twice": list(self.plan.twice),
            "decided_once": list(self.plan.once),
            "only_base": list(self.plan.only_base),
            "only_new": list(self.plan.only_new),
            "seconds": round(self.seconds, 3),
            "rules": rules,
        }


def _rule(base: Side, new: Side, rule_id: str):
    return base.pack.rule(rule_id) if rule_id in base.pack.rule_ids else new.pack.rule(rule_id)


def compare(input_path: str | Path, fmt: str, base: Side, new: Side, out_dir: str | Path, *,
            chunk_size: int = 500_000, registry: PlaceRegistry | None = None,
            progress: Callable[[int], Any] | None = None, lang: str = "en") -> Comparison:
    """Compare ``base`` and ``new`` over the population in ``input_path``; writes the changed
    persons and the rejects (their reasons in ``lang``) into ``out_dir`` (the caller writes the
    reports)."""
    registry = registry or default_registry()
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    the_plan = plan(base, new)
    base_engine = _engine(base.pack, None, registry)
    new_engine = _engine(new.pack, the_plan.new_rules, registry) if the_plan.new_rules else None
    tallies = _tallies(the_plan, base, new, base_engine, new_engine)
    result = Comparison(base, new, the_plan, tallies, input=str(input_path))
    one_date = base.as_of == new.as_of
    sink = io.ParquetSink(out / CHANGED)
    first: pl.DataFrame | None = None
    try:
        with open(out / REJECTS, "w", encoding="utf-8") as rejects:
            # a service item neither side knows is a typo (a reject); one only a side knows
            # is the change compared
            chunks = io.prefetch(io.read(input_path, fmt, chunk_size,
                                         base.as_of if one_date else None,
                                         {*base.pack.service_ids, *new.pack.service_ids}))
            for chunk in chunks:
                result.rows += chunk.rows
                bad = list(chunk.rejects)
                for pop, situations in _parts(chunk):
                    changed, late = _decide(pop, situations, base, new, base_engine, new_engine,
                                            the_plan, tallies, registry, one_date)
                    bad += late
                    if changed is not None:
                        first = first if first is not None else changed.head(0)
                        if changed.height:
                            sink.write(changed)
                            result.changed_persons += changed.height
                    result.decided += pop.n - len(late)
                if bad:
                    rejects.write(io.rejects_text(sorted(bad, key=lambda r: r.row), lang))
                    result.rejected += len(bad)
                if progress is not None:
                    progress(chunk.rows)
        sink.flush()
    finally:
        sink.close(first if first is not None else pl.DataFrame(schema={"_row": pl.Int64}))
    result.seconds = time.perf_counter() - started
    return result


_ENGINES: dict[tuple, tuple[Any, BatchEvaluator]] = {}


def _engine(pack, rules: Sequence[str] | None, registry: PlaceRegistry) -> BatchEvaluator:
    """The vectorised evaluator of a pack (and rules), compiled once per process: packs are
    immutable, and a caller comparing many populations should not pay for it each time."""
    key = (id(pack), tuple(rules) if rules else None, id(registry))
    held = _ENGINES.get(key)
    if held is None or held[0] is not pack:
        if len(_ENGINES) > 8:
            _ENGINES.clear()
        held = _ENGINES[key] = (pack, BatchEvaluator(pack, rules=list(rules) if rules else None,
                                                     registry=registry))
    return held[1]


def _tallies(the_plan: Plan, base: Side, new: Side, base_engine: BatchEvaluator,
             new_engine: BatchEvaluator | None) -> list[RuleTally]:
    bschema = base_engine.schema()
    nschema = new_engine.schema() if new_engine else {}
    out = []
    for rid in base.pack.rule_ids:
        rule = base.pack.rule(rid)
        if rid in the_plan.twice:
            numeric = [o for o in numeric_outcomes(rule, bschema)
                       if o in numeric_outcomes(new.pack.rule(rid), nschema)]
            firm = (rule.firmness, new.pack.rule(rid).firmness)
            out.append(RuleTally(rid, "twice", numeric, firm))
        elif rid in the_plan.only_base:
            out.append(RuleTally(rid, "base only", [], (rule.firmness, None)))
        else:
            out.append(RuleTally(rid, "once", [], (rule.firmness, rule.firmness)))
    for rid in the_plan.only_new:
        out.append(RuleTally(rid, "new only", [], (None, new.pack.rule(rid).firmness)))
    return out


def _parts(chunk: io.Chunk):
    if chunk.population is not None:
        yield chunk.population, chunk.situations
    if chunk.extra is not None:
        yield chunk.extra, chunk.extra_situations


def _at(pop: Population, situations, when: date | None):
    """The population (and its situations) as of ``when`` (None: as read)."""
    if when is None:
        return pop, situations
    persons = pop.persons.with_columns(
        pl.lit(when).alias("as_of"),
        pl.lit(when.year * 12 + when.month - 1, dtype=pl.Int32).alias("as_of_m"))

    def at(idx: Sequence[int]):
        return [s.model_copy(update={"as_of": when}) for s in situations(idx)]

    return Population(persons, pop.lists, pop.fallback), at


def _decide(pop, situations, base: Side, new: Side, base_engine, new_engine, the_plan: Plan,
            tallies: list[RuleTally], registry, one_date: bool):
    """Both sides of one part of a chunk: tallied; the changed persons; late rejects (rows
    valid as read but born after a side's date)."""
    late: list[io.Reject] = []
    if one_date:
        b_pop, b_sit = pop, situations
        n_pop, n_sit = pop, situations
    else:
        b_pop, b_sit = _at(pop, situations, base.as_of)
        n_pop, n_sit = _at(pop, situations, new.as_of)
    b = base_engine.evaluate(b_pop, b_sit).sort("_i")
    n = new_engine.evaluate(n_pop, n_sit).sort("_i") if new_engine else None
    groups = person_groups(b_pop.persons, registry)
    if not one_date:
        keep, late = _born_in_time(pop, base, new)
        if late:
            groups, b = groups.filter(keep), b.filter(keep)
            n = n.filter(keep) if n is not None else None
    mask = None
    for t in tallies:
        got = t.add(groups, b if t.decided != "new only" else None,
                    (b if t.decided == "once" else n) if t.decided != "base only" else None)
        if got is not None:
            mask = got if mask is None else (mask | got)
    if mask is None:
        return None, late
    return _changed(pop, groups, b, n, the_plan, mask), late


def _born_in_time(pop: Population, base: Side, new: Side):
    born = pop.persons["birth_date"]
    keep = pl.Series([True] * pop.n)
    for side in (base, new):
        when = side.as_of
        if when is not None:
            keep = keep & ~(born > when).fill_null(False)
    late = []
    for r, i, side_date in _late_rows(pop, keep, base, new):
        said = wording.after_as_of(side_date)
        late.append(io.Reject(r, (("person.birth_date", said.en, said.zh),), i))
    return keep, late


def _late_rows(pop: Population, keep: pl.Series, base: Side, new: Side):
    rows = pop.persons.filter(~keep)
    ids = rows["id"].to_list() if "id" in rows.columns else [None] * rows.height
    for r, i, born in zip(rows["_row"].to_list(), ids, rows["birth_date"].to_list(),
                          strict=True):
        day = min(d for d in (base.as_of, new.as_of) if d is not None and born > d)
        yield r, i, day


def _changed(pop: Population, groups: pl.DataFrame, b: pl.DataFrame, n: pl.DataFrame | None,
             the_plan: Plan, mask: pl.Series) -> pl.DataFrame:
    """The persons some rule decides differently, both sides' columns of the rules that may."""
    keys = [c for c in ("_row", "id") if c in b.columns]
    cols: list[pl.Series] = [b[c] for c in keys]
    codes = groups.select("_i").join(pop.persons.select("_i", "target", "hukou"), on="_i",
                                     how="left", maintain_order="left")
    cols += [codes[c].cast(pl.String).str.zfill(6) for c in ("target", "hukou")]
    cols += [groups[g] for g in ("target_city", "hukou_city", "age_band")]
    for rid in (*the_plan.twice, *the_plan.only_base, *the_plan.only_new):
        for side, frame in (("base", b if rid not in the_plan.only_new else None),
                            ("new", n if rid not in the_plan.only_base else None)):
            if frame is None:
                continue
            for c in frame.columns:
                if c in (status_column(rid), firmness_column(rid)) or c.startswith(
                        outcome_column(rid, "")):
                    cols.append(frame[c].alias(f"{side}:{c}"))
    return pl.DataFrame(cols).filter(mask)


def write_summary(comparison: Comparison, out_dir: str | Path) -> dict[str, Any]:
    data = comparison.to_json()
    jsonio.write_file(Path(out_dir, SUMMARY), data)  # (a file name that is not UTF-8: escaped)
    return data
