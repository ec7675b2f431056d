"""Synthetic populations: realistic, seeded, fast (vectorised numpy), written as Parquet.

Each person gets an age and sex, a home county across all of Shandong (weighted toward the
Qingdao metropolitan area, with a few people from other provinces and some places given only
to the city — too coarse for the metro area), a household registration and residence permits,
a career of contribution periods across cities with gaps and overlaps (the last one often still
running, deemed years before 1996 for some), provident fund deposits, cards, and a share of
unknown facts. Persons are generated in blocks of ``BLOCK`` with seeds derived from the seed and
the block's number, so a seed gives the same population whatever the chunking of the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from tongcheng.arrowfiles import parquet_writer, write_table
from tongcheng.places import default_registry

BLOCK = 250_000
EPOCH = date(1970, 1, 1)
METRO_COUNTIES = ("370782", "370785", "371102", "370682", "370683", "370687")
OTHER_PROVINCES = ("110101", "310101", "320102", "410102", "130102", "220102", "510104")
SCHEMES = np.array(["employee_medical", "pension", "resident_medical", "unemployment",
                    "work_injury"])
SCHEME_P = np.array([0.55, 0.27, 0.1, 0.05, 0.03])
CARD_KINDS = np.array(["transit", "social_security", "culture_tourism", "library"])
CARD_P = np.array([0.45, 0.35, 0.1, 0.1])
EMPLOYMENTS = np.array(["employed", "flexible", "unemployed"])


def _places() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate places (codes), their weights, and each one's city."""
    reg = default_registry()
    counties = [p.code for p in reg.all()
                if p.current and p.level == "county" and p.code.startswith("37")]
    qingdao = [c for c in counties if c.startswith("3702")]
    rest = [c for c in counties if not c.startswith("3702") and c not in METRO_COUNTIES]
    cities = [p.code for p in reg.all() if p.current and p.level == "city"
              and p.code.startswith("37")]
    codes = qingdao + list(METRO_COUNTIES) + rest + cities + list(OTHER_PROVINCES)
    w = ([0.48 / len(qingdao)] * len(qingdao) + [0.16 / len(METRO_COUNTIES)] * len(METRO_COUNTIES)
         + [0.30 / len(rest)] * len(rest) + [0.04 / len(cities)] * len(cities)
         + [0.02 / len(OTHER_PROVINCES)] * len(OTHER_PROVINCES))
    weights = np.array(w) / sum(w)
    city = np.array([int(reg.city_of(c) or c) for c in codes])
    return np.array([int(c) for c in codes]), weights, city


def _month_text() -> pa.Array:
    months = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(1900 * 12, 2101 * 12)]
    return pa.array(months, type=pa.string())


def _segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position within owner) for each of sum(lengths) items."""
    owner = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(len(owner)) - starts[owner]
    return owner, pos


def _seg_cumsum(values: np.ndarray, owner: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarted at each owner's first item."""
    total = np.cumsum(values)
    starts = np.cumsum(lengths) - lengths
    before = np.concatenate([[0], total])[starts]
    return total - before[owner]


def _opt(values: pa.Array, known: np.ndarray) -> pa.Array:
    """``values`` with nulls where the fact is unknown."""
    return pa.compute.if_else(pa.array(known), values, pa.scalar(None, values.type))


def _list(lengths: np.ndarray, items: pa.StructArray, known: np.ndarray) -> pa.Array:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), items, mask=pa.array(~known))


