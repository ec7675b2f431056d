"""Record ids that sort by time: ULIDs (48 bits of milliseconds since 1970, then 80 random bits,
26 characters of Crockford's base 32), so ``ORDER BY id`` is the order records were made in and
an id alone says when (:func:`id_time`). Within one millisecond a process increments the random
part, so its own ids stay strictly increasing; ids of two processes in one millisecond sort by
their random parts, which is as good an order as any for simultaneous records.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from datetime import UTC, datetime

__all__ = ["ID_PATTERN", "id_ms", "id_time", "is_record_id", "new_id"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, random part) of the last id made here


_VALUES = {ch: k for k, ch in enumerate(_ALPHABET)}
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # ten bits at a time
_SHIFTS = range(120, -1, -10)


def _encode(value: int) -> str:
    """26 characters: the 128 bits in 13 groups of ten (two leading zero bits)."""
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in _SHIFTS])


def new_id(now: float | None = None) -> str:
    """A new id for a record made at ``now`` (seconds since 1970; default: the clock, and then
    strictly after every id this process made before)."""
    global _last
    if now is not None:
        return _encode((int(now * 1000) << 80) | int.from_bytes(os.urandom(10), "big"))
    ms = int(time.time() * 1000)
    with _lock:
        last_ms, last_rand = _last
        if ms <= last_ms:  # same millisecond (or the clock stepped back): keep increasing
            ms, rand = last_ms, last_rand + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # room to increment
        _last = (ms, rand)
    return _encode((ms << 80) | rand)


def is_record_id(text: str) -> bool:
    return bool(ID_PATTERN.match(text))


def id_time(record_id: str) -> datetime:
    """When the record with this id was made (to the millisecond, UTC)."""
    return _time(record_id[:10])


def id_ms(record_id: str) -> int:
    """When the record with this id was made, in milliseconds since 1970."""
    value = 0
    try:
        for ch in record_id[:10]:
            value = value * 32 + _VALUES[ch]
    except KeyError:
        raise ValueError(f"not a record id: {record_id!r}") from None
    return value


@functools.lru_cache(maxsize=1024)
def _time(prefix: str) -> datetime:
    return datetime.fromtimestamp(id_ms(prefix) / 1000, tz=UTC)
