"""Pack-level tables for the columnar compiler: zone memberships per epoch and parameter
declarations, built once per pack and shared by every chunk."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from tongcheng.batch.layout import (
    lut,
    place_tables,
)
from tongcheng.pack import parameters as params
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import RulePack, Zone
from tongcheng.places import PlaceRegistry

FAR_PAST = date(1, 1, 1)


class PackTables:
    """Zone membership and parameter look-ups as arrays indexed by place code."""

    def __init__(self, pack: RulePack, registry: PlaceRegistry) -> None:
        self.pack = pack
        self.registry = registry
        self.places = place_tables(registry)
        self._codes = [int(p.code) for p in registry.all()]

    @functools.cache  # noqa: B019 - one instance per engine, kept for its life
    def zone_epochs(self, zone_id: str) -> tuple[tuple[date, date | None, pl.Series], ...]:
        """(from, to, membership table) per stretch of dates with the same members.

        The table holds 1 (inside), 0 (outside) or 2 (too coarse: unknown) per code.
        """
        zone = self.pack.zones[zone_id]
        cuts = sorted({m.start for m in zone.members}
                      | {m.end + timedelta(days=1) for m in zone.members if m.end})
        starts = [FAR_PAST, *cuts]
        out = []
        for k, start in enumerate(starts):
            end = starts[k + 1] - timedelta(days=1) if k + 1 < len(starts) else None
            out.append((start, end, self._zone_table(zone, start)))
        return tuple(out)

    def _zone_table(self, zone: Zone, at: date) -> pl.Series:
        table = np.zeros(1_000_000, dtype=np.int8)
        if zone.members_at(at):
            for code in self._codes:
                inside = zone_logic.contains(self.registry, zone, str(code), at)
                table[code] = 2 if inside is None else int(inside)
        return pl.Series(table)

    @functools.cache  # noqa: B019
    def zone_truths(self, zone_id: str) -> tuple[tuple[date, date | None, pl.Series], ...]:
        """``zone_epochs`` with each table as the Kleene truth of ``zones.contains`` per code
        (Boolean; null where too coarse): one look-up per row, no comparisons after it."""
        return tuple((start, end, pl.select(pl.when(table == 2).then(None)
                                            .otherwise(table == 1)).to_series())
                     for start, end, table in self.zone_epochs(zone_id))

    def contains(self, zone_id: str, place: pl.Expr, as_of: pl.Expr,
                 const: date | None = None) -> pl.Expr:
        """Kleene truth of ``zones.contains`` (null where too coarse or the place unknown).
        ``const``: the one as_of of every row, when they share it."""
        if const is not None:
            for start, end, table in self.zone_truths(zone_id):
                if start <= const and (end is None or const <= end):
                    return lut(table, place)
        chain: Any = pl
        for start, end, table in self.zone_truths(zone_id):
            cond = as_of >= pl.lit(start)
            if end is not None:
                cond = cond & (as_of <= pl.lit(end))
            chain = chain.when(cond).then(lut(table, place))
        return chain.otherwise(pl.lit(False))

    @functools.cache  # noqa: B019
    def declaring(self, parameter_id: str) -> tuple[pl.Series, pl.Series, tuple[str, ...]]:
        """Per code: index of the declaring place (-1 none, -2 too coarse) and declared()."""
        parameter = self.pack.parameters[parameter_id]
        places = tuple(sorted(parameter.places))
        index = np.full(1_000_000, -1, dtype=np.int16)
        declared = np.zeros(1_000_000, dtype=np.int8)
        for code in self._codes:
            status, declaring = params.declaring_place(self.registry, parameter, str(code))
            if status is params.Lookup.FOUND:
                index[code] = places.index(declaring)
            elif status is params.Lookup.COARSE:
                index[code] = -2
            if status is params.Lookup.FOUND or declaring is not None:
                declared[code] = 1
            elif status is params.Lookup.COARSE:
                declared[code] = 2
        return pl.Series(index), pl.Series(declared), places