class _Draws:
    """A block's random draws (in a fixed order: a seed gives the same persons) and the places
    they pick from."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.codes, self.weights, self.city_of = _places()
        self.month_text = _month_text()

    def place(self, k: int) -> np.ndarray:
        return self.rng.choice(len(self.codes), size=k, p=self.weights)

    def known(self, k: int, p: float) -> np.ndarray:
        return self.rng.random(k) >= p

    def code_text(self, idx: np.ndarray) -> pa.Array:
        return pa.array(self.codes[idx]).cast(pa.string())

    def months(self, month: np.ndarray) -> pa.Array:
        return self.month_text.take(pa.array(month - BASE_MONTH))


BASE_MONTH = 1900 * 12  # the first month of _month_text


def block(seed: int, number: int, size: int, as_of: date) -> pa.Table:
    """One block of ``size`` persons (ids from ``number * BLOCK``)."""
    draw = _Draws(np.random.default_rng([seed, number]))
    rng, n = draw.rng, size
    as_of_day = (as_of - EPOCH).days

    # person
    age_days = (rng.uniform(18, 88, n) * 365.25).astype(np.int64)
    birth = as_of_day - age_days
    age = age_days / 365.25
    male = rng.random(n) < 0.5
    home = draw.place(n)
    hukou = np.where(rng.random(n) < 0.7, home, draw.place(n))
    retire_age = np.where(male, 60, np.where(rng.random(n) < 0.5, 50, 55))
    retired = age >= retire_age
    work = rng.choice(3, size=n, p=[0.72, 0.14, 0.14])
    employment = np.where(retired, "retired", EMPLOYMENTS[work])
    retired_on = birth + (retire_age * 365.25).astype(np.int64)
    pension_place = np.where(rng.random(n) < 0.75, home, draw.place(n))

    as_of_m = as_of.year * 12 + as_of.month - 1
    insurance, first = _career(draw, n, birth, home, retired, as_of_m)
    fund = _fund(draw, n, first, home, retired, as_of_m)
    cards = _cards(draw, n, home)
    residence = _residence(draw, n, hukou, home, as_of_day)
    person = pa.StructArray.from_arrays([
        _opt(pa.array(birth.astype(np.int32), type=pa.date32()), draw.known(n, 0.04)),
        _opt(pa.array(np.where(male, "male", "female")), draw.known(n, 0.03)),
        _opt(draw.code_text(hukou), draw.known(n, 0.08)),
        _opt(draw.code_text(home), draw.known(n, 0.05)),
        residence,
        _opt(pa.array(employment), draw.known(n, 0.05)),
        _opt(draw.code_text(home), ~retired & draw.known(n, 0.3)),
        _opt(pa.array(retired_on.astype(np.int32), type=pa.date32()),
             retired & draw.known(n, 0.1)),
        _opt(draw.code_text(pension_place), retired & draw.known(n, 0.15)),
    ], names=["birth_date", "sex", "hukou", "lives_in", "residence", "employment", "work_place",
              "retired_on", "pension_place"])
    target = _opt(draw.code_text(np.where(rng.random(n) < 0.85, home, draw.place(n))),
                  draw.known(n, 0.02))
    ids = np.arange(number * BLOCK, number * BLOCK + n, dtype=np.int64)
    return pa.table({
        "id": pa.array(ids),
        "as_of": pa.array(np.full(n, as_of_day, dtype=np.int32), type=pa.date32()),
        "target": target,
        "person": person,
        "insurance": insurance,
        "provident_fund": fund,
        "cards": cards,
    })


def _career(draw: _Draws, n: int, birth: np.ndarray, home: np.ndarray, retired: np.ndarray,
            as_of_m: int) -> tuple[pa.Array, np.ndarray]:
    """Insurance periods one after another, with gaps and some overlaps, from the first month
    of work; the last one often still running. With the first month of work."""
    rng = draw.rng
    k_ins = rng.choice(6, size=n, p=[0.05, 0.15, 0.25, 0.27, 0.18, 0.10])
    owner, pos = _segments(k_ins)
    m = len(owner)
    start_age_m = (rng.uniform(18, 26, n) * 12).astype(np.int64)
    first = (birth // 365.25 + 1970).astype(np.int64) * 12 + start_age_m
    length = rng.integers(6, 120, m)
    gap = np.where(rng.random(m) < 0.15, -rng.integers(1, 12, m), rng.integers(0, 18, m))
    gap[pos == 0] = 0
    step = np.concatenate([[0], (length + gap)[:-1]])
    step[pos == 0] = 0
    offset = _seg_cumsum(step, owner, k_ins)
    start = first[owner] + offset
    end = start + length - 1
    last = pos == k_ins[owner] - 1
    still = last & ~retired[owner] & (rng.random(m) < 0.6)
    start = np.clip(start, BASE_MONTH, as_of_m + 24)
    end = np.clip(end, start, None)
    ins_city = draw.place(m)
    stay = (rng.random(m) < 0.6) & (pos > 0)
    ins_place = np.where(stay | (pos == 0) & (rng.random(m) < 0.5), home[owner], ins_city)
    scheme = rng.choice(len(SCHEMES), size=m, p=SCHEME_P)
    deemed = (start < 1996 * 12) & (rng.random(m) < 0.2)
    ins = pa.StructArray.from_arrays([
        pa.array(SCHEMES[scheme]),
        draw.code_text(ins_place),
        draw.months(start),
        _opt(draw.months(end), ~still),
        _opt(pa.array(deemed), deemed),
    ], names=["scheme", "place", "from", "to", "deemed"])
    return _list(k_ins, ins, draw.known(n, 0.03)), first


def _fund(draw: _Draws, n: int, first: np.ndarray, home: np.ndarray, retired: np.ndarray,
          as_of_m: int) -> pa.Array:
    """Provident fund deposit periods (from a year after work began, 1999 at the earliest),
    balances, loans and couple applications; some persons without a fund at all."""
    rng = draw.rng
    k_f = rng.choice(4, size=n, p=[0.35, 0.35, 0.2, 0.1])
    f_owner, f_pos = _segments(k_f)
    fm = len(f_owner)
    f_len = rng.integers(6, 96, fm)
    f_gap = np.where(rng.random(fm) < 0.1, -rng.integers(1, 6, fm), rng.integers(0, 12, fm))
    f_step = np.concatenate([[0], (f_len + f_gap)[:-1]])
    f_step[f_pos == 0] = 0
    f_start = np.clip(np.maximum(first[f_owner] + 12, 1999 * 12)
                      + _seg_cumsum(f_step, f_owner, k_f), BASE_MONTH, as_of_m + 24)
    f_end = np.clip(f_start + f_len - 1, f_start, None)
    f_last = f_pos == k_f[f_owner] - 1
    f_still = f_last & ~retired[f_owner] & (rng.random(fm) < 0.7)
    f_place = np.where(rng.random(fm) < 0.6, home[f_owner], draw.place(fm))
    periods = pa.StructArray.from_arrays([
        draw.code_text(f_place),
        draw.months(f_start),
        _opt(draw.months(f_end), ~f_still),
    ], names=["place", "from", "to"])
    balance = np.round(rng.lognormal(10, 1.2, n) * 100) / 100  # whole fen, exactly
    couple = rng.random(n) < 0.4
    return pa.StructArray.from_arrays([
        _list(k_f, periods, draw.known(n, 0.05)),
        _opt(pa.array(balance), draw.known(n, 0.1)),
        _opt(pa.array(rng.choice(2, size=n, p=[0.8, 0.2])), draw.known(n, 0.1)),
        _opt(pa.array(couple), draw.known(n, 0.3)),
        _opt(pa.array(np.round(rng.lognormal(9.5, 1.3, n) * 100) / 100),
             couple & draw.known(n, 0.2)),
    ], names=["periods", "balance", "outstanding_loans", "couple_application",
              "spouse_balance"], mask=pa.array(rng.random(n) < 0.08))


def _cards(draw: _Draws, n: int, home: np.ndarray) -> pa.Array:
    """Cards, most issued at home."""
    rng = draw.rng
    k_c = rng.choice(4, size=n, p=[0.2, 0.4, 0.3, 0.1])
    c_owner, _ = _segments(k_c)
    cm = len(c_owner)
    c_place = np.where(rng.random(cm) < 0.7, home[c_owner], draw.place(cm))
    return _list(k_c, pa.StructArray.from_arrays([
        pa.array(CARD_KINDS[rng.choice(4, size=cm, p=CARD_P)]),
        draw.code_text(c_place),
    ], names=["kind", "issuer"]), draw.known(n, 0.05))


def _residence(draw: _Draws, n: int, hukou: np.ndarray, home: np.ndarray,
               as_of_day: int) -> pa.Array:
    """Residence permits, for some of those living in another city than their hukou's."""
    rng = draw.rng
    moved = draw.city_of[hukou] != draw.city_of[home]
    k_r = np.where(moved & (rng.random(n) < 0.6), rng.choice(3, size=n, p=[0.2, 0.6, 0.2]), 0)
    r_owner, _ = _segments(k_r)
    rm = len(r_owner)
    r_place = np.where(rng.random(rm) < 0.7, home[r_owner], draw.place(rm))
    since = as_of_day - rng.integers(30, 365 * 15, rm)
    return _list(k_r, pa.StructArray.from_arrays([
        draw.code_text(r_place),
        _opt(pa.array(since.astype(np.int32), type=pa.date32()), draw.known(rm, 0.1)),
    ], names=["place", "since"]), draw.known(n, 0.3))


