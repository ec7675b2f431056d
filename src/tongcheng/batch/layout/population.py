"""Places as integers (the registry as arrays indexed by code, looked up in columns) and the
``Population``: a chunk of valid situations in columns."""

from __future__ import annotations

import functools
from datetime import date

import attrs
import numpy as np
import polars as pl

from tongcheng.batch.layout.fields import EPOCH
from tongcheng.places import PlaceRegistry, default_registry


@attrs.frozen
class PlaceTables:
    """Registry facts as arrays indexed by the six-digit code."""

    status: pl.Series  # Int8: 0 unknown code, 1 current, 2 retired
    retired: pl.Series  # Int32: day (since 1970) the code was retired
    successor: pl.Series  # Int32: the current code a retired code stands for
    city: pl.Series  # Int32: the prefecture-level city (the code itself when there is none)


@functools.cache
def place_tables(registry: PlaceRegistry | None = None) -> PlaceTables:
    registry = registry or default_registry()
    status = np.zeros(1_000_000, dtype=np.int8)
    retired = np.zeros(1_000_000, dtype=np.int32)
    successor = np.zeros(1_000_000, dtype=np.int32)
    city = np.arange(1_000_000, dtype=np.int32)
    for place in registry.all():
        code = int(place.code)
        if place.retired is None:
            status[code] = 1
            successor[code] = code
        else:
            status[code] = 2
            retired[code] = (place.retired - EPOCH).days
            successor[code] = int(registry.resolve(place.code, date(1, 1, 1)))
        c = registry.city_of(place.code)
        city[code] = int(c) if c else code
    return PlaceTables(
        pl.Series(status), pl.Series(retired), pl.Series(successor), pl.Series(city)
    )


def lut(series: pl.Series, index: pl.Expr) -> pl.Expr:
    """``series[index]`` for an index expression (null stays null)."""
    return pl.lit(series).gather(index)


@attrs.define
class Population:
    """A chunk of valid situations in columns.

    ``persons``: one row per situation, ``_i`` its index in the chunk, ``_row`` its row number
    in the input. Scalars: ``as_of`` (date), ``as_of_m`` (month index), ``target`` and other
    places (Int32 codes), money (Decimal(38, 2)); ``n:<list>`` the length of each list (null when
    the list is unknown). ``lists``: one frame per list, ``_i`` first, rows ordered by ``_i``
    then start month. ``fallback``: rows the reference evaluator
    decides whole (facts the columns do not model exactly, such as a project or money finer than
    a fen).
    """

    persons: pl.DataFrame
    lists: dict[str, pl.DataFrame]
    fallback: pl.Series  # Boolean per person

    @property
    def n(self) -> int:
        return self.persons.height

    def offsets(self, name: str) -> np.ndarray:
        lengths = self.persons[f"n:{name}"].fill_null(0).to_numpy().astype(np.int64)
        out = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=out[1:])
        return out
