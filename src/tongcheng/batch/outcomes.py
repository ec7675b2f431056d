"""Outcome values rendered as ``values.to_json`` gives them, over columns: lists and month
counts as JSON text per person."""

from __future__ import annotations

import numpy as np
import polars as pl

from tongcheng.batch.sweeps import _sweep_count
from tongcheng.batch.values import (
    ByPlaceV,
    ConstItemsV,
    ItemsV,
    NotCompilable,
    PlacesV,
    S,
    TupleV,
    V,
    _json_const,
    _null_if,
    value_zh,
)


class Outcomes:
    """``RuleCompiler``'s outcome rendering (a part of the class, apart for its size)."""

    def render(self, v: V) -> tuple[pl.Expr, pl.DataType]:
        """An outcome value as ``values.to_json`` gives it: null where partly known."""
        only = self.only.meta.output_name() if self.only is not None else None

        def plan() -> tuple[pl.Expr, pl.DataType, V]:
            expr, dtype = self._render(v)
            if not isinstance(v, S):
                expr = pl.col(self.fr.person(expr))
            return expr, dtype, v  # v kept alive: its id stays unique

        expr, dtype, _ = self.fr.shared(("render", id(v), only), plan)
        return expr, dtype

    def _render(self, v: V) -> tuple[pl.Expr, pl.DataType]:
        if isinstance(v, S):
            v = self.person_level(v)
            if v.kind == "none":
                return pl.lit(None, dtype=pl.String), pl.String
            e = pl.when(v.known()).then(v.e)
            if v.kind == "int":
                return e.cast(pl.Int64), pl.Int64
            if v.kind == "dec":
                return e.cast(pl.Float64), pl.Float64
            if v.kind == "bool":
                return e.cast(pl.Boolean), pl.Boolean
            if v.kind == "place":
                return e.cast(pl.String), pl.String
            if v.kind == "date":
                return e.dt.strftime("%Y-%m-%d"), pl.String
            return e.cast(pl.String), pl.String
        if isinstance(v, TupleV):
            return _json_const(v).e, pl.String
        if isinstance(v, ConstItemsV):
            import json

            texts = [json.dumps(x.to_dict(), ensure_ascii=False, separators=(",", ":"))
                     for x in v.values]
            if len(texts) <= 16:  # each subset's text once, picked by a bit mask per row
                table = pl.Series(["[" + ",".join(t for k, t in enumerate(texts) if m >> k & 1)
                                   + "]" for m in range(1 << len(texts))], dtype=pl.String)
                mask = pl.sum_horizontal([s_k.cast(pl.Int64) * (1 << k)
                                          for k, s_k in enumerate(v.sure)]) if texts \
                    else pl.lit(0, dtype=pl.Int64)
                if self.only is not None:  # texts only where the outcome can be read
                    mask = pl.when(self.only).then(mask)
                text = pl.lit(table).gather(mask)
            else:
                parts = [pl.when(s_k).then(pl.lit(t))
                         for s_k, t in zip(v.sure, texts, strict=True)]
                text = pl.lit("[") + pl.concat_list(parts).list.drop_nulls().list.join(",") \
                    + pl.lit("]")
            # the items surely available are listed even where others may be too
            return _null_if(~v.known, text), pl.String
        if isinstance(v, PlacesV):
            return self._places_json(v.items), pl.String
        if isinstance(v, ItemsV):
            return self._items_json(v), pl.String
        if isinstance(v, ByPlaceV):
            return self._by_place_json(v), pl.String
        raise NotCompilable(f"an outcome of {type(v).__name__}", f"结果为{value_zh(v)}")

    def _items_json(self, items: ItemsV) -> pl.Expr:
        lst = items.lst
        json, rep = _item_text(lst)
        only = self._only(lst)
        fr = self.fr

        def text() -> list[pl.Series]:
            # the persons' items in the reference's order (by the repr of each item), as JSON
            # texts only for the rows kept (few: the persons for whom the outcome can be read),
            # then one list per person by offsets
            rows = (fr.L[lst].filter(items.sure & only)
                    .select("_i", json.alias("j"), rep.alias("k"))
                    .sort(["_i", "k"]))
            return [_join_per_person(fr.P.height, rows["_i"], rows["j"], "[", "]")]

        [col] = fr.later(text, [(lst, items.sure), (lst, only)])
        return _null_if(~items.known, col)  # the items surely in, even where more may be

    def _only(self, lst: str) -> pl.Expr:
        return pl.lit(True) if self.only is None else self.fr.broadcast(lst, self.only)

    def _places_json(self, items: ItemsV) -> pl.Expr:
        lst = items.lst
        column = "place" if "place" in self.fr.L[lst].columns else "issuer"
        only = self._only(lst)
        fr = self.fr

        def text() -> list[pl.Series]:
            rows = (fr.L[lst].filter(items.sure & only)
                    .select("_i", pl.col(column).alias("p"))
                    .unique().sort(["_i", "p"])
                    .select("_i", pl.lit('"') + pl.col("p").cast(pl.String) + pl.lit('"')))
            return [_join_per_person(fr.P.height, rows["_i"], rows[:, 1], "[", "]")]

        [col] = fr.later(text, [(lst, items.sure), (lst, only)])
        return _null_if(~items.known | self._maybe_any(items), col)

    def _by_place_json(self, v: ByPlaceV) -> pl.Expr:
        items = v.items
        lst = items.lst
        if "from" not in self.fr.L[lst].columns:
            raise NotCompilable("months_by_place() of a list without periods",
                                "对没有期间的列表取 months_by_place()")
        m = self.fr.broadcast(lst, pl.col("as_of_m"))
        only = self._only(lst)
        fr = self.fr
        [col] = fr.later(lambda: [self._by_place_text(items, m, only)],
                         [(lst, items.sure), (lst, only), (lst, m)])
        return _null_if(~items.known | self._maybe_any(items) | self._undated(items), col)

    def _by_place_text(self, items: ItemsV, m: pl.Expr, only: pl.Expr) -> pl.Series:
        lst = items.lst
        frame = self.fr.L[lst].with_columns(
            pl.min_horizontal(pl.col("to").fill_null(m), m).alias("_end"))
        frame = frame.filter(items.sure & only & (pl.col("from") <= pl.col("_end")))
        frame = frame.select("_i", "place", "from", "_end").sort(["_i", "place", "from"])
        n = self.fr.P.height
        if not frame.height:
            return _join_per_person(n, pl.Series([], dtype=pl.Int64),
                                    pl.Series([], dtype=pl.String), "{", "}")
        first = (frame.select(
            ((pl.col("_i") != pl.col("_i").shift(1)) | (pl.col("place") != pl.col("place")
                                                        .shift(1)))
            .fill_null(True)).to_series().to_numpy())
        gid = np.cumsum(first).astype(np.int64)
        start = frame["from"].to_numpy().astype(np.int64)
        end = frame["_end"].to_numpy().astype(np.int64)
        contrib = _sweep_count(gid, start, end, np.ones(len(gid), dtype=bool))
        months = np.bincount(gid - 1, weights=contrib).astype(np.int64)  # per (person, place)
        heads = np.flatnonzero(first)
        counts = pl.DataFrame({"_i": frame["_i"].gather(heads), "place": frame["place"]
                               .gather(heads), "_n": months}).filter(pl.col("_n") > 0)
        texts = counts.select(pl.lit('"') + pl.col("place").cast(pl.String) + pl.lit('":')
                              + pl.col("_n").cast(pl.String)).to_series()
        return _join_per_person(n, counts["_i"], texts, "{", "}")


