"""Counting what changes between the two sides, chunk by chunk, in bounded memory.

Per rule decided on both sides: transitions (status and firmness, from → to) with counts and a
few example ids, the same by target city, household-registration city and age band, and each
numeric outcome's distribution on both sides (exact counts of each value, money bucketed to
three significant digits), the changes of value, and the distributions per transition (the
shortfall of those who fall short). Rules decided once count their statuses. Everything merges
across chunks by addition, so a 15-million-row input costs one chunk's memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from tongcheng.batch.engine import firmness_column, outcome_column, status_column
from tongcheng.pack.model import Rule
from tongcheng.places import PlaceRegistry

ABSENT = "absent"  # the status of a rule on the side that does not have it
EXAMPLES = 5
AGE_BANDS = ((0, 30, "<30"), (30, 40, "30–39"), (40, 50, "40–49"), (50, 55, "50–54"),
             (55, 60, "55–59"), (60, 65, "60–64"), (65, 70, "65–69"), (70, 200, "70+"))
UNKNOWN = "unknown"
GROUPS = ("target_city", "hukou_city", "age_band")
NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
           pl.Float32, pl.Float64)



def person_groups(pop_persons: pl.DataFrame, registry: PlaceRegistry) -> pl.DataFrame:
    """``_i``, ``_row`` (and ``id``) with each person's target city, hukou city and age band
    (at as_of), as text."""
    p = pop_persons

    def number(d: pl.Expr) -> pl.Expr:
        return (d.dt.year().cast(pl.Int32) * 10000 + d.dt.month().cast(pl.Int32) * 100
                + d.dt.day().cast(pl.Int32))

    ages = p.select(((number(pl.col("as_of")) - number(pl.col("birth_date"))) // 10000)
                    .alias("age"))["age"].to_numpy()
    bounds = np.array([lo for lo, _, _ in AGE_BANDS[1:]], dtype=float)
    names = np.array([name for _, _, name in AGE_BANDS] + [UNKNOWN], dtype=object)
    index = np.where(np.isnan(ages.astype(float)), len(AGE_BANDS),
                     np.searchsorted(bounds, np.nan_to_num(ages.astype(float)), side="right"))
    return p.select("_i", "_row", *(["id"] if "id" in p.columns else [])).with_columns(
        _city(p["target"], registry).alias("target_city"),
        _city(p["hukou"], registry).alias("hukou_city"),
        pl.Series("age_band", names[index], dtype=pl.String),
    )


def _city(codes: pl.Series, registry: PlaceRegistry) -> pl.Series:
    distinct = [c for c in codes.unique().to_list() if c is not None]
    mapping = {c: registry.city_of(f"{c:06d}") or f"{c:06d}" for c in distinct}
    return codes.replace_strict(mapping, default=UNKNOWN, return_dtype=pl.String)


class RuleTally:
    """What one rule's two sides give, added up chunk by chunk."""

    def __init__(self, rule_id: str, decided: str, numeric: Sequence[str],
                 firmness: tuple[str | None, str | None]) -> None:
        self.rule = rule_id
        self.decided = decided  # twice | once | base only | new only
        self.numeric = tuple(numeric)
        self.default_firmness = firmness  # (base, new) when the evaluator gives no column
        self.persons = 0
        self.transitions: Counter[tuple] = Counter()  # (from, to, f_from, f_to) -> persons
        self.outcome_only = 0  # same status and firmness, an outcome value changed
        self.groups: dict[str, Counter[tuple]] = {g: Counter() for g in GROUPS}
        self.examples: dict[tuple, list[Any]] = {}
        self.values: dict[tuple[str, str], Counter] = {}  # (outcome, side) -> value counts
        self.sums: dict[tuple[str, str], float] = {}
        self.deltas: dict[str, Counter] = {}  # outcome -> counts of (new - base) where both
        self.by_transition: dict[tuple[str, str, str, str], Counter] = {}

    # -- adding a chunk ------------------------------------------------------------------

    def add(self, groups: pl.DataFrame, base: pl.DataFrame | None,
            new: pl.DataFrame | None) -> pl.Series | None:
        """Count one chunk (rows aligned on ``_i``); the mask of rows that changed."""
        rid = self.rule
        n = groups.height
        self.persons += n
        if self.decided == "once":  # one decision for both sides: its statuses suffice
            self._count_once(base if base is not None else new)
            return None
        cols = {
            "from": _status(base, rid, n), "to": _status(new, rid, n),
            "f_from": _firmness(base, rid, n, self.default_firmness[0]),
            "f_to": _firmness(new, rid, n, self.default_firmness[1]),
        }
        frame = groups.with_columns(**cols)
        changed_outcome = pl.lit(False)
        for name in self._outcomes(base, new):
            b = _outcome(base, rid, name, n)
            a = _outcome(new, rid, name, n)
            frame = frame.with_columns(b.alias(f"b:{name}"), a.alias(f"n:{name}"))
            changed_outcome = changed_outcome | ~pl.col(f"b:{name}").eq_missing(pl.col(f"n:{name}"))
        frame = frame.with_columns(changed_outcome.alias("_outcome_changed"))
        moved = ((pl.col("from") != pl.col("to"))
                 | ~pl.col("f_from").eq_missing(pl.col("f_to")))
        frame = frame.with_columns(moved.alias("_moved"))
        self._count(frame)
        mask = frame["_moved"] | frame["_outcome_changed"]
        self.outcome_only += int((frame["_outcome_changed"] & ~frame["_moved"]).sum())
        self._numbers(frame)
        self._examples(frame.filter(pl.col("_moved")))
        return mask

    def _count_once(self, frame: pl.DataFrame) -> None:
        status = frame[status_column(self.rule)]
        firm = firmness_column(self.rule)
        if firm in frame.columns:
            counts = pl.DataFrame({"s": status.cast(pl.String), "f": frame[firm].cast(
                pl.String)}).group_by(["s", "f"]).len().iter_rows()
        else:
            counts = ((s, self.default_firmness[0], c)
                      for s, c in status.value_counts().iter_rows())
        for s, f, c in counts:
            self.transitions[(s, s, f, f)] += c

    def _outcomes(self, base, new) -> list[str]:
        return [o for o in self.numeric
                if (base is None or outcome_column(self.rule, o) in base.columns)
                and (new is None or outcome_column(self.rule, o) in new.columns)]

    def _count(self, frame: pl.DataFrame) -> None:
        keys = ["from", "to", "f_from", "f_to"]
        for row in frame.group_by(keys).len().iter_rows():
            self.transitions[tuple(row[:4])] += row[4]
        for g in GROUPS:
            for row in frame.group_by([g, "from", "to"]).len().iter_rows():
                self.groups[g][tuple(row[:3])] += row[3]

    def _numbers(self, frame: pl.DataFrame) -> None:
        for name in self._outcomes_in(frame):
            for side, col in (("base", f"b:{name}"), ("new", f"n:{name}")):
                s = frame[col].drop_nulls()
                key = (name, side)
                self.values.setdefault(key, Counter()).update(_buckets(s))
                self.sums[key] = self.sums.get(key, 0.0) + float(s.sum() or 0)
            both = frame.filter(pl.col(f"b:{name}").is_not_null()
                                & pl.col(f"n:{name}").is_not_null()
                                & (pl.col(f"b:{name}") != pl.col(f"n:{name}")))
            delta = both[f"n:{name}"].cast(pl.Float64) - both[f"b:{name}"].cast(pl.Float64)
            self.deltas.setdefault(name, Counter()).update(_buckets(delta))
            moved = frame.filter(pl.col("_moved"))
            for row in moved.group_by(["from", "to"]).agg(
                    pl.col(f"b:{name}"), pl.col(f"n:{name}")).iter_rows():
                for side, values in (("base", row[2]), ("new", row[3])):
                    got = pl.Series(values).drop_nulls()
                    if got.len():
                        self.by_transition.setdefault(
                            (row[0], row[1], name, side), Counter()).update(_buckets(got))

    def _outcomes_in(self, frame: pl.DataFrame) -> list[str]:
        return [o for o in self.numeric if f"b:{o}" in frame.columns]

    def _examples(self, moved: pl.DataFrame) -> None:
        if not moved.height:
            return
        # ids where the input gives them (a JSON Lines input may give none: its rows then)
        has_ids = "id" in moved.columns and moved["id"].null_count() < moved.height
        who = "id" if has_ids else "_row"
        for row in moved.group_by(["from", "to", "f_from", "f_to"]).agg(
                pl.col(who).head(EXAMPLES)).iter_rows():
            got = self.examples.setdefault(tuple(row[:4]), [])
            got.extend(row[4][: EXAMPLES - len(got)])

    # -- the result ------------------------------------------------------------------------

    def to_json(self, titles: Mapping[str, Any], registry: PlaceRegistry,
                why: dict[str, str] | None) -> dict[str, Any]:
        total = self.persons or 1
        transitions = [
            {"from": k[0], "to": k[1], "firmness_from": k[2], "firmness_to": k[3],
             "persons": c, "share": c / total, "changed": k[0] != k[1] or k[2] != k[3],
             "examples": self.examples.get(k, [])}
            for k, c in sorted(self.transitions.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        changed = sum(t["persons"] for t in transitions if t["changed"])
        out: dict[str, Any] = {
            "rule": self.rule, "title": titles, "decided": self.decided, "why": why,
            "persons": self.persons, "changed": changed, "share_changed": changed / total,
            "outcome_only_changed": self.outcome_only,
            "statuses": {"base": _side_counts(self.transitions, 0),
                         "new": _side_counts(self.transitions, 1)},
            "transitions": transitions,
        }
        if self.decided != "once":
            for g in GROUPS:
                out[f"by_{g}"] = _groups(self.groups[g], g, registry)
            out["outcomes"] = self._outcomes_json()
        return out

    def _outcomes_json(self) -> dict[str, Any]:
        out = {}
        for name in self.numeric:
            if (name, "base") not in self.values:
                continue
            entry: dict[str, Any] = {}
            for side in ("base", "new"):
                counts = self.values[(name, side)]
                entry[side] = stats(counts, self.sums[(name, side)])
                entry[side]["distribution"] = sorted(
                    [[v, c] for v, c in counts.items()], key=lambda vc: vc[0])
            entry["changed"] = stats(self.deltas.get(name, Counter()), None)
            entry["changed"]["description"] = "new − base, persons with a value on both sides"
            entry["by_transition"] = [
                {"from": f, "to": t, "side": side,
                 **stats(c, None)}
                for (f, t, o, side), c in sorted(self.by_transition.items()) if o == name
            ]
            out[name] = entry
        return out


def _status(frame: pl.DataFrame | None, rid: str, n: int) -> pl.Series:
    if frame is None:
        return pl.Series([ABSENT] * n, dtype=pl.String)
    return frame[status_column(rid)].cast(pl.String)


def _firmness(frame: pl.DataFrame | None, rid: str, n: int, default: str | None) -> pl.Series:
    if frame is not None and firmness_column(rid) in frame.columns:
        return frame[firmness_column(rid)].cast(pl.String)
    return pl.Series([default] * n, dtype=pl.String)


def _outcome(frame: pl.DataFrame | None, rid: str, name: str, n: int) -> pl.Series:
    if frame is None or outcome_column(rid, name) not in frame.columns:
        return pl.Series([None] * n, dtype=pl.Float64)
    return frame[outcome_column(rid, name)]


def _buckets(values: pl.Series) -> Iterable[tuple[Any, int]]:
    """Value counts: integers exact, other numbers to three significant digits."""
    if not values.len():
        return {}
    if values.dtype.is_integer():
        vc = values.value_counts()
    else:
        s = values.cast(pl.Float64)
        mag = s.abs().log10().floor().fill_nan(0).fill_null(0).clip(-300, 300)
        scale = (10.0 ** (mag - 2))
        rounded = ((s / scale).round(0) * scale).fill_nan(0.0)
        vc = rounded.value_counts()
    return dict(vc.iter_rows())


def stats(counts: Counter, total: float | None) -> dict[str, Any]:
    """count, sum, mean, min, median, p10, p90, max of value counts."""
    n = sum(counts.values())
    if not n:
        return {"count": 0}
    items = sorted(counts.items())
    total = total if total is not None else sum(v * c for v, c in items)

    def quantile(q: float) -> Any:
        rank = q * (n - 1)
        seen = 0
        for v, c in items:
            seen += c
            if seen > rank:
                return v
        return items[-1][0]

    return {"count": n, "sum": _num(total), "mean": _num(total / n), "min": items[0][0],
            "p10": quantile(0.1), "median": quantile(0.5), "p90": quantile(0.9),
            "max": items[-1][0]}


def _num(x: float) -> float | int:
    if math.isfinite(x) and float(x).is_integer():
        return int(x)
    return round(x, 2)


def _side_counts(transitions: Counter, side: int) -> dict[str, int]:
    out: Counter[str] = Counter()
    for k, c in transitions.items():
        out[k[side]] += c
    return dict(sorted(out.items()))


def _groups(counts: Counter, kind: str, registry: PlaceRegistry) -> list[dict[str, Any]]:
    per: dict[str, dict[str, Any]] = {}
    for (g, f, t), c in counts.items():
        entry = per.setdefault(g, {"group": g, "persons": 0, "changed": 0, "transitions": {}})
        entry["persons"] += c
        if f != t:
            entry["changed"] += c
            key = f"{f}→{t}"
            entry["transitions"][key] = entry["transitions"].get(key, 0) + c
    out = []
    for entry in per.values():
        entry["share_changed"] = entry["changed"] / entry["persons"] if entry["persons"] else 0
        if kind != "age_band" and entry["group"] != UNKNOWN:
            entry["name"] = {"zh": registry.name(entry["group"], "zh"),
                             "en": registry.name(entry["group"], "en")}
        out.append(entry)
    return sorted(out, key=lambda e: (-e["changed"], -e["persons"], e["group"]))


def numeric_outcomes(rule: Rule | None, schema: Mapping[str, pl.DataType]) -> list[str]:
    """A rule's outcomes the vectorised evaluator gives as numbers."""
    if rule is None:
        return []
    prefix = f"{rule.id}.outcome."
    return [c[len(prefix):] for c, t in schema.items()
            if c.startswith(prefix) and t in NUMERIC]
