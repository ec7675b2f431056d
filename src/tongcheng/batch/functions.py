"""The pack's functions over columns (counts, months, zones, parameters, extremes, dates):
the ``fn_*`` methods of ``RuleCompiler``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import polars as pl

from tongcheng import months as mo
from tongcheng.batch.layout import (
    lut,
)
from tongcheng.batch.sweeps import _Rows, _run_at, _sweep_count
from tongcheng.batch.values import (
    NUMERIC,
    ByPlaceV,
    ConstItemsV,
    ItemsV,
    MonthsV,
    NotCompilable,
    PlacesV,
    Rec,
    S,
    TupleV,
    V,
    _any_null,
    _dec,
    _lit,
    _null_if,
    value_zh,
)
from tongcheng.expr import ast
from tongcheng.pack import parameters as params


class Functions:
    """``RuleCompiler``'s functions (a part of the class, apart for its size)."""

    def _count_items(self, items: ItemsV) -> tuple[pl.Expr, pl.Expr]:
        """Per person: (sure, maybe) item counts, as new person columns."""
        lst, fr = items.lst, self.fr
        if not items.maybe_possible:
            [lo] = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, items.sure, bool))],
                            [(lst, items.sure)])
            return lo, pl.lit(0, dtype=pl.Int64)
        lo, maybe = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, items.sure, bool)),
                                      fr.seg_sum(lst, fr.item_np(lst, items.maybe, bool))],
                             [(lst, items.sure), (lst, items.maybe)], n=2)
        return lo, maybe

    def fn_count(self, x: V) -> S:
        if isinstance(x, ItemsV):
            lo, extra = self._count_items(x)
            known = x.known
            return S("int", _null_if(~known, lo), hi=_null_if(~known, lo + extra))
        if isinstance(x, MonthsV):
            return self._month_measure(x, "count")
        if isinstance(x, TupleV):
            return _lit(len(x.values))
        if isinstance(x, ConstItemsV):
            lo = pl.sum_horizontal([e.cast(pl.Int64) for e in x.sure]) if x.sure else pl.lit(0)
            extra = pl.sum_horizontal([e.cast(pl.Int64) for e in x.maybe]) if x.maybe \
                else pl.lit(0)
            return S("int", _null_if(~x.known, lo), hi=_null_if(~x.known, lo + extra))
        raise NotCompilable(f"count() of {type(x).__name__}", f"对{value_zh(x)}取 count()")

    def fn_exists(self, x: V) -> S:
        return self.compare(">", self.fn_count(x), _lit(0))

    def fn_months(self, x: V) -> MonthsV:
        if not isinstance(x, ItemsV):
            raise NotCompilable("months() of something other than a list",
                                "对列表以外的值取 months()")
        return MonthsV(x)

    def fn_consecutive_months(self, x: V) -> S:
        if not isinstance(x, MonthsV):
            raise NotCompilable("consecutive_months() of something other than months()",
                                "对 months() 以外的值取 consecutive_months()")
        return self._month_measure(x, "run")

    def _intervals(self, lst: str) -> str:
        """(person, start, end, as_of month) per row: months clipped to as_of, as the
        reference; once per list and chunk."""
        return self.fr.shared(("intervals", lst), lambda: self._read_intervals(lst))

    def _read_intervals(self, lst: str) -> str:
        """The key of a value step giving (person, start, end, as_of month) per row."""
        m = self.fr.broadcast(lst, pl.col("as_of_m"))
        frame = self.fr.L[lst]
        if "from" in frame.columns:
            start = pl.col("from")
            end = pl.min_horizontal(pl.col("to").fill_null(m), m) if "to" in frame.columns else m
        elif "since" in frame.columns:
            start = (pl.col("since").dt.year().cast(pl.Int64) * 12
                     + pl.col("since").dt.month().cast(pl.Int64) - 1)
            end = m
        else:
            raise NotCompilable(f"months() of {lst}, which has no months",
                                f"对没有月份的 {lst} 取 months()")
        fr = self.fr
        # planned as columns (computed with the depth's expressions): the step only reads them
        start = pl.col(fr.item(lst, start.fill_null(0)))
        end = pl.col(fr.item(lst, end.fill_null(-1)))

        def read() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, _Rows]:
            i, s, e = (fr.item_np(lst, pl.col("_i")), fr.item_np(lst, start),
                       fr.item_np(lst, end))
            return i, s, e, fr.item_np(lst, m), _Rows.of(i, s, e)

        return fr.later_value(f"intervals:{lst}", read, [(lst, start), (lst, end), (lst, m)])

    def _undated(self, items: ItemsV) -> pl.Expr:
        """Per person: some item in the set has no start (a permit without ``since``)."""
        if "since" not in self.fr.L[items.lst].columns:
            return pl.lit(False)
        mask = (items.sure | items.maybe) & pl.col("since").is_null()
        lst, fr = items.lst, self.fr
        [col] = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, mask, bool)) > 0], [(lst, mask)])
        return col

    def _month_measure(self, x: MonthsV, what: str) -> S:
        items = x.items
        lst = items.lst
        known = items.known & ~self._undated(items)
        key = self._intervals(lst)
        fr = self.fr
        exact = not items.maybe_possible

        def measure() -> list[np.ndarray]:
            i, start, end, m, rows = fr.values[key]
            valid = rows.valid
            sure = fr.item_np(lst, items.sure, bool) & valid
            if what == "count":
                lo = rows.count(sure, fr.P.height)
            else:
                lo = self._run(lst, i, start, end, m, sure)
            if exact:
                return [lo]
            maybe = fr.item_np(lst, items.maybe, bool) & valid & ~sure
            if not maybe.any():  # the upper bound is the lower one for everybody
                return [lo, lo]
            either = sure | maybe
            if what != "count":
                return [lo, self._run(lst, i, start, end, m, either)]
            # the upper bound differs only for persons with a maybe row: sweep just theirs
            n = len(lo)
            some = np.zeros(n, dtype=bool)
            some[i[maybe]] = True
            picked = some[i]
            sub_i = i[picked]
            added = _sweep_count(sub_i, start[picked], end[picked], either[picked])
            hi = lo.copy()
            hi[some] = np.bincount(sub_i, weights=added, minlength=n)[some].astype(np.int64)
            return [lo, hi]

        uses = [(lst, items.sure)] + ([] if exact else [(lst, items.maybe)])
        cols = fr.later(measure, uses, n=1 if exact else 2, values=[key])
        lo_e = _null_if(~known, cols[0])
        if exact:
            return S("int", lo_e)
        return S("int", lo_e, hi=_null_if(~known, cols[1]))

    def _run(self, lst, i, start, end, m, mask) -> np.ndarray:
        at_m = self.fr.seg_reduce(lst, _run_at(i, start, end, mask, m), np.maximum, 0)
        before = self.fr.seg_reduce(lst, _run_at(i, start, end, mask, m - 1), np.maximum, 0)
        return np.where(at_m > 0, at_m, before)

    def fn_months_by_place(self, x: V) -> ByPlaceV:
        if not isinstance(x, ItemsV):
            raise NotCompilable("months_by_place() of something other than a list",
                                "对列表以外的值取 months_by_place()")
        return ByPlaceV(x)

    def fn_running(self, x: V) -> ItemsV:
        if not isinstance(x, ItemsV) or "to" not in self.fr.L[x.lst].columns:
            raise NotCompilable("running() of something other than periods",
                                "对期间列表以外的值取 running()")
        m = self.fr.broadcast(x.lst, pl.col("as_of_m"))
        run = (pl.col("from") <= m) & (pl.col("to").is_null() | (pl.col("to") >= m))
        sure = pl.col(self.fr.item(x.lst, x.sure & run))
        maybe = pl.col(self.fr.item(x.lst, x.maybe & run))
        return ItemsV(x.lst, sure, maybe, x.known, x.maybe_possible)

    def fn_latest(self, x: V) -> ItemsV:
        """The periods starting last, as the reference: sure where no maybe-period starts
        later, maybe where one may."""
        if not isinstance(x, ItemsV) or "from" not in self.fr.L[x.lst].columns:
            raise NotCompilable("latest() of something other than periods",
                                "对期间列表以外的值取 latest()")
        lst, fr = x.lst, self.fr
        start = pl.col("from")
        # planned as columns (computed with the depth's expressions): the step only reads them
        sure_from = pl.col(fr.item(lst, pl.when(x.sure).then(start).otherwise(-1)))
        any_from = pl.col(fr.item(lst, pl.when(x.sure | x.maybe).then(start).otherwise(-1)))
        floor, top = fr.later(lambda: [
            fr.seg_reduce(lst, fr.item_np(lst, sure_from), np.maximum, -1),
            fr.seg_reduce(lst, fr.item_np(lst, any_from), np.maximum, -1)],
            [(lst, sure_from), (lst, any_from)], n=2)
        floor_i, top_i = fr.broadcast(lst, floor), fr.broadcast(lst, top)
        sure = pl.col(fr.item(lst, x.sure & (start == top_i)))
        maybe = pl.col(fr.item(lst, (x.sure | x.maybe) & ~(x.sure & (start == top_i))
                               & (start >= floor_i)))
        return ItemsV(lst, sure, maybe, x.known, x.maybe_possible)

    def fn_age(self, born: V, at: V | None = None) -> S:
        at = at if at is not None else self.as_of
        if not (isinstance(born, S) and isinstance(at, S)) or born.kind != "date" \
                or at.kind != "date":
            raise NotCompilable("age() of non-dates", "对非日期取 age()")
        ctx, (born, at) = self.common(born, at)
        b, a = born.e, at.e
        earlier = (a.dt.month() < b.dt.month()) | (
            (a.dt.month() == b.dt.month()) & (a.dt.day() < b.dt.day()))
        years = a.dt.year().cast(pl.Int64) - b.dt.year().cast(pl.Int64) - earlier.cast(pl.Int64)
        return S("int", years, ctx)

    def fn_city(self, place: V) -> S:
        if not isinstance(place, S) or place.kind != "place":
            raise NotCompilable("city() of a non-place", "对非地点取 city()")
        return attrs.evolve(place, e=lut(self.tables.places.city, place.e), is_const=False,
                            const=None)

    def _zone_refs(self):
        return self.zones

    def _active(self, ref, as_of: pl.Expr) -> pl.Expr:
        if self.fr.as_of_const is not None:
            return pl.lit(ref.active(self.fr.as_of_const))
        cond = as_of >= pl.lit(ref.start)
        if ref.end is not None:
            cond = cond & (as_of <= pl.lit(ref.end))
        return cond

    def fn_member(self, place: V) -> S:
        return self._member(place, self._zone_refs())

    def fn_shares_zone(self, place: V, zone: V) -> S:
        if not isinstance(zone, S) or not zone.is_const:
            raise NotCompilable("shares_zone() without a literal zone id",
                                "shares_zone() 的区域编号不是字面值")
        return self._member(place, tuple(r for r in self._zone_refs()
                                         if r.zone.id == zone.const))

    def _member(self, place: V, refs) -> S:
        if not isinstance(place, S) or place.kind != "place":
            raise NotCompilable("member() of a non-place", "对非地点取 member()")
        ctx, (place, anchor, as_of) = self.common(place, self.anchor, self.as_of)
        out: pl.Expr = pl.lit(False)
        c = self.fr.as_of_const
        for ref in refs:
            if c is not None and not ref.active(c):
                continue
            t = self.tables.contains(ref.zone.id, anchor.e, as_of.e, self.fr.as_of_const)
            p = self.tables.contains(ref.zone.id, place.e, as_of.e, self.fr.as_of_const)
            out = out | (self._active(ref, as_of.e) & (t & p))
        # as the reference: an unknown target (null ``t``) does not end the question, a place
        # outside every zone is never a member (Kleene ``&``); an unknown place is unknown
        return S("bool", _null_if(place.e.is_null(), out), ctx)

    def fn_in_zone(self, place: V, zone: V) -> S:
        if not (isinstance(place, S) and isinstance(zone, S)) or not zone.is_const \
                or zone.const not in self.pack.zones:
            raise NotCompilable("in_zone() without a literal zone id",
                                "in_zone() 的区域编号不是字面值")
        if place.kind != "place":  # a literal code (a text here): the reference decides it
            raise NotCompilable("in_zone() of a non-place", "对非地点取 in_zone()")
        # as the rule cites the zone: only while one of its entries for it is in force
        ctx, (place, as_of) = self.common(place, self.as_of)
        out: pl.Expr = pl.lit(False)
        c = self.fr.as_of_const
        for ref in self._zone_refs():
            if ref.zone.id != zone.const or (c is not None and not ref.active(c)):
                continue
            inside = self.tables.contains(zone.const, place.e, as_of.e, c)
            out = out | (self._active(ref, as_of.e) & inside)
        return S("bool", _null_if(place.e.is_null(), out), ctx)

    def _place_kw(self, node: ast.Call, env: dict[str, V]) -> S:
        for k, x in node.kwargs:
            if k == "place":
                v = self.ev(x, env)
                if isinstance(v, S) and v.is_const and v.kind == "str":
                    v = self._same_kind(S("place", pl.lit(None, dtype=pl.Int32)), v)[1]
                if not isinstance(v, S) or v.kind != "place":
                    raise NotCompilable("param place= not a place", "param() 的 place= 不是地点")
                return v
        return self.anchor

    def fn_param(self, node: ast.Call, env: dict[str, V]) -> V:
        name = node.args[0].value  # type: ignore[union-attr]
        parameter = self.pack.parameters[name]
        place = self._place_kw(node, env)
        at = self.as_of
        for k, x in node.kwargs:
            if k == "at":
                at = self.ev(x, env)  # type: ignore[assignment]
                if not isinstance(at, S) or at.kind != "date":
                    raise NotCompilable("param at= not a date", "param() 的 at= 不是日期")
        ctx, (place, at) = self.common(place, at)
        index, _, places = self.tables.declaring(name)
        decl = lut(index, place.e)
        values: list[Any] = []
        chain: Any = pl
        const_at = self.fr.as_of_const if at is self.as_of or at.e.meta.eq(pl.col("as_of")) \
            else None
        offset: dict[str, int] = {}
        for declaring in places:
            offset[declaring] = len(values)
            values.extend(v.value for v in parameter.places[declaring])
        for k, declaring in enumerate(places):
            # the declaring place, or a broader one before the declaring place's values start
            fallback = params.fallback_chain(self.tables.registry, parameter, declaring)
            if const_at is not None:
                found = params.resolve(parameter, fallback, const_at)
                pick = pl.lit(None if found is None else
                              offset[found[0]] + parameter.places[found[0]].index(found[1]),
                              dtype=pl.Int64)
            else:
                pick = pl.lit(None, dtype=pl.Int64)
                for where, start in reversed(fallback):
                    own = _value_at_expr(parameter.places[where], at.e, offset[where])
                    pick = own if start is None else (
                        pl.when(at.e >= pl.lit(start)).then(own).otherwise(pick))
            chain = chain.when(decl == k).then(pick)
        idx = chain.otherwise(None) if places else pl.lit(None, dtype=pl.Int64)
        idx = _null_if(place.e.is_null() | at.e.is_null(), idx)
        if values and all(isinstance(v, dict) for v in values):
            names = list(dict.fromkeys(k for v in values for k in v))
            fields = {f: self._value_column([v.get(f) for v in values], idx, ctx)
                      for f in names}
            return Rec(fields, idx.is_not_null(), ctx)
        if any(isinstance(v, dict) for v in values):
            raise NotCompilable(f"parameter {name} mixes records and numbers",
                                f"参数 {name} 的值既有记录又有数")
        return self._value_column(values, idx, ctx)

    def _value_column(self, values: list[Any], idx: pl.Expr, ctx: str | None) -> S:
        present = [v for v in values if v is not None]
        if not present:
            return S("none", pl.lit(None), ctx)
        if all(isinstance(v, bool) for v in present):
            kind, series = "bool", pl.Series(values, dtype=pl.Boolean)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            kind, series = "int", pl.Series(values, dtype=pl.Int64)
        elif all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in present):
            kind = "dec"
            scale = max(-Decimal(v).as_tuple().exponent for v in present)  # type: ignore[operator]
            series = pl.Series([None if v is None else Decimal(v) for v in values],
                               dtype=pl.Decimal(38, max(scale, 0)))
        elif all(isinstance(v, str) for v in present):
            kind, series = "str", pl.Series(values, dtype=pl.String)
        else:
            raise NotCompilable("parameter values of mixed kinds", "参数的各个值类型不一")
        return S(kind, pl.lit(series).gather(idx), ctx)

    def fn_declared(self, node: ast.Call, env: dict[str, V]) -> S:
        name = node.args[0].value  # type: ignore[union-attr]
        place = self._place_kw(node, env)
        _, declared, _ = self.tables.declaring(name)
        status = lut(declared, place.e)
        out = pl.when(status == 2).then(None).otherwise(status == 1)
        return S("bool", _null_if(place.e.is_null(), out), place.ctx)

    def fn_pick(self, record: V, key: V) -> S:
        if not isinstance(record, Rec) or not isinstance(key, S):
            raise NotCompilable("pick() of a non-record", "对非记录取 pick()")
        if key.is_const:
            if key.const not in record.fields:
                raise NotCompilable(f"pick(): no field {key.const!r}",
                                    f"pick():没有字段 {key.const!r}")
            return record.fields[key.const]
        names = [f for f in record.fields if key.domain is None or f in key.domain]
        if not names:
            raise NotCompilable("pick(): no field the key can name", "pick():键指不到任何字段")
        kinds = {record.fields[f].kind for f in names}
        if len(kinds) != 1:
            raise NotCompilable("pick(): fields of different kinds", "pick():各字段类型不同")
        kind = kinds.pop()
        fields = [record.fields[f] for f in names]
        ctx, vals = self.common(key, *fields)
        key, fields = vals[0], vals[1:]
        chain: Any = pl
        for f, v in zip(names, fields, strict=True):
            chain = chain.when(key.e == f).then(v.e)
        return S(kind, chain.otherwise(None), ctx)

    def fn_service_items(self, place: V) -> ConstItemsV:
        if not isinstance(place, S) or place.kind != "place":
            raise NotCompilable("service_items() of a non-place", "对非地点取 service_items()")
        place = self.person_level(place)
        anchor, as_of = self.anchor.e, self.as_of.e
        services = sorted(self.pack.services, key=lambda x: repr(x.to_dict()))
        sure: list[pl.Expr] = []
        maybe: list[pl.Expr] = []
        for service in services:
            s_k: pl.Expr = pl.lit(False)
            m_k: pl.Expr = pl.lit(False)
            for ref in self._zone_refs():
                if ref.zone.id != service.zone:
                    continue
                c = self.fr.as_of_const
                shared = (self.tables.contains(ref.zone.id, anchor, as_of, c)
                          & self.tables.contains(ref.zone.id, place.e, as_of, c))
                live = self._active(ref, as_of) & (as_of >= pl.lit(service.start))
                s_k = s_k | (live & shared.fill_null(False))
                m_k = m_k | (live & shared.is_null())
            sure.append(pl.col(self.fr.person(s_k)))
            maybe.append(pl.col(self.fr.person(m_k & ~s_k)))
        known = place.e.is_not_null() & anchor.is_not_null()
        return ConstItemsV(tuple(services), tuple(sure), tuple(maybe), known)

    def fn_places(self, x: V) -> PlacesV:
        if not isinstance(x, ItemsV):
            raise NotCompilable("places() of a non-list", "对非列表取 places()")
        return PlacesV(x)

    def _maybe_any(self, items: ItemsV) -> pl.Expr:
        if not items.maybe_possible:
            return pl.lit(False)
        lst, fr = items.lst, self.fr
        key = ("maybe_any", lst, items.maybe.meta.output_name()) \
            if items.maybe.meta.is_column() else None

        def plan() -> pl.Expr:
            [col] = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, items.maybe, bool)) > 0],
                             [(lst, items.maybe)])
            return col

        return plan() if key is None else fr.shared(key, plan)

    def _extreme(self, args: tuple[V, ...], low: bool) -> S:
        if len(args) == 1 and isinstance(args[0], PlacesV):
            items = args[0].items
            column = "place" if "place" in self.fr.L[items.lst].columns else "issuer"
            sentinel = 10**7 if low else -1
            lst, fr = items.lst, self.fr
            picked = pl.col(fr.item(lst, pl.when(items.sure).then(pl.col(column))
                                    .otherwise(sentinel)))
            ufunc = np.minimum if low else np.maximum
            [col] = fr.later(
                lambda: [fr.seg_reduce(lst, fr.item_np(lst, picked), ufunc, sentinel)],
                [(lst, picked)])
            unknown = ~items.known | self._maybe_any(items) | (col == sentinel)
            return S("place", _null_if(unknown, col.cast(pl.Int32)))
        if len(args) == 1 and isinstance(args[0], TupleV):
            values = args[0].values
            if not values:
                return S("none", pl.lit(None))
            return _lit(min(values) if low else max(values))
        if not all(isinstance(a, S) for a in args):
            raise NotCompilable("min()/max() of non-scalars", "对非标量取 min()/max()")
        vals: list[S] = list(args)  # type: ignore[arg-type]
        kinds = {v.kind for v in vals}
        if kinds <= set(NUMERIC):
            kind = "dec" if "dec" in kinds else "int"
        elif len(kinds) == 1 and kinds <= {"date", "place", "str"}:
            kind = kinds.pop()
        else:
            raise NotCompilable("min()/max() of mixed kinds", "对类型不同的值取 min()/max()")
        ctx, vals = self.common(*vals)
        los = [_dec(v.lo, v.kind) if kind == "dec" else v.lo for v in vals]
        his = [_dec(v.upper, v.kind) if kind == "dec" else v.upper for v in vals]
        agg = pl.min_horizontal if low else pl.max_horizontal
        nulls = _any_null(*los)
        exact = all(v.hi is None for v in vals)
        return S(kind, _null_if(nulls, agg(los)), ctx,
                 hi=None if exact else _null_if(nulls, agg(his)))

    def fn_min(self, *args: V) -> S:
        return self._extreme(args, True)

    def fn_max(self, *args: V) -> S:
        return self._extreme(args, False)

    def fn_given(self, x: V) -> S:
        if isinstance(x, S):
            known = x.known() if x.kind != "none" else pl.lit(True)
            return S("bool", pl.when(known).then(True).otherwise(None), x.ctx)
        if isinstance(x, ItemsV):
            known = x.known & ~self._maybe_any(x)
            return S("bool", pl.when(known).then(True).otherwise(None))
        if isinstance(x, Rec):
            return S("bool", pl.when(x.known).then(True).otherwise(None), x.ctx)
        raise NotCompilable(f"given() of {type(x).__name__}", f"对{value_zh(x)}取 given()")

    def fn_date(self, x: V) -> S:
        if not (isinstance(x, S) and x.is_const):
            raise NotCompilable("date() of a non-literal", "对非字面值取 date()")
        return _lit(date.fromisoformat(x.const))

    def fn_month(self, x: V) -> S:
        if isinstance(x, S) and x.is_const and isinstance(x.const, str):
            return _lit(mo.parse_month(x.const))
        if isinstance(x, S) and x.kind == "date":
            e = x.e.dt.year().cast(pl.Int64) * 12 + x.e.dt.month().cast(pl.Int64) - 1
            return S("int", e, x.ctx)
        raise NotCompilable("month() of a non-date", "对非日期取 month()")


def _value_at_expr(values: tuple, at: pl.Expr, base: int) -> pl.Expr:
    """``parameters.value_at`` as an expression giving the index of the value used."""
    chain: Any = pl
    dated = [(k, v) for k, v in enumerate(values) if not v.undated]
    for k, v in dated:
        cond = pl.lit(True)
        if v.start is not None:
            cond = cond & (pl.lit(v.start) <= at)
        if v.end is not None:
            cond = cond & (at <= pl.lit(v.end))
        chain = chain.when(cond).then(pl.lit(base + k, dtype=pl.Int64))
    starts = [v.start for _, v in dated if v.start is not None]
    undated = [k for k, v in enumerate(values) if v.undated]
    if undated:
        cond = pl.lit(True)
        for s in starts:
            cond = cond & (pl.lit(s) <= at)
        chain = chain.when(cond).then(pl.lit(base + undated[0], dtype=pl.Int64))
    if chain is pl:
        return pl.lit(None, dtype=pl.Int64)
    return chain.otherwise(pl.lit(None, dtype=pl.Int64))