def _join_per_person(n: int, persons: pl.Series, texts: pl.Series, opening: str,
                     closing: str) -> pl.Series:
    """Per person ``0..n-1``: ``opening`` + its ``texts`` joined by commas + ``closing``; the rows
    are ordered by person (``persons``), a person without rows gets the empty list. Only the
    persons with rows are joined (most have none): the others pick one shared empty text."""
    import pyarrow as pa

    who = persons.to_numpy().astype(np.int64, copy=False)
    heads = np.flatnonzero(np.diff(who, prepend=-1)) if len(who) else np.zeros(0, np.int64)
    at = np.full(n, len(heads), dtype=np.int64)  # the empty text, after the joined ones
    at[who[heads]] = np.arange(len(heads))
    values = texts.cast(pl.String).to_arrow()
    if not pa.types.is_large_string(values.type):
        values = values.cast(pa.large_string())
    offsets = pa.array(np.append(heads, len(who)).astype(np.int64))
    lists = pl.from_arrow(pa.LargeListArray.from_arrays(offsets, values))
    assert isinstance(lists, pl.Series)
    joined = pl.select(pl.lit(opening) + lists.list.join(",") + pl.lit(closing)).to_series()
    empty = pl.Series(joined.name, [opening + closing], dtype=pl.String)
    return joined.append(empty).gather(at)