def blocks(n: int, seed: int, as_of: date, retiring: int | None = None) -> Iterator[pa.Table]:
    number = 0
    done = 0
    while done < n:
        size = min(BLOCK, n - done)
        if retiring is None:
            yield block(seed, number, size, as_of)
        else:
            yield retiring_block(seed, number, size, retiring)
        done += size
        number += 1


def write(path: str | Path, n: int, seed: int = 0, as_of: date = date(2025, 6, 1),
          progress=None, retiring: int | None = None) -> int:
    """Write ``n`` synthetic persons to a Parquet file; the number written. ``retiring``: a
    cohort of the Qingdao metropolitan area retiring in that year instead (``retiring_block``).
    """
    writer = None
    written = 0
    try:
        for table in blocks(n, seed, as_of, retiring):
            if writer is None:
                writer = parquet_writer(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=BLOCK)
            written += table.num_rows
            if progress is not None:
                progress(table.num_rows)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:  # n == 0: an empty file with the layout's columns
        empty = block(seed, 0, 0, as_of) if retiring is None else retiring_block(seed, 0, 0,
                                                                                retiring)
        write_table(empty, path)
    return written


# --- a cohort retiring in one year (the population of tongcheng compare's example) ----------

METRO_QINGDAO_SHARE = 0.75  # of the cohort's homes: the rest in the metro area's other counties


