"""Fixtures of the record store tests: every store test runs on SQLite and on a real PostgreSQL
server the session starts itself (``pgcluster.py``). Helpers are in recordtools.py."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from pgcluster import INSTALL_HINT, bindir, cluster

# Restored rule packs go to a cache folder of this run, not the user's ~/.cache.
_CACHE = tempfile.mkdtemp(prefix="tongcheng-cache-")
os.environ["TONGCHENG_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture(scope="session")
def postgres():
    if bindir() is None:
        if os.environ.get("TONGCHENG_REQUIRE_ALL"):
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    with cluster() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store's URL on each engine."""
    if request.param == "sqlite":
        return str(tmp_path / "records.db")
    return request.getfixturevalue("postgres").new_database()
