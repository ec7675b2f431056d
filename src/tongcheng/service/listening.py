"""Worker processes that each listen on their own socket (``SO_REUSEPORT``), on Linux.

uvicorn's workers share one listening socket, and asyncio accepts every connection waiting when
its socket wakes it: the first worker to wake takes them all. Under 32 keep-alive clients the
load test found the two workers holding 22 and 10 connections, so the busier worker's queue set
the tail (p99 2.2× the median) while the other sat idle part of the time. With ``SO_REUSEPORT``
each worker binds a socket of its own to the same address and the kernel spreads new
connections across them by a hash of the addresses, as nginx's ``reuseport`` and gunicorn's
``--reuse-port`` do.

uvicorn's own supervisor is kept (signals, health checks, restarting a dead worker): it is
handed :class:`Listeners` where it expects the parent's sockets. Pickled into each worker
process, that becomes a freshly bound socket there, so a restarted worker binds its own too.
The parent holds no listening socket: a port nobody accepts on never gets a connection.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from typing import Any

__all__ = ["Listeners", "reuse_port_available", "run_workers"]


def reuse_port_available() -> bool:
    """Whether the kernel balances connections across sockets sharing a port (Linux does;
    other systems give them all to the last socket bound)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(host: str, port: int, backlog: int) -> list[socket.socket]:
    """One worker's listening socket, in the port's ``SO_REUSEPORT`` group."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return [sock]


class Listeners(list):
    """What uvicorn's supervisor passes to each worker in place of sockets: empty in the
    parent, one socket of the worker's own once unpickled in the worker."""

    def __init__(self, host: str, port: int, backlog: int) -> None:
        super().__init__()
        self.host, self.port, self.backlog = host, port, backlog

    def __reduce__(self) -> tuple[Any, tuple[str, int, int]]:
        return listen, (self.host, self.port, self.backlog)


def free_port(host: str) -> int:
    """A port for ``--port 0``, chosen once so that every worker binds the same one."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def run_workers(config: Any) -> None:
    """Run ``config.workers`` uvicorn workers, each listening on its own socket, under
    uvicorn's supervisor, until SIGINT or SIGTERM. ``config`` is a ``uvicorn.Config`` whose
    app is an import string."""
    from uvicorn.supervisors import Multiprocess

    if config.port == 0:
        config.port = free_port(config.host)
    scheme = "https" if config.is_ssl else "http"
    shown = f"[{config.host}]" if ":" in config.host else config.host
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on %s://%s:%d with %d workers, a socket each (Press CTRL+C to quit)",
        scheme, shown, config.port, config.workers)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn's supervisor handles SIGINT
        Multiprocess(config, sockets=Listeners(config.host, config.port, config.backlog)).run()
