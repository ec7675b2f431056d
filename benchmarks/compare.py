"""Policy change impact, measured: ``tongcheng compare`` against one ``tongcheng screen`` of the
same input, in the same run, and ``tongcheng timeline`` against one evaluation. One JSON object
per line.

Lines:

- ``machine``: cores, memory, versions, load average;
- ``synth``: the synthetic population (``tongcheng synth``, residents of Shandong);
- ``screen`` (baseline): ``tongcheng screen INPUT -o OUT.parquet``, every rule, in a child
  process, with its peak resident memory;
- ``compare_overlay``: ``tongcheng compare INPUT -o REPORT --base-overlay qingdao-keep-25-20``
  (one rule decided twice, the JSON summary, the changed persons, no HTML: the page is the same
  size whatever the input), ``ratio`` to the screen of the same round;
- ``compare_dates``: the bundled pack at two dates (every rule decided twice), ``ratio`` too;
- ``timeline``: ``tongcheng.timeline.build`` over 132 months (2020-01 to 2030-12) for each
  example of ``examples/``, in process: median and worst, and ``ratio`` to one untraced
  evaluation of the same situation (the floor a month costs when decided whole).

Rounds alternate the commands so that they share the machine's load; each line is one run.

    python benchmarks/compare.py                    # 1 million persons, 2 rounds
    python benchmarks/compare.py --persons 200000 --rounds 1
    python benchmarks/compare.py --full             # 15.58 million
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEEP = ROOT / "examples" / "overlays" / "qingdao-keep-25-20"
FULL = 15_580_000


def emit(row: dict) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def machine() -> dict:
    import polars

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"name": "machine", "cores": os.cpu_count(), "memory_gib": round(mem, 1),
            "python": platform.python_version(), "polars": polars.__version__,
            "load_average": os.getloadavg()[0]}


def child(args: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak MiB, exit code, stderr) of one ``tongcheng`` command, its peak resident
    memory measured alone (through a child that runs it and reports its children's peak)."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode); "
            "sys.stderr.write(r.stderr)")
    done = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "tongcheng.cli",
                           *args], capture_output=True, text=True)
    seconds, peak, rc = done.stdout.split()
    return float(seconds), int(peak) / 1024, int(rc), done.stderr


def timeline_line() -> dict:
    from tongcheng.api import bundled_pack
    from tongcheng.evaluate.evaluator import evaluate
    from tongcheng.months import parse_month
    from tongcheng.situation import load_situation
    from tongcheng.timeline import build

    pack = bundled_pack()
    start, end = parse_month("2020-01"), parse_month("2030-12")
    times, ratios = [], []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        s = load_situation(path)
        if s.person and s.person.birth_date and s.person.birth_date.year >= 2020:
            continue
        build(pack, s, start, end)  # warm the pack's event lists
        best = min(_timed(lambda s=s: build(pack, s, start, end)) for _ in range(5))
        one = min(_timed(lambda s=s: evaluate(pack, s, trace=False)) for _ in range(20))
        times.append(best)
        ratios.append(best / one)
    return {"name": "timeline", "situations": len(times), "months": end - start + 1,
            "median_ms": round(statistics.median(times) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1), "baseline": "one untraced evaluation",
            "ratio_median": round(statistics.median(ratios), 1),
            "ratio_max": round(max(ratios), 1), "load_average": os.getloadavg()[0]}


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--full", action="store_true", help=f"{FULL:,} persons")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-timeline", action="store_true")
    args = parser.parse_args()
    n = FULL if args.full else args.persons
    emit(machine())
    if not args.no_timeline:
        emit(timeline_line())
    from tongcheng.batch import synth

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        src = Path(tmp) / "population.parquet"
        t0 = time.perf_counter()
        synth.write(src, n, seed=args.seed)
        emit({"name": "synth", "situations": n, "seconds": round(time.perf_counter() - t0, 1)})
        runs = {
            "screen": ["screen", str(src), "-o", str(Path(tmp) / "out.parquet"),
                       "--no-progress"],
            "compare_overlay": ["compare", str(src), "-o", str(Path(tmp) / "overlay"),
                                "--base-overlay", str(KEEP), "--no-html", "--no-progress"],
            "compare_dates": ["compare", str(src), "-o", str(Path(tmp) / "dates"),
                              "--base", "bundled@2025-06-01", "--new", "bundled@2026-06-01",
                              "--no-html", "--no-progress"],
        }
        for k in range(args.rounds):
            baseline = None
            for name, command in runs.items():
                load = os.getloadavg()[0]
                seconds, peak, rc, err = child(command)
                if rc not in (0, 1):
                    sys.stderr.write(err)
                    raise SystemExit(rc)
                row = {"name": name, "round": k + 1, "situations": n,
                       "seconds": round(seconds, 2), "per_second": round(n / seconds),
                       "peak_mib": round(peak), "load_average": load}
                if name == "screen":
                    baseline = seconds
                else:
                    row.update(baseline="screen", ratio=round(seconds / baseline, 3))
                emit(row)


if __name__ == "__main__":
    main()