def _item_text(lst: str) -> tuple[pl.Expr, pl.Expr]:
    """An item as JSON (``values.to_json``) and as Python's repr of that dict (its sort key)."""
    def q(s: pl.Expr, quote: str) -> pl.Expr:
        return pl.lit(quote) + s + pl.lit(quote)

    def month(c: str) -> pl.Expr:
        m = pl.col(c)
        return ((m // 12).cast(pl.String).str.zfill(4) + pl.lit("-")
                + (m % 12 + 1).cast(pl.String).str.zfill(2))

    fields: list[tuple[str, pl.Expr, bool]] = []  # (key, text, quoted)
    if lst == "insurance":
        fields = [("scheme", pl.col("scheme"), True), ("place", pl.col("place").cast(pl.String),
                                                       True),
                  ("from", month("from"), True), ("to", month("to"), True),
                  ("deemed", pl.col("deemed"), False)]
    elif lst == "provident_fund.periods":
        fields = [("place", pl.col("place").cast(pl.String), True), ("from", month("from"), True),
                  ("to", month("to"), True)]
    elif lst == "cards":
        fields = [("kind", pl.col("kind"), True), ("issuer", pl.col("issuer").cast(pl.String),
                                                   True)]
    elif lst == "person.residence":
        fields = [("place", pl.col("place").cast(pl.String), True),
                  ("since", pl.col("since").dt.strftime("%Y-%m-%d"), True)]
    elif lst == "results":
        fields = [("kind", pl.col("kind"), True), ("place", pl.col("place").cast(pl.String), True),
                  ("issued", pl.col("issued").dt.strftime("%Y-%m-%d"), True),
                  ("level", pl.col("level"), True),
                  ("hospital_grade", pl.col("hospital_grade").cast(pl.String), False)]
    else:
        raise NotCompilable(f"items of {lst} as an outcome", f"以 {lst} 的各项作为结果")
    json_parts: list[pl.Expr] = []
    repr_parts: list[pl.Expr] = []
    for n, (key, text, quoted) in enumerate(fields):
        if quoted:
            j = q(text, '"')
            r = q(text, "'")
        elif text.meta.output_name() == "deemed":  # a boolean
            j = pl.when(text).then(pl.lit("true")).otherwise(pl.lit("false"))
            r = pl.when(text).then(pl.lit("True")).otherwise(pl.lit("False"))
        else:  # a number
            j = r = text
        sep_j, sep_r = ("", "") if n == 0 else (",", ", ")
        j = pl.lit(f'{sep_j}"{key}":') + j
        r = pl.lit(f"{sep_r}'{key}': ") + r
        # absent (null) fields are left out, as model_dump(exclude_none=True) does
        json_parts.append(j.fill_null(""))
        repr_parts.append(r.fill_null(""))

    def join(parts: list[pl.Expr], sep: str) -> pl.Expr:
        return pl.concat_str(parts)

    json = pl.lit("{") + join(json_parts, ",") + pl.lit("}")
    rep = pl.lit("{") + join(repr_parts, ", ") + pl.lit("}")
    return json, rep
