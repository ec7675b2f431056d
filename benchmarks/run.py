"""Population screening, measured: one command, one JSON object per line.

Lines (all measured in the same run, on the same synthetic population):

- ``machine``: cores, memory, versions;
- ``synth``: ``tongcheng synth`` writing the population (Parquet);
- ``read_floor``: only reading the input, chunk by chunk, into columns (the floor every
  screening pays);
- ``screen_vectorised``: ``tongcheng screen INPUT -o OUTPUT`` in a child process, Parquet to
  Parquet, every rule of the bundled pack; ``baseline`` read_floor and ``ratio``; ``peak_mib``
  the child's peak resident memory;
- ``screen_phases`` (with ``--phases``): the same screen's seconds per phase, timed inside the
  child (``tongcheng.batch.phases``): read (Parquet pages to Arrow, text checked, nested),
  validate (typed columns, checks, explodes), judge (flagged rows through the situation model),
  plan (rules compiled to planned columns, per chunk; ``plan.grounding`` the zone grounding
  and finite-case re-decisions within it), decide (the planned columns computed:
  ``decide.polars`` and ``decide.numpy_steps`` overlap), assemble, fallback (reference
  evaluator rows), summary, write (background thread); ``wait.read``/``wait.write`` the main
  thread waiting for the reader/writer threads; each with its share of the wall time and
  ``ratio_to_floor`` its seconds over read_floor's;
- ``reference_evaluator``: ``tongcheng.evaluate`` one situation at a time on a sample of the same
  rows (validation included): median and p99 latency, throughput; ``speedup`` of the vectorised
  evaluator over it;
- ``durable_rules_match`` (when ``tongcheng.cases`` is present): the durable_rules backend
  matching each sampled situation's decisions (its facts built from the reference evaluator's
  decisions and matched in a fresh session, both timed; the deciding itself is not), in a child
  process; ``baseline`` reference_evaluator and ``ratio`` its seconds per situation over the
  reference evaluator's (the reference evaluator's throughput over the durable_rules backend's).

    python benchmarks/run.py                 # 1 million persons (a few minutes)
    python benchmarks/run.py --full          # 15.58 million (the Qingdao metro area, 2022)
    python benchmarks/run.py --persons 200000 --sample 500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL = 15_580_000


def emit(row: dict) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def rate(name: str, n: int, seconds: float, **extra) -> dict:
    return {"name": name, "situations": n, "seconds": round(seconds, 3),
            "per_second": round(n / seconds, 1) if seconds else None, **extra}


def machine() -> dict:
    import numpy
    import polars
    import pyarrow

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"name": "machine", "cores": os.cpu_count(), "memory_gib": round(mem, 1),
            "processor": platform.machine(), "python": platform.python_version(),
            "polars": polars.__version__, "pyarrow": pyarrow.__version__,
            "numpy": numpy.__version__, "load_average": os.getloadavg()[0]}


def read_floor(path: Path, chunk_size: int) -> float:
    """Seconds to read the whole file chunk by chunk into polars columns, lists exploded."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tongcheng.batch.layout import LISTS, nest

    started = time.perf_counter()
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
        df = pl.from_arrow(nest(pa.Table.from_batches([batch])))
        for name in LISTS:
            head, _, rest = name.partition(".")
            if head not in df.columns:
                continue
            col = df[head] if not rest else df[head].struct.field(rest)
            col.explode()
    return time.perf_counter() - started


def screen(path: Path, out: Path, chunk_size: int,
           phases: Path | None = None) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit code) of ``tongcheng screen`` in a child process; with
    ``phases``, the child writes its phase profile there."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    env = dict(os.environ)
    if phases is not None:
        env["TONGCHENG_SCREEN_PHASES"] = str(phases)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tongcheng.cli", "screen", str(path), "-o", str(out),
         "--chunk-size", str(chunk_size), "--no-progress"], capture_output=True, text=True,
        env=env)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return seconds, max(peak, before) / 1024, done.returncode