def retiring_block(seed: int, number: int, size: int, year: int) -> pa.Table:
    """``size`` persons of the Qingdao metropolitan area reaching retirement age in ``year``,
    described at the year's last day: asking in the city they live in; household registration
    often elsewhere in Shandong; a working life of employee medical insurance periods across
    cities ending the month before retirement, with deemed (视同) years before 1996 for most of
    those who started working earlier; a few facts unknown."""
    draw = _Draws(np.random.default_rng([seed, number, year]))
    rng, codes, n = draw.rng, draw.codes, size
    as_of_day = (date(year, 12, 31) - EPOCH).days

    qingdao = np.array([i for i, c in enumerate(codes) if str(c).startswith("3702")])
    metro = np.array([i for i, c in enumerate(codes) if str(c) in METRO_COUNTIES])
    home = np.where(rng.random(n) < METRO_QINGDAO_SHARE, rng.choice(qingdao, n),
                    rng.choice(metro, n))
    hukou = np.where(rng.random(n) < 0.55, home, draw.place(n))

    male = rng.random(n) < 0.5
    retire_age = np.where(male, 60, np.where(rng.random(n) < 0.5, 50, 55))
    retire_day = (date(year, 1, 1) - EPOCH).days + rng.integers(0, 365, n)
    birth = retire_day - np.round(retire_age * 365.25).astype(np.int64)
    insurance = _working_life(draw, n, retire_day, retire_age, home, hukou)
    person = pa.StructArray.from_arrays([
        _opt(pa.array(birth.astype(np.int32), type=pa.date32()), draw.known(n, 0.02)),
        _opt(pa.array(np.where(male, "male", "female")), draw.known(n, 0.02)),
        _opt(draw.code_text(hukou), draw.known(n, 0.03)),
        draw.code_text(home),
        pa.array(["retired"] * n),
        _opt(pa.array(retire_day.astype(np.int32), type=pa.date32()), draw.known(n, 0.03)),
        draw.code_text(home),
    ], names=["birth_date", "sex", "hukou", "lives_in", "employment", "retired_on",
              "pension_place"])
    ids = np.arange(number * BLOCK, number * BLOCK + n, dtype=np.int64)
    return pa.table({
        "id": pa.array(ids),
        "as_of": pa.array(np.full(n, as_of_day, dtype=np.int32), type=pa.date32()),
        "target": draw.code_text(home),
        "person": person,
        "insurance": insurance,
    })


