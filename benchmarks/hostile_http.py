"""Hostile clients against the HTTP service on loopback, and a healthy client meanwhile.

Starts ``uvicorn tongcheng.service.app:app_from_environment`` with the protocol ``tongcheng
serve`` uses (head timeout and size limit) on a free loopback port, then runs three phases,
each while a healthy client asks ``GET /v1/health`` every 20 ms and times the answers:

- ``quiet``: nothing else (the baseline);
- ``slowloris``: ``--slow`` connections (200) that send their request head one byte every half
  second, and ``--slow // 4`` that send a declared body the same way, until the server has
  closed them all (25 s at most); reported: how many it answered (408) and closed, and when
  the last was closed;
- ``amplification``: four clients posting the worst bodies the limits allow, in turn: the
  heaviest valid situation (every list at its item limit, traced, just under the body limit),
  1,000 bad periods (the most problems), 65,000 empty periods (the old 13 MB answer) and JSON
  nested 100,000 deep; reported per body: its size, the answer's size and status, and the
  server's answer time.

One JSON object per line: ``health_p50_ms``, ``health_p99_ms``, ``health_max_ms`` per phase,
with ``ratio_p99`` against the quiet phase measured in the same run. The target: health
answers in under 100 ms (p99) while four clients send the worst allowed bodies.

    python benchmarks/hostile_http.py [--workers 1] [--seconds 12] [--slow 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_http import free_port, start_server, stop_server

PLACES = ("370200", "370600", "370700", "371000", "371100", "370100", "370300", "370800")
SCHEMES = ("employee_medical", "pension", "unemployment", "work_injury", "resident_medical")


def emit(row: dict) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def month(i: int) -> str:
    return f"{1985 + (i // 12) % 40}-{i % 12 + 1:02d}"


def heaviest_valid(limit_bytes: int, items: int) -> bytes:
    """Every list at ``items``, varied places and months, traced: trimmed to fit the body
    limit."""
    n = items
    while True:
        situation = {
            "as_of": "2025-06-01",
            "target": "370200",
            "person": {"birth_date": "1975-05-10", "hukou": "370600", "lives_in": "370200",
                       "employment": "employed", "work_place": "370200",
                       "residence": [{"place": PLACES[i % 8], "since": "2010-01-01"}
                                     for i in range(min(n, 50))]},
            "insurance": [{"scheme": SCHEMES[i % 5], "place": PLACES[i % 8], "from": month(i),
                           "to": month(i)} for i in range(n)],
            "provident_fund": {"balance": 52000, "periods": [
                {"place": PLACES[i % 8], "from": month(i), "to": month(i)} for i in range(n)]},
            "cards": [{"kind": "transit", "issuer": PLACES[i % 8]} for i in range(n)],
        }
        body = json.dumps({"situation": situation}, separators=(",", ":")).encode()
        if len(body) <= limit_bytes:
            return body
        n = int(n * 0.95)


def worst_bodies() -> dict[str, bytes]:
    from tongcheng.service.deps import MAX_BODY
    from tongcheng.service.evaluating import MAX_LIST_ITEMS

    bad = [{"scheme": "pension", "place": "999999", "from": "2000-13"}] * MAX_LIST_ITEMS
    return {
        "heaviest_valid": heaviest_valid(MAX_BODY, MAX_LIST_ITEMS),
        "most_problems": json.dumps({"situation": {"insurance": bad}}).encode(),
        "65000_empty_periods": (b'{"situation":{"insurance":[' + b",".join([b"{}"] * 65_000)
                                + b"]}}"),
        "nested_100000": b"[" * 100_000 + b"]" * 100_000,
    }


class Health:
    """A healthy client: ``GET /v1/health`` every 20 ms on its own connection, timed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.times: list[float] = []
        self.failures = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import httpx

        with httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30) as client:
            while not self.stop.is_set():
                t0 = time.perf_counter()
                try:
                    ok = client.get("/v1/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.times.append(time.perf_counter() - t0)
                else:
                    self.failures += 1
                time.sleep(0.02)

    def __enter__(self) -> Health:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def summary(self) -> dict:
        ms = sorted(t * 1000 for t in self.times) or [0.0]
        return {"health_answers": len(self.times), "health_failures": self.failures,
                "health_p50_ms": round(statistics.median(ms), 2),
                "health_p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
                "health_max_ms": round(ms[-1], 2)}


def quiet(port: int, seconds: float) -> dict:
    with Health(port) as health:
        time.sleep(seconds)
    return {"name": "quiet", **health.summary()}


def slowloris(port: int, seconds: float, count: int) -> dict:
    """``count`` slow heads and ``count // 4`` slow bodies, one byte every half second."""
    head = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000
    body_head = (b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n")
    conns: list[tuple[socket.socket, bytes, int]] = []
    for i in range(count + count // 4):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        if i >= count:
            s.sendall(body_head)
            conns.append((s, b"{" * 100_000, 0))
        else:
            conns.append((s, head, 0))
    opened = time.monotonic()
    closed_at: dict[int, float] = {}
    answers: dict[int, bytes] = {}
    with Health(port) as health:
        while time.monotonic() - opened < seconds and len(closed_at) < len(conns):
            for i, (s, data, sent) in enumerate(conns):
                if i in closed_at:
                    continue
                try:
                    chunk = s.recv(4096)
                    if chunk:
                        answers[i] = answers.get(i, b"") + chunk
                    else:
                        closed_at[i] = time.monotonic() - opened
                        continue
                except BlockingIOError:
                    pass
                except OSError:
                    closed_at[i] = time.monotonic() - opened
                    continue
                try:
                    s.send(data[sent:sent + 1])
                    conns[i] = (s, data, sent + 1)
                except BlockingIOError:
                    pass
                except OSError:
                    closed_at[i] = time.monotonic() - opened
            time.sleep(0.5)
    for s, _, _ in conns:
        s.close()
    statuses: dict[str, int] = {}
    for answer in answers.values():
        status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "?"
        statuses[status] = statuses.get(status, 0) + 1
    return {"name": "slowloris", "connections": len(conns),
            "closed_by_server": len(closed_at), "answers_by_status": statuses,
            "last_closed_after_s": round(max(closed_at.values(), default=0), 2),
            **health.summary()}


def _post_in_turn(port: int, seconds: float, bodies: dict[str, bytes], clients: int,
                  out: Any) -> None:
    """The worst-body clients (run in their own process, so their work never delays the
    healthy client's timing): ``clients`` threads posting every body in turn."""
    import httpx

    stats: dict[str, dict] = {name: {"body_bytes": len(b), "answers": 0, "seconds": []}
                              for name, b in bodies.items()}
    names = list(bodies)
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        with httpx.Client(timeout=120) as c:
            i = k
            while time.monotonic() < stop_at:
                name = names[i % len(names)]
                i += 1
                t0 = time.perf_counter()
                r = c.post(f"http://127.0.0.1:{port}/v1/evaluate", content=bodies[name],
                           headers={"content-type": "application/json"})
                row = stats[name]
                row["seconds"].append(time.perf_counter() - t0)
                row["answers"] += 1
                row["status"] = r.status_code
                row["answer_bytes"] = len(r.content)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(stats)


def amplification(port: int, seconds: float, bodies: dict[str, bytes], clients: int) -> dict:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    posting = context.Process(target=_post_in_turn, args=(port, seconds, bodies, clients, out))
    with Health(port) as health:
        posting.start()
        stats = out.get(timeout=seconds + 300)
        posting.join()
    for name, row in stats.items():
        times = row.pop("seconds")
        row["answer_ms_median"] = round(statistics.median(times) * 1000, 1) if times else None
        row["amplification"] = round(row.get("answer_bytes", 0) / row["body_bytes"], 3)
        emit({"name": f"amplification.{name}", **row})
    return {"name": "amplification", "clients": clients, **health.summary()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each phase")
    parser.add_argument("--slow", type=int, default=200, help="slow heads (slowloris)")
    parser.add_argument("--clients", type=int, default=4, help="clients sending worst bodies")
    args = parser.parse_args()
    bodies = worst_bodies()
    emit({"name": "machine", "python": platform.python_version(), "cpus": os.cpu_count(),
          "workers": args.workers, "load_average": os.getloadavg()[0]})
    port = free_port()
    warm = [json.dumps({"situation": {"as_of": "2025-06-01", "target": "370200"}}).encode()]
    server = start_server(port, args.workers, warm, sockets="own")  # tongcheng serve
    try:
        base = quiet(port, args.seconds / 2)
        emit(base)
        for row in (slowloris(port, 25.0, args.slow),
                    amplification(port, args.seconds, bodies, args.clients)):
            row["ratio_p99"] = round(row["health_p99_ms"] / max(base["health_p99_ms"], 0.01), 1)
            row["target_met"] = row["health_p99_ms"] < 100
            emit(row)
        emit({"name": "after", "load_average": os.getloadavg()[0]})
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
