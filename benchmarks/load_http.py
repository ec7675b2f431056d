"""HTTP load on POST /v1/evaluate: throughput and latency of the service on this machine.

Starts ``uvicorn tongcheng.service.app:app_from_environment`` on a free loopback port (1 and 2
worker processes by default), drives it with 32 concurrent connections posting situations with
``trace: false``, and prints one JSON object per line: ``name``, ``situations``, ``seconds``,
``per_second``, ``p50_ms``, ``p99_ms``, ``errors`` (plus ``workers``, ``driver``,
``connections``, ``bodies``, and the CPU time per answer of server and load generator). Each
worker count runs two phases: ``http_evaluate_*`` (one situation per request) and
``http_evaluate_batch_*`` (``POST /v1/evaluate/batch``, ``--batch`` situations per request,
100 by default; ``situations`` and ``per_second`` count situations, the latencies are per
request).

The posted situations vary (``--bodies varied``, the default): every example in ``examples/``
in Chinese and English, each as of its own date and three other dates, 120 distinct bodies
posted in turn, so that no cache keyed on the request could make the figure. ``--bodies one``
posts only the Yantai -> Qingdao worker (``examples/recognition-yantai-qingdao.yaml``), as the
first measurements did.

The driver is ``wrk`` (Debian: ``apt-get install -y wrk``) with a small Lua script, one thread
(``-t1``: the server needs the cores more), or, when wrk is absent, an asyncio + httpx client.
Loopback only; each run stops by itself after ``--seconds`` or ``--max-requests``, whichever
comes first.

    python benchmarks/load_http.py [--workers 1,2] [--seconds 10] [--connections 32]
    python benchmarks/load_http.py --records off,sqlite,postgresql,off   # decision records:
        # then one ``…_vs_off`` row per recording mode: throughput kept, CPU, p99, target met
    python benchmarks/load_http.py --profile     # where one request's time goes, in process
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "recognition-yantai-qingdao.yaml"

LUA = r"""
local bodies = BODIES
local requests = {}
local limit = LIMIT
local count = 0
local i = 0

function init(args)
  for k, body in ipairs(bodies) do
    requests[k] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
  end
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function response(status, headers, body)
  count = count + 1
  if count >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""

SHIFTS = (0, -200, 45, 400)  # days from each example's own date


def body_bytes() -> bytes:
    """The Yantai -> Qingdao worker, in Chinese, without traces (``--bodies one``)."""
    from tongcheng.situation import load_situation

    situation = load_situation(EXAMPLE).to_dict()
    return json.dumps({"situation": situation, "lang": "zh", "trace": False}).encode()


def varied_bodies() -> list[bytes]:
    """Every example in both languages, as of its own date and three others: only the
    situations the service accepts (each is checked in process first)."""
    from datetime import timedelta

    import tongcheng
    from tongcheng.errors import TongchengError
    from tongcheng.places import default_registry
    from tongcheng.service.deps import load_json
    from tongcheng.service.evaluating import parse_request
    from tongcheng.situation import load_situation

    pack, registry = tongcheng.bundled_pack(), default_registry()
    bodies = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        situation = load_situation(path)
        for shift in SHIFTS:
            as_of = (situation.as_of + timedelta(days=shift)).isoformat()
            for lang in ("zh", "en"):
                body = json.dumps({"situation": situation.to_dict(), "as_of": as_of,
                                   "lang": lang, "trace": False}).encode()
                try:
                    parse_request(load_json(body), pack, registry)
                except TongchengError:
                    continue
                bodies.append(body)
    return bodies


