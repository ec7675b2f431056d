"""Single-situation latency of the evaluators on the bundled pack.

Evaluates every example in examples/ (all rules each time) repeatedly and prints one JSON object
per line: name, situations, seconds, per_second, median_ms, p99_ms. The baseline line measures
only validating the situation (parse_situation), the floor every evaluation pays; the
``evaluate_*`` lines time the default (compiled) evaluator, validation included, then on
validated situations, traced and untraced (``trace=False``, as portals and screening do).

The ``interpreter_vs_compiled`` lines time the reference interpreter and the compiled evaluator
on the same validated situations, interleaved (each situation decided by the four in turn, so
that they share the machine's load), traced and untraced: median, p99, and the interpreter's
time over the compiled one (``speedup``), and the median CPU time of the thread (what waiting
for a core on a shared machine leaves out), against the targets of issue 13 (median <= 150 us
traced, <= 60 us untraced, p99 <= 3x the median).

    python benchmarks/single_situation.py [--rounds 300]
    python benchmarks/single_situation.py --calls   # function calls per situation only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
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


def summary(name: str, times: list[float]) -> dict:
    times = sorted(times)
    return {
        "name": name,
        "situations": len(times),
        "median_us": round(statistics.median(times) * 1e6, 1),
        "p99_us": round(times[int(len(times) * 0.99) - 1] * 1e6, 1),
        "mean_us": round(sum(times) / len(times) * 1e6, 1),
    }


def head_to_head(pack, models, rounds: int) -> list[dict]:
    """Interpreter and compiled, traced and untraced, interleaved situation by situation."""
    variants = [(ev, trace) for trace in (True, False) for ev in ("interpreter", "compiled")]
    times: dict[tuple[str, bool], list[float]] = {k: [] for k in variants}
    cpu: dict[tuple[str, bool], list[float]] = {k: [] for k in variants}
    for _ in range(rounds):
        for m in models:
            for ev, trace in variants:
                c0, t0 = time.thread_time(), time.perf_counter()
                tongcheng.evaluate(m, pack, trace=trace, evaluator=ev)
                times[(ev, trace)].append(time.perf_counter() - t0)
                cpu[(ev, trace)].append(time.thread_time() - c0)
    rows = []
    for trace, target in ((True, 150.0), (False, 60.0)):
        ref = summary(f"interpreter_{'traced' if trace else 'untraced'}",
                      times[("interpreter", trace)])
        fast = summary(f"compiled_{'traced' if trace else 'untraced'}", times[("compiled", trace)])
        # CPU time of the thread: what a shared machine's waiting for a core leaves out
        ref["cpu_median_us"] = round(statistics.median(cpu[("interpreter", trace)]) * 1e6, 1)
        fast["cpu_median_us"] = round(statistics.median(cpu[("compiled", trace)]) * 1e6, 1)
        fast["cpu_speedup_median"] = round(ref["cpu_median_us"] / fast["cpu_median_us"], 2)
        fast["baseline"] = ref["name"]
        fast["speedup_median"] = round(ref["median_us"] / fast["median_us"], 2)
        fast["speedup_mean"] = round(ref["mean_us"] / fast["mean_us"], 2)
        fast["target_median_us"] = target
        fast["median_met"] = fast["median_us"] <= target
        fast["p99_over_median"] = round(fast["p99_us"] / fast["median_us"], 2)
        fast["p99_met"] = fast["p99_us"] <= 3 * fast["median_us"]
        rows += [ref, fast]
    return rows


def calls(pack, models) -> list[dict]:
    """Function calls per situation (Python functions and builtins, counted by a profile hook),
    compiled and interpreter, traced and untraced: the same on any machine however busy, so
    two versions of the code can be compared where times swing with the load."""
    rows = []
    for evaluator in ("compiled", "interpreter"):
        for trace in (False, True):
            count = [0]

            def hook(frame, event, arg, count=count):
                if event == "call" or event == "c_call":
                    count[0] += 1

            sys.setprofile(hook)
            try:
                for m in models:
                    tongcheng.evaluate(m, pack, trace=trace, evaluator=evaluator)
            finally:
                sys.setprofile(None)
            rows.append({"name": f"calls_{evaluator}_{'traced' if trace else 'untraced'}",
                         "situations": len(models),
                         "calls_per_situation": round(count[0] / len(models))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--calls", action="store_true",
                        help="only count the function calls per situation (machine-independent)")
    args = parser.parse_args()
    pack = tongcheng.bundled_pack()
    files = sorted((ROOT / "examples").glob("*.yaml"))
    models = [load_situation(f) for f in files]
    raw = [m.to_dict() for m in models]
    for m in models:  # warm up caches (parser, registry, compiled rules)
        for trace in (True, False):
            tongcheng.evaluate(m, pack, trace=trace)
            tongcheng.evaluate(m, pack, trace=trace, evaluator="interpreter")
    if args.calls:
        for row in calls(pack, models):
            print(json.dumps(row))
        return
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
    duel = head_to_head(pack, models, max(1, args.rounds // 3))
    for row in (env, floor, full, only, bare, *duel):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
