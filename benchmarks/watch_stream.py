"""Many subjects streamed through ``tongcheng watch`` in one process: time, throughput, memory.

A seeded generator writes one chronological JSON Lines stream: N subjects (retirees and
workers, Jiaodong and other Shandong places) each open a case, live 2-3 life events (moves,
hospital admissions, transfers, retirements, loan applications, cards, permits, service
requests), sometimes a facts update, and close; about 1% never close (dropped by
``--idle-days``). Subjects overlap in time (the stream spans two years), so thousands of cases
are open at any moment. About one line in 5,000 is a malformed line (bad JSON, an unknown
subject, an unknown event type, invalid facts), each at a known line number.

``tongcheng watch`` runs on the file in one child process (``--progress``: counts and memory
on stderr), its output read from a pipe. Reported: time, subjects per second, the peak RSS
(``max_rss_mb``) and current RSS at 10%, 50% and 100% of the stream, notifications and
rejects. Checked: the rejected line numbers are exactly the injected ones, and a sample of
subjects replayed through the Case API directly gives exactly the records watch wrote.

``--evaluator both`` runs watch twice on the same stream, with the compiled evaluator (the
default) and with the reference interpreter (``TONGCHENG_EVALUATOR=interpreter``), and prints
the ratio of their event lines per second.

    python benchmarks/watch_stream.py [--subjects 100000] [--seed 6] [--sample 200]
                                      [--evaluator compiled|interpreter|both]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

PLACES = ["370200", "370215", "370285", "370600", "370682", "370700", "370785", "371000",
          "371100", "370100", "370300"]
SERVICES = ["hukou_migration", "passport_application", "cross_region_business_licence"]
START = date(2024, 1, 2)
SPAN_DAYS = 700  # openings spread over ~two years; the last cases close in 2026
IDLE_DAYS = 120
BAD_EVERY = 5000
_SUBJECT = re.compile(r'"subject": "([^"]*)"')


def _month(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def _facts(rng: random.Random, home: str, retired: bool, opened: date) -> dict:
    since = date(rng.randint(1988, 2018), rng.randint(1, 12), 1)
    birth = date(rng.randint(1955, 1962) if retired else rng.randint(1965, 1998),
                 rng.randint(1, 12), rng.randint(1, 28))
    person = {"birth_date": birth.isoformat(), "sex": rng.choice(["male", "female"]),
              "hukou": rng.choice([home, rng.choice(PLACES)]), "lives_in": home, "residence": []}
    facts = {"target": home, "person": person, "cards": [],
             "insurance": [{"scheme": "employee_medical", "place": home, "from": _month(since)}]}
    if retired:
        person.update(employment="retired", pension_place=home,
                      retired_on=date(opened.year - rng.randint(1, 6), 1, 1).isoformat())
    else:
        person.update(employment="employed", work_place=home)
        facts["insurance"].append({"scheme": "pension", "place": home, "from": _month(since)})
        facts["provident_fund"] = {
            "periods": [{"place": home, "from": _month(since)}],
            "balance": rng.randint(0, 200) * 500, "outstanding_loans": 0}
    return facts


def _event(rng: random.Random, retired: bool, done: set[str]) -> dict:
    kinds = ["move", "hospital_admission", "transfer_in", "card_issued", "service_request",
             "residence_permit_issued"]
    if not retired:
        kinds += ["transfer_in", "loan_application"] + ([] if "retirement" in done
                                                       else ["retirement"])
    kind = rng.choice(kinds)
    done.add(kind)
    place = rng.choice(PLACES)
    if kind == "move":
        return {"type": kind, "to": place}
    if kind == "hospital_admission":
        return {"type": kind, "hospital": place}
    if kind == "transfer_in":
        schemes = ["employee_medical"] + ([] if retired else ["provident_fund", "pension"])
        return {"type": kind, "scheme": rng.choice(schemes), "to": place}
    if kind == "card_issued":
        return {"type": kind, "kind": rng.choice(["transit", "social_security"]),
                "issuer": place}
    if kind == "service_request":
        return {"type": kind, "service": rng.choice(SERVICES), "place": place}
    if kind == "residence_permit_issued":
        return {"type": kind, "place": place}
    if kind == "loan_application":
        return {"type": kind, "place": place, "couple": rng.random() < 0.5}
    return {"type": kind, "pension_place": place}


def _subject_lines(rng: random.Random, subject: str, opened: date) -> list[tuple[date, dict]]:
    """One subject's lines, in date order: open, 2-3 events (a facts update sometimes), close."""
    retired = rng.random() < 0.5
    home = rng.choice(PLACES)
    lines = [(opened, {"subject": subject, "on": opened.isoformat(),
                       "open": _facts(rng, home, retired, opened)})]
    day, done = opened, set()
    for _ in range(rng.choice([2, 3])):
        day += timedelta(days=rng.randint(1, 30))
        lines.append((day, {"subject": subject, "on": day.isoformat(),
                            "event": _event(rng, retired, done)}))
        if rng.random() < 0.15:
            day += timedelta(days=rng.randint(0, 5))
            lines.append((day, {"subject": subject, "on": day.isoformat(), "facts": {
                "person": {"sex": rng.choice(["male", "female"])}}}))
    if rng.random() >= 0.01:  # about 1% never close: dropped as idle
        day += timedelta(days=rng.randint(0, 20))
        lines.append((day, {"subject": subject, "on": day.isoformat(), "close": True}))
    return lines