def make_bodies(kind: str) -> list[bytes]:
    return [body_bytes()] if kind == "one" else varied_bodies()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, bodies: list[bytes], http: str = "auto",
                 loop: str = "auto", sockets: str = "uvicorn") -> subprocess.Popen:
    """``tongcheng serve`` (``sockets``: ``own``, a listening socket per worker, or
    ``shared``), or plain uvicorn (``sockets="uvicorn"``, with ``http`` and ``loop``)."""
    if sockets in ("own", "shared"):
        cmd = [sys.executable, "-m", "tongcheng.cli", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--no-access-log",
               "--log-level", "warning",
               "--reuse-port" if sockets == "own" else "--shared-socket"]
        cmd += [] if loop == "auto" else ["--loop", loop]  # auto: serve's own default
    else:
        if http == "guarded":
            from tongcheng.service.protocol import PROTOCOL as http
        cmd = [
            sys.executable, "-m", "uvicorn", "tongcheng.service.app:app_from_environment",
            "--factory", "--host", "127.0.0.1", "--port", str(port), "--workers",
            str(workers), "--http", http, "--loop", loop, "--no-access-log", "--log-level",
            "warning",
        ]
    env = {k: v for k, v in os.environ.items() if k != "TONGCHENG_PACK"}
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    import httpx

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                # every worker must be up: one request per worker warms its caches
                for body in bodies[: max(workers * 4, 40)]:
                    httpx.post(f"http://127.0.0.1:{port}/v1/evaluate", content=body,
                               timeout=10)
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("server did not start in 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server we started (its own process group: uvicorn and its workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live children (workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                pids.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_wrk(url: str, bodies: list[bytes], seconds: float, connections: int, limit: int
            ) -> dict:
    # ASCII JSON bodies: json.dumps writes them as strings Lua reads back unchanged
    table = "{" + ",".join(json.dumps(b.decode("ascii")) for b in bodies) + "}"
    script = LUA.replace("BODIES", table).replace("LIMIT", str(limit))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
             "--timeout", "120s",  # a batch of 100 takes seconds when 32 are in flight
             "-s", f.name, url],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    stats = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return {
        "situations": stats["requests"],
        "seconds": round(stats["duration_us"] / 1e6, 3),
        "p50_ms": round(stats["p50_us"] / 1000, 2),
        "p99_ms": round(stats["p99_us"] / 1000, 2),
        "errors": stats["errors"],
    }


async def _httpx_load(url: str, bodies: list[bytes], seconds: float, connections: int,
                      limit: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at and len(latencies) + errors < limit:
                body = bodies[(len(latencies) + errors) % len(bodies)]
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, content=body, headers=headers)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 2) \
            if latencies else 0.0

    return {"situations": len(latencies) + errors, "seconds": round(elapsed, 3),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "errors": errors}


