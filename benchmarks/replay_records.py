"""``tongcheng replay`` over many records: time per phase (reading and parsing the records from
the store, deciding with the screening evaluator, comparing), records per second.

Builds a store of N records: D synthetic residents (``tongcheng synth``) decided once by the
reference evaluator, their records copied under new ids until there are N (the screening
evaluator decides every row whatever its content, so copies cost it what originals would).
Then replays them under their own archived pack (everything must reproduce) and under a
changed pack (free rides from 65 instead of 60), and prints one JSON line per run. The store
is built once and kept (``--store FILE``) so the replays can be timed again.

Each replay runs from the compact columns (schema 0003, the default) and from the bodies
(``--from-bodies``), alternating, so the two are compared under the same machine load. Replay
reads the next chunk while it decides one, so its ``decide`` phase shares the cores with the
reading; ``--sources serial,compact`` adds a run without that, whose ``decide`` phase is the
screening evaluator's time alone (``ratio_to_deciding`` of the other runs should be taken
against it).

    python benchmarks/replay_records.py [--records 1000000] [--distinct 10000] [--store FILE]
        [--sources compact,bodies] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "records"))


def build(url: str, n: int, distinct: int) -> float:
    from recordtools import record_of, synthetic

    import tongcheng
    from tongcheng.records.ids import new_id
    from tongcheng.records.store import RecordStore

    started = time.perf_counter()
    pack = tongcheng.bundled_pack()
    base = [record_of(s, pack=pack) for s in synthetic(distinct, seed=5)]
    bodies = [r.body for r in base]
    store = RecordStore.open(url)
    store.archive_pack(pack)

    batch, texts = [], []
    for k in range(n):
        record = base[k % len(base)]
        fresh = attrs.evolve(record, id=new_id())
        at = fresh.to_json()["at"]
        body = bodies[k % len(base)].replace(f'"id":"{record.id}"', f'"id":"{fresh.id}"', 1) \
            .replace(f'"at":"{record.to_json()["at"]}"', f'"at":"{at}"', 1)
        batch.append(fresh)
        texts.append(body)
        if len(batch) == 2000:
            store.write(batch, bodies=texts)
            batch, texts = [], []
        if k % 100_000 == 0:
            print(json.dumps({"building": k, "seconds": round(time.perf_counter() - started)}),
                  file=sys.stderr)
    store.write(batch, bodies=texts)
    store.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=10_000)
    parser.add_argument("--store", help="SQLite file to build (or reuse, when it exists)")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--sources", type=lambda t: t.split(","), default=["compact", "bodies"],
                        help="what replay compares with: compact (the compact columns), bodies "
                             "(--from-bodies), or both, alternating (default); serial (the "
                             "compact columns, no chunk read while another is decided: its "
                             "decide phase is the screening evaluator's time alone)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode and source")
    args = parser.parse_args()
    from tongcheng.records.replay import replay_store
    from tongcheng.records.store import RecordStore

    folder = None
    path = args.store
    if path is None:
        folder = tempfile.mkdtemp(prefix="tongcheng-replay-")
        path = os.path.join(folder, "records.db")
    print(json.dumps({"name": "machine", "cpus": os.cpu_count(),
                      "load_average": os.getloadavg()[0]}))
    try:
        if not os.path.exists(path):
            built = build(path, args.records, args.distinct)
            print(json.dumps({"name": "build", "records": args.records,
                              "distinct": args.distinct, "seconds": round(built, 1),
                              "bytes": os.path.getsize(path)}))
        store = RecordStore.open(path)  # (a store of an earlier schema is migrated here)
        runs = [(mode, source) for mode in ("own", "other") for source in args.sources]
        alone: dict[str, float] = {}
        for mode, source in runs * args.repeat:  # the sources alternate: same machine load
            pack = None
            if mode == "other":
                pack = _changed_pack(Path(folder or tempfile.mkdtemp()))
            started, cpu = time.perf_counter(), time.process_time()
            report = replay_store(store, pack=pack, chunk_size=args.chunk_size, limit=5,
                                  from_bodies=source == "bodies",
                                  **({"read_ahead": False} if source == "serial" else {}))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            data = report.to_json(3)
            decide = data["phases"].get("decide", 0.0)
            if source == "serial":
                alone[mode] = decide
            print(json.dumps({
                "name": f"replay_{mode}_pack", "source": source, "records": report.records,
                "decisions": report.decisions, "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "records_per_second": round(report.records / seconds),
                "phases": data["phases"],
                # the screening evaluator's own time on these situations (the decide phase):
                # replay at screening speed is a ratio near 1
                "ratio_to_deciding": round(seconds / decide, 2) if decide else None,
                # the same, against the decide phase of the serial run just before (the
                # screening evaluator alone: no reading beside it)
                "ratio_to_deciding_alone": round(seconds / alone[mode], 2)
                if alone.get(mode) else None,
                "reproduced": data["reproduced"], "changed": report.changed,
                "transitions": {f"{t['rule']}: {t['from']} -> {t['to']}": t["records"]
                                for t in data["transitions"]},
                "load_average": os.getloadavg()[0]}), flush=True)
        store.close()
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _changed_pack(folder: Path):
    import tongcheng

    target = folder / "pack65"
    if not target.exists():
        shutil.copytree(tongcheng.bundled_pack_path(), target)
        transit = target / "parameters" / "transit.yaml"
        transit.write_text(transit.read_text(encoding="utf-8").replace("value: 60", "value: 65"),
                           encoding="utf-8")
    return tongcheng.load_pack(target)


if __name__ == "__main__":
    main()
