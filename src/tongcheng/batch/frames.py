"""One chunk's frames and the columns planned over them, computed depth by depth.

Compiling a rule only *plans* columns: ``person``, ``item``, ``broadcast`` and ``later`` return
column names at once and record how to compute them, each with its depth (one more than the
deepest column it reads). ``run`` then computes them depth by depth: every expression of one
depth in one ``with_columns`` per frame — all rules' at once, so polars spreads them over the
cores — and the numpy steps (month sweeps, segment sums, list outcomes) beside them.

**Re-decisions on the rows that need them.** Grounding a decision in its zone entries (firmness)
and deciding it again per value of an unknown fact of a few values (``batch.grounding``) plan a
rule again, several times; what they plan is read only on some rows — an undetermined decision
with such a fact unknown, an eligible one whose target lies in entries of different firmness.
Columns planned inside ``redeciding(mask)`` are one group of *re-decision* columns, read only
on the rows ``mask`` names. ``run`` then works in three stages: (1) every other column over the
whole chunk; (2) each group over the persons its mask names (and their list rows), a sub-chunk
of the same frames; (3) the columns combining both (a re-decision's status where the first is
undetermined, ...) over the whole chunk again, the re-decision columns gathered back as null
outside their sub-chunk, where no combination reads them. A first decision never reads a
re-decision's column, nor a group another's: values shared between rules (``shared``) planned
while re-deciding are kept apart, per group.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from tongcheng.batch import phases
from tongcheng.batch.layout import Population

# a group of re-decisions whose rows are more than this share of the chunk is computed over the
# whole chunk: taking the rows out and gathering the columns back would cost more than it saves
WHOLE = 0.5

Key = tuple[str | None, str]  # (list frame or None for persons, or "=" for a value; name)
Step = tuple[Callable[[], Any], list[Key], bool]  # (fn, outputs, is a value)
Plan = tuple[dict[int, list[tuple[str | None, str, pl.Expr]]], dict[int, list[Step]]]


class Frames:
    """The persons frame and list frames of one chunk, and the columns still to compute."""

    def __init__(self, pop: Population) -> None:
        self.load(pop)
        self._n = 0
        self.cache: dict[Any, Any] = {}  # planned values shared by rules (see ``shared``)
        # planned, not yet computed: per depth, (frame or None for persons, name, expr) and
        # numpy steps (fn, outputs, is_value)
        self._exprs: dict[int, list[tuple[str | None, str, pl.Expr]]] = {}
        self._steps: dict[int, list[Step]] = {}
        self._depth: dict[Key, int] = {}
        self._reads: dict[Key, list[Key]] = {}
        self._group: int | None = None  # the group of re-decisions being planned
        self._sub: dict[Key, int] = {}  # re-decision columns: their group
        self._masks: list[str] = []  # per group, a person column: the rows it is read on
        self._stages: tuple[Plan, Plan, list[Plan], set[Key]] | None = None
        self.as_of_const: date | None = as_of_const(pop)

    def load(self, pop: Population) -> None:
        """Another chunk to compute the same plan over: one of the same ``shape`` (planning
        reads the columns present, and ``as_of`` where all rows share it). ``fallback``, the
        rows the reference evaluator decides whole, is the column ``_fallback``."""
        self.P = pop.persons.with_columns(pop.fallback.alias("_fallback"))
        self.L = dict(pop.lists)
        self._runtime: dict[Any, Any] = {}  # per frame computed (offsets, persons of rows)
        self.values: dict[str, Any] = {}  # results of value steps (``later_value``)

    def release(self) -> None:
        """Forget the chunk (its computed columns), keeping the plan."""
        self.P, self.L, self._runtime, self.values = pl.DataFrame(), {}, {}, {}

    def planned(self) -> int:
        """How many columns and values are planned so far (for the phase counts)."""
        return len(self._depth)

    def fresh(self) -> str:
        self._n += 1
        return f"_t{self._n}"

    def offsets(self, lst: str) -> np.ndarray:
        key = ("offsets", lst)
        if key not in self._runtime:
            lengths = self.P[f"n:{lst}"].fill_null(0).to_numpy().astype(np.int64)
            out = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=out[1:])
            self._runtime[key] = out
        return self._runtime[key]

    # re-decisions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def redeciding(self, mask: pl.Expr) -> Iterator[None]:
        """What is planned inside is a re-decision's, computed only on the rows ``mask`` (a
        person-level Boolean of first decisions, null as false) names; nested, the outer
        group's."""
        if self._group is not None:
            yield
            return
        column = self.person(mask.fill_null(False))
        self._group = len(self._masks)
        self._masks.append(column)
        try:
            yield
        finally:
            self._group = None

    def shared(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` planned once per chunk for every rule asking by ``key``; a re-decision
        reuses a first decision's, never the reverse (it is not computed on every row)."""
        if key in self.cache:
            return self.cache[key]
        if self._group is not None:
            key = ("redeciding", self._group, key)
            if key in self.cache:
                return self.cache[key]
        self.cache[key] = value = make()
        return value

    # planning ------------------------------------------------------------------------------

    @staticmethod
    def _reads_of(uses: Sequence[tuple[str | None, pl.Expr]],
                  values: Sequence[str] = ()) -> list[Key]:
        return [*((ctx, name) for ctx, expr in uses for name in expr.meta.root_names()),
                *(("=", name) for name in values)]

    def _plan(self, outs: Sequence[Key], uses: Sequence[tuple[str | None, pl.Expr]],
              values: Sequence[str] = ()) -> int:
        """Record what ``outs`` read (so that ``run`` computes only what the result needs) and
        their depth."""
        reads = self._reads_of(uses, values)
        depth = 1 + max((self._depth.get(key, 0) for key in reads), default=0)
        for out in outs:
            self._depth[out] = depth
            self._reads[out] = reads
        if self._group is not None:
            self._sub.update(dict.fromkeys(outs, self._group))
        return depth

    def _plan_expr(self, ctx: str | None, expr: pl.Expr) -> str:
        if expr.meta.is_column():
            return expr.meta.output_name()
        name = self.fresh()
        depth = self._plan([(ctx, name)], [(ctx, expr)])
        self._exprs.setdefault(depth, []).append((ctx, name, expr))
        return name

    def person(self, expr: pl.Expr) -> str:
        """A person-level expression as a column (computed by ``run``); its name."""
        return self._plan_expr(None, expr)

    def item(self, lst: str, expr: pl.Expr) -> str:
        return self._plan_expr(lst, expr)

    def later(self, fn: Callable[[], Any], uses: Sequence[tuple[str | None, pl.Expr]],
              *, n: int = 1, values: Sequence[str] = ()) -> list[pl.Expr]:
        """``n`` person columns computed by ``fn()`` (a sequence of arrays or Series) once the
        columns ``uses`` reads (and the value steps ``values``) are computed."""
        names = [self.fresh() for _ in range(n)]
        outs: list[Key] = [(None, name) for name in names]
        depth = self._plan(outs, uses, values)
        self._steps.setdefault(depth, []).append((fn, outs, False))
        return [pl.col(name) for name in names]

    def later_value(self, key: str, fn: Callable[[], Any],
                    uses: Sequence[tuple[str | None, pl.Expr]]) -> str:
        """A Python value computed by ``fn()`` (read from ``values[key]`` in later steps)."""
        if self._group is not None and ("=", key) not in self._depth:
            key = f"~{self._group}:{key}"
        if ("=", key) not in self._depth:
            depth = self._plan([("=", key)], uses)
            self._steps.setdefault(depth, []).append((fn, [("=", key)], True))
        return key

    def broadcast(self, lst: str, expr: pl.Expr) -> pl.Expr:
        """A person-level expression, as a column of the list's rows."""
        name = self.person(expr)
        target = f"^{name}"
        if self._group is not None and (lst, target) not in self._depth:
            target = f"^~{self._group}:{name}"
        if (lst, target) not in self._depth and target not in self.L[lst].columns:
            depth = self._plan([(lst, target)], [(None, pl.col(name))])

            def gather(name=name, lst=lst, target=target) -> list[pl.Series]:
                return [self.P.get_column(name).gather(self.L[lst].get_column("_i"))]

            self._steps.setdefault(depth, []).append((gather, [(lst, target)], False))
        return pl.col(target)

    # computing -----------------------------------------------------------------------------

    def _live(self, needed: Sequence[pl.Expr]) -> set[Key]:
        """The planned columns the ``needed`` person-level expressions read, even through
        others (an outcome of a re-decision whose status alone is read is not)."""
        live: set[Key] = set()
        todo = self._reads_of([(None, e) for e in needed])
        while todo:
            key = todo.pop()
            if key in live:
                continue
            live.add(key)
            todo.extend(self._reads.get(key, ()))
        return live

    def _take(self, keep: Callable[[Key], bool]) -> Plan:
        """The planned expressions and steps whose outputs ``keep`` accepts."""
        exprs = {d: [x for x in xs if keep((x[0], x[1]))] for d, xs in self._exprs.items()}
        steps = {d: [s for s in ss if any(keep(out) for out in s[1])]
                 for d, ss in self._steps.items()}
        return exprs, steps

    def run(self, needed: Sequence[pl.Expr]) -> None:
        """Compute the planned columns ``needed`` reads (the same each time a plan is run
        again): first decisions over the whole chunk, each group of re-decisions over the rows
        that read it, then what combines both."""
        if self._stages is None:
            self._stages = self._staged(needed)
        first, combine, groups, read = self._stages
        for stage in (first, combine, *groups):
            phases.count("computed_exprs", sum(len(x) for x in stage[0].values()))
            phases.count("computed_steps", sum(len(x) for x in stage[1].values()))
        self._compute(first)
        back: list[pl.Series] = []
        for g, plan in enumerate(groups):
            names = sorted(name for key, name in read if self._sub[(key, name)] == g)
            if names:
                back.extend(self._redecide(plan, pl.col(self._masks[g]), names))
        if back:
            self.P = self.P.with_columns(back)
        self._compute(combine)

    def _staged(self, needed: Sequence[pl.Expr]) -> tuple[Plan, Plan, list[Plan], set[Key]]:
        """The planned columns ``needed`` reads, in stages: first decisions, combinations,
        each group of re-decisions (with the value steps it reads); and the re-decision
        columns the combinations read."""
        masks = [pl.col(m) for m in self._masks]
        live = self._live([*needed, *masks])
        phases.count("planned_exprs", sum(len(x) for x in self._exprs.values()))
        phases.count("planned_steps", sum(len(x) for x in self._steps.values()))
        sub = {k: g for k, g in self._sub.items() if k in live}
        tainted: set[Key] = set()  # reads a re-decision, not one itself: the combinations
        for key in sorted(live - sub.keys(), key=lambda k: self._depth.get(k, 0)):
            if any(r in sub or r in tainted for r in self._reads.get(key, ())):
                tainted.add(key)
        for key, group in sub.items():
            if any(r in tainted or sub.get(r, group) != group for r in self._reads[key]):
                raise RuntimeError(f"re-decision column {key} reads outside its group")
        first = self._take(lambda k: k in live and k not in sub and k not in tainted)
        combine = self._take(lambda k: k in tainted)
        groups = [_with_values(self._take(lambda k, g=g: sub.get(k) == g), first, self._reads)
                  for g in range(len(masks))]
        read = {r for k in tainted for r in self._reads.get(k, ()) if r in sub}
        # and those the result reads itself (a rule's mark of rows for the reference reads its
        # cases' marks, under the group's mask)
        read |= {r for r in self._reads_of([(None, e) for e in needed]) if r in sub}
        if any(ctx is not None for ctx, _ in read):
            raise RuntimeError("a combination reads a re-decision's list rows")
        return first, combine, groups, read

    def _redecide(self, plan: Plan, mask: pl.Expr, names: list[str]) -> list[pl.Series]:
        """``plan`` computed over the persons ``mask`` names (at least one in a chunk that has
        some, so that every column has its type): its person columns ``names`` over the whole
        chunk, null on the other rows — or, where the mask names most of the chunk, over the
        whole chunk (the rows it does not name are not read)."""
        whole = (self.P, self.L, self._runtime, self.values)
        with phases.clock("decide.subset"):
            rows = self.P.get_column(mask.meta.output_name()).to_numpy()
            picked = np.flatnonzero(rows)
            if not len(picked) and self.P.height:
                picked = np.zeros(1, dtype=np.int64)
            phases.count("redecided_groups")
        if len(picked) > WHOLE * self.P.height:
            phases.count("redecided_rows", self.P.height)
            self._compute(plan)
            return []
        with phases.clock("decide.subset"):
            phases.count("redecided_rows", len(picked))
            position = np.full(self.P.height, -1, dtype=np.int64)
            position[picked] = np.arange(len(picked))
            reads = _reads_by_frame(plan, self._reads)
            lists = {}
            for lst, frame in self.L.items():
                if lst not in reads:  # a list the group neither reads nor writes: left out
                    continue
                i = self.persons_of(lst)
                kept = position[i] >= 0
                lists[lst] = frame.select(_inputs(frame, reads.get(lst, ()))).filter(
                    kept).with_columns(pl.Series("_i", position[i[kept]]).cast(
                        frame.schema["_i"]))
            persons = self.P.select(_inputs(self.P, reads.get(None, ())))[picked].with_columns(
                pl.Series("_i", np.arange(len(picked))).cast(self.P.schema["_i"]))
            # a sub-chunk: its own offsets and persons of rows, and value steps computed again
            self.P, self.L, self._runtime, self.values = persons, lists, {}, {}
        try:
            self._compute(plan)
            done = self.P
        finally:
            self.P, self.L, self._runtime, self.values = whole
        with phases.clock("decide.subset"):
            at = np.full(self.P.height, -1, dtype=np.int64)
            at[picked] = np.arange(len(picked))
            index = pl.Series(at).cast(pl.UInt32, strict=False)  # -1: null
            return done.select(pl.col(names).gather(pl.lit(index))).get_columns()

    def _compute(self, plan: Plan) -> None:
        """The planned columns of ``plan``, depth by depth: the numpy steps of a depth in a
        second thread while polars computes its expressions (both release the GIL for most of
        it)."""
        exprs_by_depth, steps_by_depth = plan
        pool = _steps_thread()
        for depth in sorted(set(exprs_by_depth) | set(steps_by_depth)):
            exprs = exprs_by_depth.get(depth, [])
            steps = steps_by_depth.get(depth, [])
            if not exprs and not steps:
                continue
            P, L = self.P, dict(self.L)  # what this depth reads (earlier depths only)
            pending = pool.submit(self._run_steps, steps) if steps else None
            by_frame: dict[str | None, list[pl.Expr]] = {}
            for ctx, name, expr in exprs:
                by_frame.setdefault(ctx, []).append(expr.alias(name))
            with phases.clock("decide.polars"):
                computed = {ctx: _with_columns(P if ctx is None else L[ctx], cols)
                            for ctx, cols in by_frame.items()}
            made = pending.result() if pending is not None else {}
            for ctx in set(computed) | set(made):
                frame = computed.get(ctx, P if ctx is None else L[ctx])
                if ctx in made:
                    frame = frame.with_columns(made[ctx])
                if ctx is None:
                    self.P = frame
                else:
                    self.L[ctx] = frame

    def _run_steps(self, steps: list[Step]) -> dict[str | None, list[pl.Series]]:
        with phases.clock("decide.numpy_steps"):
            return self._run_steps_now(steps)

    def _run_steps_now(self, steps: list[Step]) -> dict[str | None, list[pl.Series]]:
        made: dict[str | None, list[pl.Series]] = {}
        for fn, outs, is_value in steps:
            if phases.on():
                name = f"step:{getattr(fn, '__qualname__', '?')}"
                phases.count(name)
                with phases.clock(name):
                    result = fn()
            else:
                result = fn()
            if is_value:
                self.values[outs[0][1]] = result
                continue
            for (ctx, name), values in zip(outs, result, strict=True):
                series = values if isinstance(values, pl.Series) else pl.Series(values)
                made.setdefault(ctx, []).append(series.alias(name))
        return made

    # reading computed columns (numpy steps) ------------------------------------------------

    def item_np(self, lst: str, expr: pl.Expr, dtype=np.int64) -> np.ndarray:
        frame = self.L[lst]
        if frame.height == 0:
            return np.zeros(0, dtype=dtype)
        if expr.meta.is_column() and expr.meta.output_name() in frame.columns:
            x = frame.get_column(expr.meta.output_name())  # planned columns: no query to run
        else:
            # with_columns, not select: a literal (the items of a whole list are all surely in)
            # must give one value per row, not one value
            x = frame.with_columns(expr.alias("_x"))["_x"]
        return x.to_numpy().astype(dtype, copy=False)

    def persons_of(self, lst: str) -> np.ndarray:
        """The person (``_i``) of each row of a list, once per frame."""
        key = ("persons_of", lst)
        if key not in self._runtime:
            self._runtime[key] = self.L[lst].get_column("_i").to_numpy().astype(np.int64)
        return self._runtime[key]

    # segment reductions over each person's rows of a list
    def seg_sum(self, lst: str, values: np.ndarray) -> np.ndarray:
        off = self.offsets(lst)
        if values.dtype == np.bool_:  # a count: the persons of the rows kept, counted
            return np.bincount(self.persons_of(lst)[values], minlength=len(off) - 1)
        csum = np.empty(len(values) + 1, dtype=np.int64)
        csum[0] = 0
        np.cumsum(values, out=csum[1:])  # booleans count as 0 and 1
        return csum[off[1:]] - csum[off[:-1]]

    def seg_reduce(self, lst: str, values: np.ndarray, ufunc, empty) -> np.ndarray:
        off = self.offsets(lst)
        starts = off[:-1]
        nonempty = off[1:] > starts
        out = np.full(len(starts), empty, dtype=values.dtype if len(values) else np.int64)
        if len(values) and nonempty.any():
            out[nonempty] = ufunc.reduceat(values, starts[nonempty])
        return out


def _reads_by_frame(plan: Plan, reads: dict[Key, list[Key]]) -> dict[str | None, set[str]]:
    """Per frame (persons, lists, ``=`` values), the columns ``plan`` reads; the frames it
    writes to too."""
    out: dict[str | None, set[str]] = {}
    keys = [(ctx, name) for xs in plan[0].values() for ctx, name, _ in xs]
    keys += [outs[0] for ss in plan[1].values() for _, outs, _ in ss]
    for key in keys:
        out.setdefault(key[0], set())  # the frame it is written to
        for ctx, name in reads[key]:
            out.setdefault(ctx, set()).add(name)
    return out


def _inputs(frame: pl.DataFrame, read: Any) -> list[str]:
    """The columns of ``frame`` a sub-chunk keeps: the input's (steps read some without
    naming them) and the planned ones ``read``."""
    return [c for c in frame.columns
            if not (c.startswith("_t") or c.startswith("^")) or c in read]


def _with_values(plan: Plan, first: Plan, reads: dict[Key, list[Key]]) -> Plan:
    """``plan`` and the value steps of ``first`` it reads: a value is over a whole frame, so a
    sub-chunk computes its own."""
    exprs, steps = plan
    wanted = {r for xs in exprs.values() for ctx, name, _ in xs for r in reads[(ctx, name)]}
    wanted |= {r for ss in steps.values() for _, outs, _ in ss for r in reads[outs[0]]}
    wanted = {r for r in wanted if r[0] == "="}
    if not wanted:
        return plan
    more = {d: [s for s in ss if s[2] and s[1][0] in wanted] for d, ss in first[1].items()}
    merged = {d: [*more.get(d, []), *steps.get(d, [])] for d in set(more) | set(steps)}
    return exprs, merged


def as_of_const(pop: Population) -> date | None:
    """The date every row is decided at, when they share one (planning uses it)."""
    as_of = pop.persons["as_of"]
    return as_of[0] if as_of.len() and as_of.n_unique() == 1 else None


def shape(pop: Population) -> tuple:
    """What planning reads of a chunk: the columns and their types, and the shared ``as_of``:
    chunks of one shape share one plan."""
    return (as_of_const(pop), tuple(pop.persons.schema.items()),
            tuple((lst, tuple(f.schema.items())) for lst, f in pop.lists.items()))


@functools.cache
def _steps_thread() -> Any:
    """The one thread running numpy steps, for the process's life rather than one per chunk
    (a new thread may take another malloc arena, which keeps the memory freed in it)."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="tongcheng-steps")


def _with_columns(frame: pl.DataFrame, exprs: list[pl.Expr]) -> pl.DataFrame:
    """``frame.with_columns(exprs)`` without query optimisation: hundreds of independent
    expressions, computed in parallel (common-subexpression search over them costs more than it
    saves)."""
    return frame.lazy().with_columns(exprs).collect(optimizations=pl.QueryOptFlags.none())