def _bad_line(rng: random.Random, n: int, last: dict) -> str:
    kind = n % 4
    if kind == 0:
        return '{"subject": "broken", "on": '
    if kind == 1:
        return json.dumps({"subject": f"ghost-{n}", "on": last["on"],
                           "event": {"type": "move", "to": "371000"}})
    if kind == 2:  # an unknown event type for a subject whose case is open
        return json.dumps({"subject": last["subject"], "on": last["on"],
                           "event": {"type": "teleport", "to": "371000"}}, ensure_ascii=False)
    return json.dumps({"subject": last["subject"], "on": last["on"],
                       "facts": {"person": {"sex": "robot"}}}, ensure_ascii=False)


def generate(path: Path, n: int, seed: int, sample: int) -> dict:
    """Write the stream; return its line count, the injected bad lines and the sample's lines."""
    rng = random.Random(seed)
    every = max(1, n // sample) if sample else 0
    sampled = {f"S{i:07d}" for i in range(0, n, every)} if every else set()
    kept: dict[str, list[tuple[int, dict]]] = {s: [] for s in sampled}
    heap: list[tuple[date, int, dict]] = []
    seq = number = 0
    bad: list[int] = []
    with open(path, "w", encoding="utf-8") as out:

        def emit(data: dict) -> None:
            nonlocal number
            number += 1
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
            if data["subject"] in kept:
                kept[data["subject"]].append((number, data))
            if rng.randrange(BAD_EVERY) == 0 and "close" not in data:
                number += 1
                out.write(_bad_line(rng, len(bad), data) + "\n")
                bad.append(number)

        for i in range(n):
            opened = START + timedelta(days=i * SPAN_DAYS // n)
            while heap and heap[0][0] < opened:
                emit(heapq.heappop(heap)[2])
            first, *rest = _subject_lines(rng, f"S{i:07d}", opened)
            emit(first[1])
            for day, data in rest:
                seq += 1
                heapq.heappush(heap, (day, seq, data))
        while heap:
            emit(heapq.heappop(heap)[2])
    return {"lines": number, "bad": bad, "kept": kept}


def replay(kept: dict[str, list[tuple[int, dict]]]) -> dict[str, list[dict]]:
    """The records each sampled subject's lines give through the Case API directly."""
    import tongcheng
    from tongcheng.cases import Case, CaseStore, load_triggers

    pack = tongcheng.bundled_pack()
    triggers = load_triggers(pack)
    out: dict[str, list[dict]] = {}
    for subject, lines in kept.items():
        store, case, records = CaseStore(), None, []
        for number, data in lines:
            on = date.fromisoformat(data["on"])
            if "open" in data:
                case = Case.open(subject, data["open"], on=on, pack=pack, triggers=triggers,
                                 store=store)
                update = case.opening
            elif "event" in data:
                update = case.record({**data["event"], "on": data["on"]})
            elif "facts" in data:
                update = case.update(data["facts"], on=on)
            else:
                case.close()
                continue
            head = {"line": number, "subject": subject, "case": update.case}
            records += [{"type": "notification", **head, **n.to_json()}
                        for n in update.notifications]
            records += [{"type": "alert", **head, **a.to_json()} for a in update.alerts]
        out[subject] = records
    return out


def _without_case_ids(records: list[dict]) -> str:
    text = json.dumps(records, ensure_ascii=False, sort_keys=True)
    return re.sub(r"case-\d+", "case-?", text)


def watch(args, gen: dict, stream: Path, rejects: Path, evaluator: str,
          generated: float) -> dict:
    """``tongcheng watch`` on the stream in a child process with the given evaluator."""
    lines = gen["lines"]
    every = max(1, lines // 100)
    cmd = [sys.executable, "-m", "tongcheng.cli", "watch", str(stream), "--rejects", str(rejects),
           "--idle-days", str(IDLE_DAYS), "--progress", str(every)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    env = {**os.environ, "TONGCHENG_EVALUATOR": evaluator}
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    progress: list[dict] = []
    summary: list[str] = []

    def read_stderr() -> None:
        for raw in child.stderr:
            text = raw.decode("utf-8", "replace").rstrip("\n")
            if text.startswith("{"):
                progress.append(json.loads(text))
            else:
                summary.append(text)

    reader = threading.Thread(target=read_stderr)
    reader.start()
    counts: dict[str, int] = {}
    got: dict[str, list[dict]] = {s: [] for s in gen["kept"]}
    for raw in child.stdout:
        text = raw.decode("utf-8")
        kind = text[10:text.index('"', 10)]  # {"type": "notification", ...
        counts[kind] = counts.get(kind, 0) + 1
        m = _SUBJECT.search(text, 0, 200)
        if m and m.group(1) in got and kind in ("notification", "alert"):
            got[m.group(1)].append(json.loads(text))
    code = child.wait()
    reader.join()
    wall = time.perf_counter() - started
    load_after = os.getloadavg()

    final = progress[-1]
    seconds = final["seconds"]

    def at(fraction: float) -> dict:
        return next(p for p in progress if p["progress"] >= fraction * lines)

    samples = {f"{int(f * 100)}%": at(f) for f in (0.1, 0.5, 1.0)}
    rejected = [json.loads(t)["line"] for t in rejects.read_text("utf-8").splitlines()]
    expected = replay(gen["kept"])
    mismatched = [s for s in expected
                  if _without_case_ids(expected[s]) != _without_case_ids(got[s])]
    ok = code == 1 and rejected == gen["bad"] and not mismatched and final["opened"] == (
        args.subjects)
    out = {
        "name": "watch_stream",
        "evaluator": evaluator,
        "situations": args.subjects,
        "lines": lines,
        "seconds": round(seconds, 1),
        "wall_seconds": round(wall, 1),
        "per_second": round(args.subjects / seconds, 1),
        "lines_per_second": round(lines / seconds, 1),
        "max_rss_mb": {k: p["max_rss_mb"] for k, p in samples.items()},
        "rss_mb": {k: p["rss_mb"] for k, p in samples.items()},
        "open_cases": {k: p["open"] for k, p in samples.items()},
        "notifications": counts.get("notification", 0),
        "alerts": counts.get("alert", 0),
        "dropped_idle": counts.get("dropped", 0),
        "closed": final["closed"],
        "rejected": len(rejected),
        "rejected_as_injected": rejected == gen["bad"],
        "checked_subjects": len(expected),
        "mismatched_subjects": mismatched[:10],
        "exit_code": code,
        "ok": ok,
        "generate_seconds": round(generated, 1),
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "python": sys.version.split()[0],
    }
    print(json.dumps(out, ensure_ascii=False))
    if summary:
        print(json.dumps({"name": "watch_stream_summary", "stderr": summary[-1]},
                         ensure_ascii=False))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--sample", type=int, default=200,
                        help="subjects replayed through the Case API to check the output")
    parser.add_argument("--stream", type=Path, help="keep the generated stream here")
    parser.add_argument("--evaluator", choices=("compiled", "interpreter", "both"),
                        default="compiled")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="watch_stream_"))
    stream = args.stream or workdir / "events.jsonl"
    rejects = workdir / "rejects.jsonl"
    t0 = time.perf_counter()
    gen = generate(stream, args.subjects, args.seed, args.sample)
    generated = time.perf_counter() - t0
    results = []
    for evaluator in (("compiled", "interpreter") if args.evaluator == "both"
                      else (args.evaluator,)):
        out = watch(args, gen, stream, rejects, evaluator, generated)
        results.append(out)
        rejects.unlink()
    if len(results) == 2:
        print(json.dumps({
            "name": "watch_compiled_vs_interpreter",
            "baseline": "interpreter",
            "lines_per_second": {r["evaluator"]: r["lines_per_second"] for r in results},
            "ratio": round(results[0]["lines_per_second"] / results[1]["lines_per_second"], 2),
            "target_lines_per_second": 2000,
            "met": results[0]["lines_per_second"] >= 2000,
        }))
    if not args.stream:
        stream.unlink()
    os.rmdir(workdir)
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