def _own_cpu(driver: str) -> float:
    """CPU used by the load generator: wrk (a waited-for child) or this process (httpx)."""
    import resource

    who = resource.RUSAGE_CHILDREN if driver == "wrk" else resource.RUSAGE_SELF
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def profile(rounds: int, kind: str) -> None:
    """Where one evaluate request's time goes, in process: each step's mean over the bodies
    (``trace: false``, as the load posts them), the whole request through the ASGI app
    without a socket, the request without ``evaluate()`` (the service's own cost), then the
    hottest functions outside the evaluator and inside it (on stderr)."""
    import cProfile
    import io
    import pstats

    import tongcheng
    from tongcheng.evaluate.evaluator import evaluate
    from tongcheng.places import default_registry
    from tongcheng.service.answer import AnswerWriter
    from tongcheng.service.app import create_app
    from tongcheng.service.deps import dumps, load_json, narrow
    from tongcheng.service.deps import json_default as _json_default
    from tongcheng.service.evaluating import Defaults, parse_request, situation_digest

    pack, registry, bodies = tongcheng.bundled_pack(), default_registry(), make_bodies(kind)
    writer = AnswerWriter(dumps, _json_default, narrow)
    data = [load_json(b) for b in bodies]
    options = [parse_request(d, pack, registry).complete(Defaults()) for d in data]

    def run(o):
        return evaluate(pack, o.situation, as_of=o.as_of, rules=o.rules, registry=registry,
                        trace=o.trace)

    results = [run(o) for o in options]
    trios = list(zip(results, options, strict=True))
    steps = {
        "read_json": lambda: [load_json(b) for b in bodies],
        "validate_request_and_situation": lambda: [parse_request(d, pack, registry)
                                                   for d in data],
        "evaluate_all_rules_untraced": lambda: [run(o) for o in options],
        "write_answer": lambda: [writer.write(r, o.lang) for r, o in trios],
        "situation_digest": lambda: [situation_digest(o.situation) for o in options],
    }
    before = {
        "before.to_json_and_dumps": lambda: [dumps(r.to_json(o.lang)) for r, o in trios],
    }
    app = create_app(pack, registry=registry)
    scopes = [
        {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
         "scheme": "http", "path": "/v1/evaluate", "raw_path": b"/v1/evaluate",
         "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
         "server": ("127.0.0.1", 80),
         "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                     (b"content-length", str(len(b)).encode())]}
        for b in bodies
    ]

    async def through_app() -> None:
        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200, message

        for scope, body in zip(scopes, bodies, strict=True):
            messages = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive(messages=messages) -> dict:
                return messages.pop() if messages else {"type": "http.disconnect"}

            await app(dict(scope), receive, send)

    repeat = max(1, rounds // len(bodies))

    def timed(step, calls: int = repeat) -> float:
        """CPU ms per body: ``step`` posts every body once, or ``repeat`` times when it is
        called once (``calls=1``)."""
        step()
        best = float("inf")
        for _ in range(3):  # the best of three: the machine is shared
            t0 = time.process_time()
            for _ in range(calls):
                step()
            best = min(best, time.process_time() - t0)
        return best / (repeat * len(bodies)) * 1000

    rows = [(name, timed(step)) for name, step in steps.items()]
    total = sum(ms for _, ms in rows)
    for name, ms in rows:
        print(json.dumps({"name": f"profile.{name}", "ms": round(ms, 3),
                          "share": round(ms / total, 3)}))
    for name, step in before.items():
        print(json.dumps({"name": f"profile.{name}", "ms": round(timed(step), 3)}))
    async def repeated() -> None:
        for _ in range(repeat):
            await through_app()

    whole = timed(lambda: asyncio.run(repeated()), calls=1)
    print(json.dumps({"name": "profile.whole_request_through_asgi_app", "ms": round(whole, 3),
                      "framework_ms": round(whole - total, 3), "bodies": len(bodies)}))
    # The service's own cost, measured rather than subtracted (a difference of two noisy
    # figures on a shared machine): the same requests through the app, ``evaluate()`` handing
    # back each body's evaluation made beforehand (the bodies are posted in the same order).
    from tongcheng.service import evaluating

    made, turn = [run(o) for o in options], iter(())

    def canned(*_args: object, **_kwargs: object) -> object:
        return next(turn)

    def outside() -> None:
        nonlocal turn
        turn = iter(made * repeat)
        asyncio.run(repeated())

    real, evaluating.evaluate_pack = evaluating.evaluate_pack, canned
    try:
        ms = timed(outside, calls=1)
        print(json.dumps({"name": "profile.outside_evaluator", "ms": round(ms, 3),
                          "note": "request through the ASGI app, evaluate() excluded"}))
        prof = cProfile.Profile()
        prof.enable()
        outside()
        prof.disable()
    finally:
        evaluating.evaluate_pack = real
    buf = io.StringIO()
    print("-- outside the evaluator (the request through the app):", file=buf)
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        for o in options:
            run(o)
    prof.disable()
    print("-- the evaluator:", file=buf)
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    print(buf.getvalue(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="worker counts to try, e.g. 1,2")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="each run stops after this many answers at the latest")
    parser.add_argument("--driver", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--http", choices=["guarded", "auto", "h11", "httptools"],
                        default="guarded",
                        help="uvicorn's HTTP protocol (guarded: httptools with the head "
                             "timeout and size limit, as tongcheng serve runs it)")
    parser.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto",
                        help="the event loop (auto: tongcheng serve's default, asyncio; for plain "
                             "uvicorn, uvloop when installed)")
    parser.add_argument("--sockets", default="own",
                        help="how the server listens, one or several to compare: own "
                             "(tongcheng serve, a socket per worker: SO_REUSEPORT), shared "
                             "(tongcheng serve --shared-socket) or uvicorn (plain uvicorn, "
                             "with --http and --loop), e.g. own,shared")
    parser.add_argument("--bodies", choices=["varied", "one"], default="varied",
                        help="post every example in turn (varied) or only the Yantai -> "
                             "Qingdao worker (one)")
    parser.add_argument("--batch", type=int, default=100,
                        help="situations per request of the batch phase (0: no batch phase)")
    parser.add_argument("--records", default="off",
                        help="recording modes to compare: off, sqlite (a file), postgresql (a "
                             "throwaway server, tests/records/pgcluster.py), e.g. off,sqlite")
    parser.add_argument("--profile", action="store_true",
                        help="profile one request in process instead of loading the server")
    args = parser.parse_args()
    if args.http != "guarded" and args.sockets != "uvicorn":
        parser.error("--http chooses plain uvicorn's protocol: use it with --sockets uvicorn "
                     "(tongcheng serve always runs the guarded protocol)")
    if args.profile:
        profile(600, args.bodies)
        return
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if shutil.which("wrk") else "httpx"
    bodies = make_bodies(args.bodies)
    print(json.dumps({"name": "machine", "python": platform.python_version(),
                      "cpus": os.cpu_count(), "driver": driver, "bodies": len(bodies),
                      "body_bytes": round(sum(map(len, bodies)) / len(bodies)),
                      "load_average": os.getloadavg()[0]}))
    batches = batch_bodies(bodies, args.batch) if args.batch else []
    measured: list[tuple[str, dict]] = []
    for mode in args.records.split(","):
        with recording(mode) as store_url:
            for workers, sockets in itertools.product(
                    [int(w) for w in args.workers.split(",")], args.sockets.split(",")):
                for row in serve_and_load(args, driver, bodies, batches, workers, sockets):
                    measured.append((mode, row))
                    if mode != "off":
                        row = {**row, "name": f"{row['name']}_records_{mode}",
                               "records": _count_records(store_url)}
                    print(json.dumps(row), flush=True)
    for row in against_off(measured):
        print(json.dumps(row), flush=True)


def against_off(measured: list[tuple[str, dict]]) -> list[dict]:
    """Each recording mode against recording off in the same run (the mean of every ``off``
    row of the same phase and workers, e.g. ``--records off,sqlite,postgresql,off``): the
    throughput kept, the server CPU an answer costs, and issue 14's target (at most 20% of the
    throughput lost, p99 under 50 ms)."""
    out = []
    for mode, row in measured:
        offs = [r for m, r in measured if m == "off" and r["name"] == row["name"]]
        if mode == "off" or not offs:
            continue
        per_second = sum(r["per_second"] for r in offs) / len(offs)
        cpu = sum(r["server_cpu_ms"] for r in offs) / len(offs)
        kept = row["per_second"] / per_second
        out.append({"name": f"{row['name']}_records_{mode}_vs_off", "off_rows": len(offs),
                    "throughput_of_off": round(kept, 3),
                    "server_cpu_of_off": round(row["server_cpu_ms"] / cpu, 3),
                    "p99_ms": row["p99_ms"], "off_p99_ms": [r["p99_ms"] for r in offs],
                    "target_met": kept >= 0.8 and row["p99_ms"] < 50})
    return out


def serve_and_load(args: argparse.Namespace, driver: str, bodies: list[bytes],
                   batches: list[bytes], workers: int, sockets: str) -> list[dict]:
    """One server, its load phases (single evaluate, then batches); their rows."""
    port = free_port()
    server = start_server(port, workers, bodies, args.http, args.loop, sockets)
    rows = []
    try:
        phases = [("evaluate", f"http://127.0.0.1:{port}/v1/evaluate", bodies, 1)]
        if batches:
            phases.append(("evaluate_batch", f"http://127.0.0.1:{port}/v1/evaluate/batch",
                           batches, args.batch))
        for kind, url, posted, per_request in phases:
            row = measure(server, driver, url, posted, per_request, workers, args)
            suffix = "" if sockets == "own" else f"_{sockets}"
            row["name"] = f"http_{kind}_{workers}_worker{'s' if workers > 1 else ''}{suffix}"
            row["sockets"] = sockets
            order = ["name", "situations", "seconds", "per_second", "p50_ms", "p99_ms",
                     "errors", "server_cpu_ms", "client_cpu_ms", "capacity_per_second"]
            rows.append({k: row[k] for k in order} | row)
    finally:
        stop_server(server)
    return rows


@contextlib.contextmanager
def recording(mode: str):
    """The store the server records into (``TONGCHENG_RECORDS`` for its workers), or none."""
    if mode == "off":
        os.environ.pop("TONGCHENG_RECORDS", None)
        yield None
        return
    with tempfile.TemporaryDirectory() as folder:
        if mode == "sqlite":
            url = str(Path(folder) / "records.db")
            os.environ["TONGCHENG_RECORDS"] = url
            try:
                yield url
            finally:
                os.environ.pop("TONGCHENG_RECORDS", None)
            return
        sys.path.insert(0, str(ROOT / "tests" / "records"))
        from pgcluster import cluster

        with cluster() as server:
            url = server.new_database()
            os.environ["TONGCHENG_RECORDS"] = url
            try:
                yield url
            finally:
                os.environ.pop("TONGCHENG_RECORDS", None)


def _count_records(url: str) -> int:
    from tongcheng.records.store import RecordStore

    store = RecordStore.open(url)
    try:
        return store.count()
    finally:
        store.close()


def batch_bodies(bodies: list[bytes], size: int) -> list[bytes]:
    """Batch requests of ``size`` situations each, drawn in turn from the single bodies (eight
    different batches)."""
    items = [json.loads(b) for b in bodies]
    out = []
    for k in range(8):
        batch = [{"id": f"{k}-{i}", **items[(k * size + i) % len(items)]} for i in range(size)]
        out.append(json.dumps(batch).encode())
    return out


def measure(server: subprocess.Popen, driver: str, url: str, bodies: list[bytes],
            per_request: int, workers: int, args: argparse.Namespace) -> dict:
    """One load phase against a running server: ``per_request`` situations in each request."""
    load_before = os.getloadavg()[0]
    server_cpu = _cpu_seconds(server.pid)
    client_cpu = _own_cpu(driver)
    limit = max(1, args.max_requests // per_request)
    # a batch request holds 100 situations: run long enough for many to complete
    seconds = args.seconds if per_request == 1 else max(args.seconds, 30.0)
    if driver == "wrk":
        stats = run_wrk(url, bodies, seconds, args.connections, limit)
    else:
        stats = asyncio.run(_httpx_load(url, bodies, seconds, args.connections, limit))
    server_cpu = _cpu_seconds(server.pid) - server_cpu
    client_cpu = _own_cpu(driver) - client_cpu
    stats["requests"] = stats["situations"]
    stats["situations"] *= per_request
    done = max(stats["situations"], 1)
    # CPU per answer does not depend on what else runs on the machine: it says what the
    # two cores could serve if the service and its load generator had them to themselves.
    stats["server_cpu_ms"] = round(server_cpu / done * 1000, 3)
    stats["client_cpu_ms"] = round(client_cpu / done * 1000, 3)
    # at most `workers` cores for the server, and the machine's cores for server and client
    s, c = server_cpu / done, client_cpu / done
    cores = os.cpu_count() or 1
    stats["capacity_per_second"] = round(min(workers / s, cores / (s + c)), 1) if s else 0.0
    return {**stats,
            "per_second": round(stats["situations"] / stats["seconds"], 1)
            if stats["seconds"] else 0.0,
            "situations_per_request": per_request,
            "workers": workers, "driver": driver, "connections": args.connections,
            "trace": False, "http": args.http, "loop": args.loop, "bodies": args.bodies,
            "load_average": [load_before, os.getloadavg()[0]]}


if __name__ == "__main__":
    main()
