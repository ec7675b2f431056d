"""Where a screening run spends its time, phase by phase: a timing hook for the benchmark.

Off unless the environment variable ``TONGCHENG_SCREEN_PHASES`` names a file when ``tongcheng
screen`` starts; then each phase's seconds (wall time inside the phase, in whichever thread it
ran: reading and writing overlap deciding) and a few counts are added up, and written to that
file as one JSON object when the run ends (``benchmarks/run.py --phases`` prints it). Off,
``clock`` hands back one shared inert context manager and ``count`` returns at once: the hook
costs a global read per call, a few calls per chunk.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

ENV = "TONGCHENG_SCREEN_PHASES"


class _Off:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


_OFF = _Off()


class _Clock:
    __slots__ = ("name", "started", "table")

    def __init__(self, table: Phases, name: str) -> None:
        self.table, self.name, self.started = table, name, 0.0

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> bool:
        self.table.add(self.name, time.perf_counter() - self.started)
        return False


class Phases:
    """Seconds and counts per phase, added up from any thread."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def count(self, name: str, n: int) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def as_json(self, **extra: Any) -> dict[str, Any]:
        return {"seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "counts": dict(self.counts), **extra}


_active: Phases | None = None


def clock(name: str) -> Any:
    """A context manager adding the time spent inside it to phase ``name`` (inert when off)."""
    return _OFF if _active is None else _Clock(_active, name)


def on() -> bool:
    return _active is not None


def count(name: str, n: int = 1) -> None:
    if _active is not None:
        _active.count(name, n)


def start() -> str | None:
    """Turn the hook on when ``TONGCHENG_SCREEN_PHASES`` names a file; that file, else None."""
    global _active
    path = os.environ.get(ENV)
    if path:
        _active = Phases()
    return path or None


def finish(path: str | None, **extra: Any) -> None:
    """Write the phases to ``path`` (from ``start``) and turn the hook off."""
    global _active
    if path is None or _active is None:
        return
    data = _active.as_json(cpu_seconds=round(time.process_time(), 3), **extra)
    _active = None
    Path(path).write_text(json.dumps(data), encoding="utf-8")
