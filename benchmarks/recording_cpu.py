"""CPU per answer of ``POST /v1/evaluate`` with decision recording off and on, in process.

The whole ASGI app (guard, evaluation, answer, and with recording on the record, the writer
thread's group commit and the sealer) driven by 32 concurrent requests in one event loop, no
socket: the process's CPU time (every thread) per answer, and the event loop thread's own.
Steadier than the HTTP load test on a shared machine, since no other process's scheduling
enters the figure; the HTTP load test (``load_http.py --records``) stays the target's measure.

    python benchmarks/recording_cpu.py [--records off,sqlite,postgresql] [--answers 3000]
        [--rounds 2]

Each mode runs in a fresh subprocess, modes alternating round after round; one JSON line each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", default="off,sqlite,postgresql")
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child: one mode
    args = parser.parse_args()
    if args.one:
        asyncio.run(_measure(args.one, args.answers))
        return
    for _ in range(args.rounds):
        for mode in args.records.split(","):
            out = subprocess.run([sys.executable, __file__, "--one", mode, "--answers",
                                  str(args.answers)], capture_output=True, text=True, check=True)
            print(out.stdout.strip().splitlines()[-1], flush=True)


async def _measure(mode: str, answers: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "tests" / "records"))
    from load_http import make_bodies

    import tongcheng
    from tongcheng.places import default_registry
    from tongcheng.service.app import create_app

    server = None
    if mode == "sqlite":
        os.environ["TONGCHENG_RECORDS"] = str(Path(tempfile.mkdtemp()) / "records.db")
    elif mode == "postgresql":
        from pgcluster import cluster

        server = cluster()
        os.environ["TONGCHENG_RECORDS"] = server.__enter__().new_database()
    bodies = make_bodies("varied")
    app = create_app(tongcheng.bundled_pack(), registry=default_registry())

    async def one(body: bytes) -> None:
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200, message

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": "/v1/evaluate",
                 "raw_path": b"/v1/evaluate", "query_string": b"", "root_path": "",
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
                 "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                             (b"content-length", str(len(body)).encode())]}
        await app(scope, receive, send)

    async def load(count: int) -> None:
        sent = 0

        async def client() -> None:
            nonlocal sent
            while sent < count:
                sent += 1
                await one(bodies[sent % len(bodies)])

        await asyncio.gather(*(client() for _ in range(32)))

    await load(300)  # warm-up
    wall, cpu, main_cpu = time.perf_counter(), time.process_time(), time.thread_time()
    await load(answers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    main_cpu = time.thread_time() - main_cpu  # the event loop's thread alone
    print(json.dumps({"name": f"recording_{mode}", "answers": answers,
                      "cpu_ms_per_answer": round(cpu / answers * 1000, 3),
                      "main_thread_cpu_ms_per_answer": round(main_cpu / answers * 1000, 3),
                      "wall_ms_per_answer": round(wall / answers * 1000, 3),
                      "load_average": os.getloadavg()[0]}))
    if app.state.recorder is not None:
        app.state.recorder.close()
    if server is not None:
        server.__exit__(None, None, None)


if __name__ == "__main__":
    main()
