"""``BatchEvaluator``: every rule's status and outcome for every person of a population.

Each rule is decided as ``evaluate.evaluator`` decides it — in force at ``as_of``, the subject's
kind, the target in a zone in force, scope, exceptions (Catala-style, with the same conflict and
uncertainty handling), conditions, outcome — over whole columns at once. A rule whose
expressions do not compile is decided by the reference evaluator, row by row (``fallback_rules``
names them); so are rows whose facts the columns do not model exactly (``Population.fallback``).
The result never differs silently from the reference: the differential tests prove it.

A rule that errs on a row's situation there (``RuleError``, ``RuleConflict``: a defect of the
pack that only some situations meet) raises, or, when the caller asks for them, is handed back as
a ``RowError`` and the row left out, so a screening rejects that row and goes on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import attrs
import polars as pl

from tongcheng.batch import grounding, phases
from tongcheng.batch.compiler import RuleCompiler
from tongcheng.batch.frames import Frames, shape
from tongcheng.batch.layout import Population, build
from tongcheng.batch.tables import PackTables
from tongcheng.batch.values import NotCompilable, S
from tongcheng.errors import RuleConflict
from tongcheng.evaluate import evaluator as reference
from tongcheng.evaluate.decision import Status
from tongcheng.pack.model import Clause, Rule, RulePack, firmest
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.situation import Situation

STATUSES = tuple(s.value for s in Status)
STATUS = pl.Enum(list(STATUSES))
# statuses as small integers while computing (the index in STATUSES), names on output
_ELIGIBLE, _INELIGIBLE, _UNDETERMINED, _NOT_APPLICABLE = (
    STATUSES.index("eligible"), STATUSES.index("ineligible"), STATUSES.index("undetermined"),
    STATUSES.index("not_applicable"))


def _code(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int8)


def _named(codes: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(list(STATUSES), dtype=STATUS)).gather(codes)


def status_column(rule_id: str) -> str:
    return f"{rule_id}.status"


def firmness_column(rule_id: str) -> str:
    return f"{rule_id}.firmness"


def outcome_column(rule_id: str, name: str) -> str:
    return f"{rule_id}.outcome.{name}"


@attrs.frozen
class RulePlan:
    rule: Rule
    compiled: bool
    outcomes: tuple[tuple[str, pl.DataType], ...]  # every outcome name any variant gives
    reason: str | None = None  # why it falls back
    reason_zh: str | None = None  # the same in Chinese


SituationsFor = Callable[[Sequence[int]], Sequence[Situation]]
RULE_ERRORS = (reference.RuleError, RuleConflict)


@attrs.frozen
class RowError:
    """A rule that erred on one row's situation: the row is left out of the result, for the
    caller to reject (the rest of the chunk is decided)."""

    row: int  # the input row (``_row``)
    id: Any  # the row's ``id``, where the input has one
    error: reference.RuleError | RuleConflict

    @property
    def rule(self) -> str:
        return self.error.rule


class BatchEvaluator:
    """Compiled once per pack; ``evaluate`` a ``Population`` chunk at a time."""

    def __init__(self, pack: RulePack, *, rules: Sequence[str] | None = None,
                 registry: PlaceRegistry | None = None) -> None:
        self.pack = pack
        self.registry = registry or default_registry()
        self.tables = PackTables(pack, self.registry)
        self.rules = reference._select(pack, rules)
        self.plans = tuple(self._plan(rule) for rule in self.rules)
        self._plan_of = {p.rule.id: p for p in self.plans}
        self._planned: dict[tuple, tuple[Frames, list[pl.Expr], dict[str, pl.Expr]]] = {}

    # planning: which rules compile, and the output columns -------------------------------

    def _plan(self, rule: Rule) -> RulePlan:
        names = list(dict.fromkeys(
            [c.name for c in rule.outcome] + [c.name for e in rule.exceptions for c in e.outcome]
        ))
        if rule.subject != "person":
            # a person population never reaches its clauses: not applicable, without compiling
            return RulePlan(rule, True, tuple((n, pl.String) for n in names))
        probe = _probe_population()
        try:
            kinds = self._compile(probe, rule)[1]
        except NotCompilable as e:
            return RulePlan(rule, False, tuple((n, pl.String) for n in names), str(e), e.zh)
        return RulePlan(rule, True, tuple((n, kinds[n]) for n in names))

    @property
    def fallback_rules(self) -> dict[str, str]:
        """Rules decided by the reference evaluator, and why (in English)."""
        return self.fallback_reasons("en")

    def fallback_reasons(self, lang: str = "en") -> dict[str, str]:
        """Rules decided by the reference evaluator, and why, in ``lang``."""
        return {p.rule.id: (p.reason_zh if lang == "zh" else p.reason) or ""
                for p in self.plans if not p.compiled}

    def schema(self) -> dict[str, pl.DataType]:
        out: dict[str, pl.DataType] = {}
        for plan in self.plans:
            out[status_column(plan.rule.id)] = STATUS
            out[firmness_column(plan.rule.id)] = grounding.FIRM
            for name, dtype in plan.outcomes:
                out[outcome_column(plan.rule.id, name)] = dtype
        return out

    # evaluation ----------------------------------------------------------------------------

    def evaluate(self, pop: Population, situations: SituationsFor | None = None,
                 errors: list[RowError] | None = None) -> pl.DataFrame:
        """One row per person of ``pop`` (``_i``, ``_row``, ``id`` when given), then per rule its
        status and outcome columns. ``situations`` gives validated situations by ``_i`` for the
        rows and rules the reference evaluator decides. A rule error met there raises; with
        ``errors`` given, each is added to it and its row left out of the result instead."""
        key = shape(pop)
        with phases.clock("plan"):
            # once per run (per shape of chunk); taken out while in use
            planned = self._planned.pop(key, None)
            if planned is None:
                frames = Frames(pop)
                selects, marks = self._plan_chunk(frames)
            else:
                frames, selects, marks = planned
                frames.load(pop)
        keys = ["_i", "_row", *(["id"] if "id" in frames.P.columns else [])]
        final = [*selects, *[m.alias(f"_redo:{rid}") for rid, m in marks.items()]]
        with phases.clock("decide"):
            frames.run(final)  # the planned columns the result reads, depth by depth
        with phases.clock("assemble"):
            result = frames.P.select(*keys, *final)
            frames.release()
            if len(self._planned) < 4:
                self._planned[key] = (frames, selects, marks)
            redo_cols = [f"_redo:{rid}" for rid in marks]
            redo_any = bool(redo_cols) and result.select(pl.any_horizontal(redo_cols).any()).item()
        if redo_any:
            with phases.clock("fallback"):
                result = self._fallback(result, situations, marks, errors)
        return result.drop(redo_cols)

    def _plan_chunk(self, frames: Frames) -> tuple[list[pl.Expr], dict[str, pl.Expr]]:
        """Every rule planned over ``frames``: the output columns, and per rule the rows the
        reference evaluator decides."""
        selects: list[pl.Expr] = []
        redo: dict[str, pl.Expr] = {}
        for plan in self.plans:
            rule = plan.rule
            if rule.subject != "person" or not plan.compiled:
                value = "not_applicable" if rule.subject != "person" else None
                selects.append(pl.lit(value, dtype=pl.String).cast(STATUS)
                               .alias(status_column(rule.id)))
                selects.extend(pl.lit(None, dtype=t).alias(outcome_column(rule.id, n))
                               for n, t in plan.outcomes)
                firm = firmest(ref.firmness for ref in rule.zones) \
                    if rule.subject != "person" else None
                selects.append(pl.lit(firm, dtype=pl.String).cast(grounding.FIRM)
                               .alias(firmness_column(rule.id)))
                if not plan.compiled:
                    redo[rule.id] = pl.lit(True)
                continue
            (status, outcomes, again, firm), _ = self._compile_into(frames, rule)
            selects.append(_named(status).alias(status_column(rule.id)))
            selects.append(grounding.firmness_names(firm).alias(firmness_column(rule.id)))
            for name, dtype in plan.outcomes:
                expr = outcomes.get(name, pl.lit(None))
                selects.append(expr.cast(dtype).alias(outcome_column(rule.id, name)))
            if again is not None:
                redo[rule.id] = again
        whole = pl.col("_fallback")
        marks = {p.rule.id: (whole | redo[p.rule.id]) if p.rule.id in redo else whole
                 for p in self.plans}
        return selects, marks

    def _fallback(self, result: pl.DataFrame, situations: SituationsFor | None,
                  marks: dict[str, Any], errors: list[RowError] | None = None) -> pl.DataFrame:
        """Rows and rules the reference evaluator decides, written over the columnar result;
        a row a rule errs on is left out, its errors added to ``errors`` (raised without)."""
        if situations is None:
            raise ValueError("rows or rules need the reference evaluator, but no situations")
        flags = result.select(["_i", *[f"_redo:{rid}" for rid in marks]])
        todo = flags.filter(pl.any_horizontal(pl.exclude("_i")))
        rows = todo["_i"].to_list()
        models = situations(rows)
        patch = result.filter(pl.col("_i").is_in(pl.Series(rows, dtype=pl.Int64).implode()))
        records = patch.to_dict(as_series=False)
        ids = records.get("id", [None] * len(rows))
        failed: list[int] = []
        for pos, (model, flag_row) in enumerate(
                zip(models, todo.iter_rows(named=True), strict=True)):
            redo = [rid for rid in marks if flag_row[f"_redo:{rid}"]]
            met = self._decide_row(model, redo, records, pos, strict=errors is None)
            if met:  # (met only when errors are asked for: else the first one raised)
                failed.append(pos)
                errors.extend(RowError(records["_row"][pos], ids[pos], e) for e in met)
        patch = pl.DataFrame(records, schema=result.schema)
        if failed:
            patch = patch.filter(~pl.int_range(pl.len()).is_in(
                pl.Series(failed, dtype=pl.Int64).implode()))
        keep = result.filter(~pl.col("_i").is_in(pl.Series(rows, dtype=pl.Int64).implode()))
        return pl.concat([keep, patch]).sort("_i")

    def _decide_row(self, model: Situation, rule_ids: list[str], records: dict[str, list],
                    pos: int, strict: bool) -> list[reference.RuleError | RuleConflict]:
        """The rules ``rule_ids`` decided by the reference evaluator for one row, written at
        ``pos`` of ``records``; the rule errors met (every one, to name them all), raised at
        once when ``strict``."""
        when = model.as_of or date.today()
        met: list[reference.RuleError | RuleConflict] = []
        for rid in rule_ids:
            plan = self._plan_of[rid]
            try:
                # untraced, as the columns decide: the same statuses and outcomes, no reasons
                d = reference.decide(self.pack, self.registry, model, when, plan.rule,
                                     trace=False)
            except RULE_ERRORS as e:
                if strict:
                    raise
                met.append(e)
                continue
            records[status_column(rid)][pos] = d.status.value
            records[firmness_column(rid)][pos] = d.firmness
            for name, dtype in plan.outcomes:
                records[outcome_column(rid, name)][pos] = _cell(d.outcome.get(name), dtype)
        return met

    # one rule ------------------------------------------------------------------------------

    def _compile(self, pop: Population, rule: Rule):
        frames = Frames(pop)
        return self._compile_into(frames, rule)

    def _compile_into(self, frames, rule: Rule):
        """Status, outcome, rows to redo with the reference evaluator, and firmness: the rule
        decided on the facts as given, then for each value of its unknown facts with a few
        possible values (``evaluate.finite``), grounded in its zone entries
        (``evaluate.firmness``)."""
        return grounding.decide(frames, rule, lambda zones, fill: self._columns(
            frames, rule, zones, fill))

    def _columns(self, frames, rule: Rule, zones=None, fill=None):
        """The rule decided over the columns, with only ``zones`` weighed and the facts of
        ``fill`` read as given where unknown: ((status, outcome, redo), outcome kinds)."""
        rc = RuleCompiler(frames, self.tables, rule, zones, fill)
        in_force = self._in_force(frames, rule)
        scope_col, holding = self._scope(rc, frames, rule)
        variants: list[tuple[pl.Expr, dict[str, pl.Expr]]] = []
        kinds: dict[str, pl.DataType] = {}
        applies: list[pl.Expr] = []
        for exc in [None, *rule.exceptions]:
            variants.append(self._variant(rc, frames, rule, exc, scope_col, kinds, applies))

        final_status, final_outcome = variants[0]
        redo = None
        if rule.exceptions:
            final_status, final_outcome, redo = self._choose(frames, rule, applies, variants)
        final_status = (pl.when(~in_force).then(_code(_NOT_APPLICABLE))
                        .when(scope_col == False).then(_code(_NOT_APPLICABLE))  # noqa: E712
                        .otherwise(final_status))
        final_outcome = {n: pl.when(final_status.is_in([_ELIGIBLE, _INELIGIBLE])).then(e)
                         .otherwise(None) for n, e in final_outcome.items()}
        if redo is not None:  # two exceptions apply: the reference decides (or names the conflict)
            redo = pl.col(frames.person(in_force & (scope_col != False) & redo))  # noqa: E712
        return (final_status, final_outcome, redo, holding), kinds

    @staticmethod
    def _in_force(frames, rule: Rule) -> pl.Expr:
        """Whether the rule is in force on each row's day (a constant when every row shares
        one)."""
        as_of = pl.col("as_of")
        in_force = pl.lit(True)
        if frames.as_of_const is not None:
            in_force = pl.lit(rule.in_force(frames.as_of_const))
        elif rule.in_force_from is not None:
            in_force = in_force & (as_of >= pl.lit(rule.in_force_from))
        if frames.as_of_const is None and rule.in_force_to is not None:
            in_force = in_force & (as_of <= pl.lit(rule.in_force_to))
        return in_force

    def _scope(self, rc: RuleCompiler, frames, rule: Rule) -> tuple[pl.Expr, list[pl.Expr]]:
        """The rule's scope per person (its place in one of the zones weighed, and its scope
        clauses), and whether the place is in each zone (for firmness)."""
        as_of = pl.col("as_of")
        if rule.place is not None:
            anchor = rc.ev(rule.place.expr, {})
            if not isinstance(anchor, S) or anchor.kind != "place":
                raise NotCompilable("the rule's place is not a place", "规则的 place 不是地点")
            rc.anchor = rc.person_level(anchor)
        anchor_e = rc.anchor.e
        zone = pl.lit(False)
        for ref in rc.zones:
            zone = zone | (rc._active(ref, as_of) & rc.tables.contains(
                ref.zone.id, anchor_e, as_of, frames.as_of_const))
        zone = pl.when(anchor_e.is_null()).then(None).otherwise(zone)
        holding = [rc._active(ref, as_of) & rc.tables.contains(
            ref.zone.id, anchor_e, as_of, frames.as_of_const) for ref in rc.zones]
        scope = zone
        for clause in rule.scope:
            scope = scope & self._test(rc, clause)
        return pl.col(frames.person(scope)), holding

    def _variant(self, rc: RuleCompiler, frames, rule: Rule, exc, scope_col: pl.Expr,
                 kinds: dict[str, pl.DataType], applies: list[pl.Expr]
                 ) -> tuple[pl.Expr, dict[str, pl.Expr]]:
        """The status and outcome of the rule itself (``exc`` None) or of one exception, whose
        test goes into ``applies``; each outcome's column kind into ``kinds``."""
        conditions = rule.conditions
        clauses = {c.name: c for c in rule.outcome}
        if exc is not None:
            if exc.conditions is not None:
                conditions = exc.conditions
            clauses = {**clauses, **{c.name: c for c in exc.outcome}}
            a = pl.lit(True)
            for clause in exc.applies:
                a = a & self._test(rc, clause)
            applies.append(pl.col(frames.person(a)))
        granted = pl.lit(True)
        for clause in conditions:
            granted = granted & self._test(rc, clause)
        granted = pl.col(frames.person(granted))
        status = (pl.when(scope_col.fill_null(False) & granted.fill_null(False))
                  .then(_code(_ELIGIBLE))
                  .when(scope_col.fill_null(False) & ~granted.fill_null(True))
                  .then(_code(_INELIGIBLE))
                  .otherwise(_code(_UNDETERMINED)))
        status = pl.col(frames.person(status))
        # a variant's outcome is only ever read where its own status is eligible (or
        # ineligible, for the figures a refusal turned on): lists are rendered as JSON only
        # for those persons
        refusal = any(c.on_ineligible for c in clauses.values())
        rc.only = pl.col(frames.person(
            status.is_in([_ELIGIBLE, _INELIGIBLE]) if refusal else status == _ELIGIBLE))
        outcome: dict[str, pl.Expr] = {}
        for name, clause in clauses.items():
            expr, dtype = rc.render(rc.ev(clause.expr, {}))
            if kinds.setdefault(name, dtype) != dtype:  # one column cannot hold both kinds
                raise NotCompilable(f"outcome {name!r} of different kinds in the rule and an "
                                    "exception", f"结果 {name!r} 在规则与例外中的类型不同")
            outcome[name] = pl.col(frames.person(
                pl.when(_shown(status, clause)).then(expr).otherwise(None)))
        return status, outcome

    def _test(self, rc: RuleCompiler, clause: Clause) -> pl.Expr:
        v = rc.ev(clause.expr, {})
        if not isinstance(v, S) or v.kind != "bool":
            raise NotCompilable(f"{clause.name} is not a truth value", f"{clause.name} 不是真假值")
        return rc.person_level(v).e

    def _choose(self, frames, rule: Rule, applies: list[pl.Expr],
                variants: list[tuple[pl.Expr, dict[str, pl.Expr]]]):
        """The exception chosen per row, and undetermined where an uncertain one disagrees."""
        excs = rule.exceptions
        chosen, n_winners = self._chosen(frames, rule, applies)

        def pick(values: list[pl.Expr]) -> pl.Expr:
            chain: Any = pl
            for k, x in enumerate(values):
                chain = chain.when(chosen == k).then(x)
            return chain.otherwise(None)

        names = list(dict.fromkeys(n for _, o in variants for n in o))
        clauses = [{c.name: c for c in rule.outcome}]
        clauses += [{**clauses[0], **{c.name: c for c in e.outcome}} for e in excs]

        def present(k: int, status: pl.Expr, n: str) -> pl.Expr:
            return _shown(status, clauses[k][n]) if n in variants[k][1] else pl.lit(False)

        status = pl.col(frames.person(pick([s for s, _ in variants])))
        has = {n: pl.col(frames.person(pick([present(k, s, n) for k, (s, _) in
                                             enumerate(variants)]))) for n in names}
        value = {n: pl.col(frames.person(pick([o.get(n, pl.lit(None)) for _, o in variants])))
                 for n in names}
        # as the reference: each uncertain exception in turn, against the decision so far
        for k, e in enumerate(excs):
            alt_status, alt_outcome = variants[k + 1]
            overridden = pl.lit(False)
            for j, o in enumerate(excs):
                if e.label in o.overrides:
                    overridden = overridden | (chosen == j + 1)
            uncertain = applies[k].is_null() & ~overridden
            same = alt_status == status
            for n in names:
                alt_has = present(k + 1, alt_status, n)
                alt_val = alt_outcome.get(n, pl.lit(None))
                same = same & (alt_has == has[n]) & (
                    ~alt_has | ~has[n] | alt_val.eq_missing(value[n]))
            differ = uncertain & ~same
            nulls = differ & (alt_status == status)
            to_undetermined = differ & (alt_status != status)
            new_value = {}
            for n in names:
                alt_has = present(k + 1, alt_status, n)
                alt_val = alt_outcome.get(n, pl.lit(None))
                keep = ~alt_has | alt_val.eq_missing(value[n])
                v = pl.when(to_undetermined).then(None).when(nulls & ~keep).then(None) \
                    .otherwise(value[n])
                new_value[n] = pl.col(frames.person(v))
                has[n] = pl.col(frames.person(has[n] & ~to_undetermined))
            value = new_value
            status = pl.col(frames.person(
                pl.when(to_undetermined).then(_code(_UNDETERMINED)).otherwise(status)))
        conflict = pl.col(frames.person(n_winners > 1))
        return status, value, conflict

    @staticmethod
    def _chosen(frames, rule: Rule, applies: list[pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
        """Per row, the exception that applies and no other applying one overrides (its number
        from 1; 0 for none), and how many such there are (two or more: a conflict)."""
        excs = rule.exceptions
        live = [a.fill_null(False) for a in applies]
        winners = []
        for k, e in enumerate(excs):
            overridden = pl.lit(False)
            for j, o in enumerate(excs):
                if j != k and e.label in o.overrides:
                    overridden = overridden | live[j]
            winners.append(pl.col(frames.person(live[k] & ~overridden)))
        n_winners = pl.sum_horizontal([w.cast(pl.Int32) for w in winners])
        chosen: Any = pl
        for k, w in enumerate(winners):
            chosen = chosen.when(w).then(pl.lit(k + 1))
        return pl.col(frames.person(chosen.otherwise(pl.lit(0)))), n_winners


def _shown(status: pl.Expr, clause: Clause) -> pl.Expr:
    """Where an outcome value is given: on eligible decisions, and on ineligible ones for the
    figures a refusal turned on."""
    if clause.on_ineligible:
        return status.is_in([_ELIGIBLE, _INELIGIBLE])
    return status == _ELIGIBLE


def _cell(value: Any, dtype: pl.DataType) -> Any:
    """A decision's outcome value (JSON-ready) in a column of ``dtype``."""
    if value is None:
        return None
    if dtype == pl.String and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if dtype == pl.Float64:
        return float(value)
    return value


@functools.cache
def _probe_population() -> Population:
    """A one-row population with every list present, to find out what compiles (read-only:
    each compilation works on its own frames)."""
    import pyarrow as pa

    from tongcheng.batch.layout import nest

    row = {"as_of": "2025-06-01", "target": "370200",
           "person": {"residence": [{"place": "370200", "since": "2020-01-01"}]},
           "insurance": [{"scheme": "employee_medical", "place": "370200", "from": "2020-01"}],
           "provident_fund": {"periods": [{"place": "370200", "from": "2020-01"}]},
           "cards": [{"kind": "transit", "issuer": "370200"}]}
    table = nest(pa.Table.from_pylist([row]))
    pop, _ = build(table)
    return pop