def _working_life(draw: _Draws, n: int, retire_day: np.ndarray, retire_age: np.ndarray,
                  home: np.ndarray, hukou: np.ndarray) -> pa.Array:
    """A working life ending the month before retirement: deemed years before 1996 (at the
    hukou), then 1-4 periods with gaps across cities, the last in the home city."""
    rng = draw.rng
    retire_m = 1970 * 12 + retire_day.astype("datetime64[D]").astype("datetime64[M]").astype(
        np.int64)
    start_m = retire_m - retire_age * 12 + (rng.uniform(18, 26, n) * 12).astype(np.int64)
    k_paid = rng.choice([1, 2, 3, 4], size=n, p=[0.3, 0.35, 0.25, 0.1])
    has_deemed = (start_m < 1996 * 12) & (rng.random(n) < 0.7)
    paid_from = np.where(has_deemed, 1996 * 12, start_m)
    paid_from = np.maximum(paid_from, start_m)
    span = np.maximum(retire_m - paid_from, 12)
    owner, pos = _segments(k_paid)
    cut = rng.random(len(owner))
    share = cut / np.bincount(owner, weights=cut)[owner]
    gap = np.where(rng.random(len(owner)) < 0.5, rng.integers(0, 36, len(owner)), 0)
    gap[pos == 0] = 0
    length = np.maximum((share * span[owner]).astype(np.int64) - gap, 1)
    offset = _seg_cumsum(length + gap, owner, k_paid) - length
    start = paid_from[owner] + offset
    end = np.minimum(start + length - 1, retire_m[owner] - 1)
    start = np.minimum(start, end)
    last = pos == k_paid[owner] - 1
    roam = draw.place(len(owner))
    ins_place = np.where(last, home[owner],
                         np.where(rng.random(len(owner)) < 0.5, hukou[owner], roam))
    d_owner = np.flatnonzero(has_deemed)
    d_start, d_end = start_m[d_owner], np.full(len(d_owner), 1995 * 12 + 11)
    d_place = hukou[d_owner]
    all_owner = np.concatenate([d_owner, owner])
    order = np.lexsort((np.concatenate([d_start, start]), all_owner))
    lengths = np.bincount(all_owner, minlength=n)
    starts = np.concatenate([d_start, start])[order]
    ends = np.concatenate([d_end, end])[order]
    places = np.concatenate([d_place, ins_place])[order]
    deemed = np.concatenate([np.ones(len(d_owner), bool), np.zeros(len(owner), bool)])[order]
    scheme = np.where(rng.random(len(order)) < 0.92, "employee_medical", "pension")
    ins = pa.StructArray.from_arrays([
        pa.array(scheme),
        draw.code_text(places),
        draw.months(np.clip(starts, BASE_MONTH, None)),
        draw.months(np.clip(ends, BASE_MONTH, None)),
        _opt(pa.array(deemed), deemed),
    ], names=["scheme", "place", "from", "to", "deemed"])
    return _list(lengths, ins, draw.known(n, 0.02))
