"""Single-situation latency of the reference evaluator on the bundled pack.

Evaluates every example in examples/ (all rules each time) repeatedly and prints one JSON object
per line: name, situations, seconds, per_second, median_ms, p99_ms. The baseline line measures
only validating the situation (parse_situation), the floor every evaluation pays; the last
line evaluates without traces (``trace=False``), as portals and screening do.

    python benchmarks/single_situation.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import tongcheng
from tongcheng.situation import load_situation, parse_situation

ROOT = Path(__file__).resolve().parents[1]


def measure(name: str, fn, inputs, rounds: int) -> dict:
    times = []
    for _ in range(rounds):
        for x in inputs:
            t0 = time.perf_counter()
            fn(x)
            times.append(time.perf_counter() - t0)
    times.sort()
    total = sum(times)
    return {
        "name": name,
        "situations": len(times),
        "seconds": round(total, 4),
        "per_second": round(len(times) / total, 1),
        "median_ms": round(statistics.median(times) * 1000, 3),
        "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    pack = tongcheng.bundled_pack()
    files = sorted((ROOT / "examples").glob("*.yaml"))
    models = [load_situation(f) for f in files]
    raw = [m.to_dict() for m in models]
    for m in models:  # warm up caches (parser, registry)
        tongcheng.evaluate(m, pack)
    floor = measure("validate_situation", parse_situation, raw, args.rounds)
    full = measure("evaluate_all_rules", lambda s: tongcheng.evaluate(parse_situation(s), pack),
                   raw, args.rounds)
    full["baseline"] = "validate_situation"
    full["ratio"] = round(full["seconds"] / floor["seconds"], 2)
    only = measure("evaluate_validated", lambda m: tongcheng.evaluate(m, pack), models, args.rounds)
    only["rules"] = len(pack.rules)
    bare = measure("evaluate_validated_untraced",
                   lambda m: tongcheng.evaluate(m, pack, trace=False), models, args.rounds)
    bare["baseline"] = "evaluate_validated"
    bare["ratio"] = round(bare["seconds"] / only["seconds"], 2)
    env = {"name": "machine", "python": platform.python_version(),
           "processor": platform.machine(), "examples": len(files),
           "load_average": [round(x, 2) for x in os.getloadavg()]}
    for row in (env, floor, full, only, bare):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
