"""A throwaway PostgreSQL server for the tests and benchmarks: ``initdb`` in a temporary folder,
a free loopback port, removed after.

PostgreSQL refuses to run as root, and CI runs as root: there the cluster belongs to the
``postgres`` user that Debian's ``postgresql`` package creates (``runuser -u postgres``), in a
folder given to that user; as a normal user it simply runs as that user. ``.ci/run`` installs
the package when ``initdb`` is absent.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = ("the record store tests need PostgreSQL's server: apt-get install -y postgresql "
                "(.ci/run installs it)")


def bindir() -> Path | None:
    """The folder of ``initdb`` and ``postgres``: PG_BINDIR, else the newest of Debian's
    /usr/lib/postgresql/*/bin, else the PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A running server: ``url(db)`` gives a SQLAlchemy-ready ``postgresql://`` URL."""

    def __init__(self, folder: Path, port: int, process: subprocess.Popen, as_user: list[str]):
        self.folder, self.port, self.process, self._as = folder, port, process, as_user
        self._n = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        self._n += 1
        name = f"t{os.getpid()}_{self._n}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def kill(self) -> None:
        """Stop the server (fast shutdown: SIGINT to the postmaster, which runs under runuser
        as root) and wait for it."""
        if self.process.poll() is None:
            try:
                pid = int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGINT)
            except (OSError, ValueError, IndexError):
                self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _runner() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", "postgres", "--"]


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a throwaway server; stop it and remove its folder afterwards."""
    bins = bindir()
    if bins is None or not (bins / "initdb").exists():
        raise RuntimeError(INSTALL_HINT)
    as_user = _runner()
    folder = Path(tempfile.mkdtemp(prefix="tongcheng-pg-"))
    try:
        if as_user:
            shutil.chown(folder, "postgres", "postgres")
        data = folder / "data"
        subprocess.run([*as_user, str(bins / "initdb"), "-D", str(data), "-U", "postgres",
                        "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"],
                       check=True, capture_output=True)
        port = free_port()
        log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed with the folder
        process = subprocess.Popen(
            [*as_user, str(bins / "postgres"), "-D", str(data), "-p", str(port),
             "-k", str(folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200"],
            stdout=log, stderr=subprocess.STDOUT)
        server = Cluster(folder, port, process, as_user)
        _wait_ready(server)
        try:
            yield server
        finally:
            server.kill()
            log.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(server: Cluster, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        if server.process.poll() is not None:
            raise RuntimeError("PostgreSQL did not start: "
                               + (server.folder / "server.log").read_text(errors="replace"))
        try:
            psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres",
                            connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