def phases_line(path: Path, floor: float) -> dict:
    """The ``screen_phases`` line from the child's phase file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    wall = data["wall_seconds"]
    phases = {name: {"seconds": s, "share": round(s / wall, 3) if wall else None,
                     "ratio_to_floor": round(s / floor, 2) if floor else None}
              for name, s in sorted(data["seconds"].items())}
    return {"name": "screen_phases", "situations": data["rows"], "wall_seconds": wall,
            "cpu_seconds": data["cpu_seconds"], "baseline": "read_floor",
            "phases": phases, "counts": data["counts"]}


def reference(path: Path, sample: int) -> tuple[dict, list]:
    import pyarrow.parquet as pq

    import tongcheng
    from tongcheng.batch.layout import plain_rows
    from tongcheng.situation import parse_situation

    pack = tongcheng.bundled_pack()
    table = pq.ParquetFile(path).read_row_group(0)
    rows = plain_rows(table.slice(0, sample))
    tongcheng.evaluate(parse_situation(rows[0]), pack)  # warm caches
    times, evaluations = [], []
    for row in rows:
        t0 = time.perf_counter()
        evaluations.append(tongcheng.evaluate(parse_situation(row), pack))
        times.append(time.perf_counter() - t0)
    total = sum(times)
    times.sort()
    line = rate("reference_evaluator", len(rows), total,
                median_ms=round(statistics.median(times) * 1000, 3),
                p99_ms=round(times[max(0, int(len(times) * 0.99) - 1)] * 1000, 3),
                rules=len(pack.rules))
    return line, evaluations


def durable(evaluations: list, tmp: Path, reference_line: dict) -> dict | None:
    """The durable_rules line, measured in a child process (its native engine is kept apart
    from polars and Arrow in this one)."""
    try:
        import tongcheng.cases  # noqa: F401
    except ImportError:
        return None
    decisions = [[[d.rule, d.status.value, d.outcome] for d in e.decisions] for e in evaluations]
    path = tmp / "decisions.json"
    path.write_text(json.dumps(decisions, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, __file__, "--durable-child", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"name": "durable_rules_match",
                "error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"}
    line = json.loads(done.stdout)
    if line.get("per_second") and reference_line.get("per_second"):
        line["baseline"] = "reference_evaluator"
        line["ratio"] = round(reference_line["per_second"] / line["per_second"], 3)
    return line


def durable_child(path: Path) -> None:
    import tongcheng
    from tongcheng.cases import engine, load_triggers

    pack = tongcheng.bundled_pack()
    compiled = engine.compile_ruleset(pack, load_triggers(pack))
    decisions = json.loads(path.read_text(encoding="utf-8"))

    def facts(ds: list) -> list[dict]:
        return [engine.decision_fact(compiled, k, rule, status, status, False, outcome)
                for k, (rule, status, outcome) in enumerate(ds)]

    engine.run(compiled, facts(decisions[0]))  # registers the ruleset
    started = time.perf_counter()
    for ds in decisions:
        engine.run(compiled, facts(ds))
    print(json.dumps(rate("durable_rules_match", len(decisions), time.perf_counter() - started,
                          note="building each situation's decision facts and matching them in a "
                               "fresh session; the decisions come from the reference evaluator "
                               "(not timed)")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--full", action="store_true", help=f"{FULL:,} persons")
    parser.add_argument("--sample", type=int, default=2000,
                        help="situations for the reference evaluator and durable_rules")
    parser.add_argument("--chunk-size", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--phases", action="store_true",
                        help="also print the screen's time per phase (screen_phases)")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the reference evaluator and durable_rules lines")
    parser.add_argument("--durable-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.durable_child:
        durable_child(args.durable_child)
        return
    n = FULL if args.full else args.persons

    from tongcheng.batch import synth

    emit(machine())
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        src, out = Path(tmp) / "population.parquet", Path(tmp) / "decisions.parquet"
        t0 = time.perf_counter()
        synth.write(src, n, seed=args.seed)
        emit(rate("synth", n, time.perf_counter() - t0,
                  mib=round(src.stat().st_size / 2**20, 1)))
        floor = read_floor(src, args.chunk_size)
        emit(rate("read_floor", n, floor))
        profile = Path(tmp) / "phases.json" if args.phases else None
        seconds, peak, code = screen(src, out, args.chunk_size, profile)
        vector = rate("screen_vectorised", n, seconds, baseline="read_floor",
                      ratio=round(seconds / floor, 2), peak_mib=round(peak),
                      exit_code=code, output_mib=round(out.stat().st_size / 2**20, 1))
        emit(vector)
        if profile is not None:
            emit(phases_line(profile, floor))
        if args.no_reference:
            return
        line, evaluations = reference(src, min(args.sample, n))
        line["speedup_of_vectorised"] = round(vector["per_second"] / line["per_second"], 1)
        emit(line)
        match = durable(evaluations, Path(tmp), line)
        if match is not None:
            emit(match)


if __name__ == "__main__":
    main()
