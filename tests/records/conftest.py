"""Fixtures of the record store tests: every store test runs on SQLite and on a real PostgreSQL
server the session starts itself (``pgcluster.py``). Helpers are in recordtools.py."""

from __future__ import annotations

import os

import pytest
from pgcluster import INSTALL_HINT, bindir, cluster


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
