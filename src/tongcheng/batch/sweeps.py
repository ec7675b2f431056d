"""Month sweeps over each person's intervals (rows by person, then start): months covered
counted once, runs of consecutive months."""

from __future__ import annotations

import attrs
import numpy as np

from tongcheng.batch.layout import (
    MONTH_SHIFT,
)


def _sweep(i: np.ndarray, end: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row (rows by person, then start): the greatest end so far among the person's masked
    rows, including (``incl``) and excluding (``excl``) the row; 0 when none."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = i.astype(np.int64) << (MONTH_SHIFT + 1)
    key = base + np.where(mask, end, 0)
    incl = np.maximum.accumulate(key) - base
    excl = np.zeros_like(incl)
    excl[1:] = np.where(i[1:] == i[:-1], incl[:-1], 0)
    return incl, excl


@attrs.frozen
class _Rows:
    """A list's month intervals (rows by person, then start), prepared once per chunk for
    ``count``: each row's person, whether its interval is valid (start <= end), start - 1, end."""

    i: np.ndarray
    valid: np.ndarray
    start1: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, i: np.ndarray, start: np.ndarray, end: np.ndarray) -> _Rows:
        return cls(i, start <= end, start - 1, end)

    def count(self, mask: np.ndarray, n: int) -> np.ndarray:
        """Per person ``0..n-1``: the months of the union of its ``mask``ed rows (valid ones:
        their ends are >= 0). Only those rows are swept: a row left out adds nothing and never
        raises the greatest end so far, so the sweep over the others alone is the same."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return np.zeros(n, dtype=np.int64)
        i = self.i[rows]
        base = i << (MONTH_SHIFT + 1)
        incl = self.end[rows]
        incl += base
        np.maximum.accumulate(incl, out=incl)
        incl -= base  # the greatest end so far among the person's rows, this one included
        out = np.empty_like(incl)
        out[0] = 0
        np.multiply(incl[:-1], i[1:] == i[:-1], out=out[1:])  # ... this one excluded
        np.maximum(out, self.start1[rows], out=out)
        np.subtract(self.end[rows], out, out=out)
        np.maximum(out, 0, out=out)
        return np.bincount(i, weights=out, minlength=n).astype(np.int64)


def _sweep_count(i, start, end, mask) -> np.ndarray:
    """Per row: the months it adds to its person's union (months covered twice count once)."""
    _, excl = _sweep(i, end, mask)
    return np.where(mask, np.maximum(0, end - np.maximum(start - 1, excl)), 0)


def _run_at(i, start, end, mask, x) -> np.ndarray:
    """Per row: the length of the unbroken run ending at month ``x`` (per row) if the row's merged
    interval holds ``x``, else 0."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.int64)
    incl, excl = _sweep(i, end, mask)
    new = mask & (start > excl + 1)
    last = np.maximum.accumulate(np.where(new, np.arange(len(i)), 0))
    lo = start[last]
    return np.where(mask & (lo <= x) & (incl >= x), x - lo + 1, 0)
