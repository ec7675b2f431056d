"""``tongcheng serve --workers 2``: each worker listens on its own socket (SO_REUSEPORT).

Real servers on loopback. Which worker holds a connection is read from ``/proc``: the socket
inodes each worker process has open, matched against the kernel's table of established TCP
connections on the server's port.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tongcheng.service.listening import reuse_port_available

pytestmark = pytest.mark.skipif(not reuse_port_available(),
                                reason="SO_REUSEPORT balancing is Linux's")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(*options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tongcheng.cli", "serve", "--workers", "2",
         "--log-level", "info", "--log-format", "json", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_up(port: int, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()
        with contextlib.suppress(OSError):
            if _get(port, "/v1/health")[0] == 200:
                return
        time.sleep(0.2)
    raise AssertionError("the server did not start")


def _get(port: int, path: str, conn: http.client.HTTPConnection | None = None
         ) -> tuple[int, bytes]:
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    answer = conn.getresponse()
    return answer.status, answer.read()


def _stop(server: subprocess.Popen) -> int:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        return server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        raise


@contextlib.contextmanager
def _running(*options: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """A two-worker server on a free port, up; stopped after, by SIGTERM, cleanly."""
    port = _free_port()
    server = _serve("--port", str(port), *options)
    try:
        _wait_up(port, server)
        yield server, port
    finally:
        assert _stop(server) == 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


ESTABLISHED, LISTENING = "01", "0A"  # states in the kernel's TCP tables


def _sockets(port: int, state: str) -> set[int]:
    """Inodes of the TCP sockets whose local port is ``port``, in ``state``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    inodes.add(int(fields[9]))
    return inodes


def _held(pid: int, inodes: set[int]) -> int:
    """How many of the sockets ``inodes`` process ``pid`` has open."""
    count = 0
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
                count += bool(match and int(match.group(1)) in inodes)
    return count


def _connections_per_worker(server: subprocess.Popen, port: int) -> dict[int, int]:
    inodes = _sockets(port, ESTABLISHED)
    held = {pid: _held(pid, inodes) for pid in _children(server.pid)}
    return {pid: n for pid, n in held.items() if n}


def _listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a socket listening on ``port``."""
    return _held(pid, _sockets(port, LISTENING)) > 0


def test_two_workers_each_take_a_fair_share_of_simultaneous_connections():
    """40 keep-alive connections opened at once, as a load generator or a portal's pool does:
    with one shared socket the first worker to wake took 22–28 of 32; with a socket each the
    kernel hashes them across both (a worker below 8 of 40 has odds of about 1 in 50,000)."""
    with _running() as (server, port):
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(40)]
        for conn in conns:
            conn.connect()
        for conn in conns:  # every connection answered, and kept open
            assert _get(port, "/v1/health", conn)[0] == 200
        held = _connections_per_worker(server, port)
        assert sum(held.values()) == 40, held
        assert len(held) == 2 and min(held.values()) >= 8, held
        for conn in conns:
            conn.close()


def test_a_killed_worker_is_replaced_and_binds_a_socket_of_its_own():
    with _running() as (server, port):
        workers = {pid for pid in _children(server.pid) if _listens(pid, port)}
        assert len(workers) == 2 and len(_sockets(port, LISTENING)) == 2
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            now = {pid for pid in _children(server.pid) if _listens(pid, port)}
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the killed worker was not replaced")
        # every new connection is answered: none lands on a socket nobody accepts on
        statuses = [_get(port, "/v1/health")[0] for _ in range(30)]
        assert statuses == [200] * 30
    with socket.socket() as sock:  # stopped: the port is free again
        sock.bind(("127.0.0.1", port))


def test_port_zero_gives_every_worker_the_same_port_and_says_which():
    server = _serve("--port", "0")
    try:
        deadline = time.monotonic() + 90
        port = None
        while port is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            assert line, "the server ended before saying its port"
            with contextlib.suppress(ValueError):
                message = json.loads(line).get("message", "")
                found = re.search(r"http://127\.0\.0\.1:(\d+) with 2 workers", message)
                port = int(found.group(1)) if found else None
        assert port
        _wait_up(port, server)
        listeners = [pid for pid in _children(server.pid) if _listens(pid, port)]
        assert len(listeners) == 2
    finally:
        _stop(server)


@pytest.mark.parametrize("options", [("--shared-socket",), ("--loop", "uvloop"),
                                     ("--loop", "auto")])
def test_the_other_ways_of_serving_still_serve(options):
    """uvicorn's one shared socket, and uvloop (named, or auto: it is installed)."""
    with _running(*options) as (_, port):
        status, body = _get(port, "/v1/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
        # one socket for all, or one each: the listening sockets on the port
        assert len(_sockets(port, LISTENING)) == (1 if "--shared-socket" in options else 2)


def test_a_port_in_use_is_refused_before_any_worker_starts():
    """A second server on a port held by the first joins no group: exit 2, said plainly."""
    with _running() as (_, port):
        second = subprocess.run(
            [sys.executable, "-m", "tongcheng.cli", "serve", "--workers", "2", "--port",
             str(port), "--lang", "en"], capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert "already in use" in second.stderr and "Traceback" not in second.stderr
        assert _get(port, "/v1/health")[0] == 200
