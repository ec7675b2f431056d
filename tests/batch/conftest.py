"""Fixtures of the batch tests (helpers are in batchtools.py)."""

from __future__ import annotations

import pytest

import tongcheng
from tongcheng.batch.engine import BatchEvaluator


@pytest.fixture(scope="session")
def pack():
    return tongcheng.bundled_pack()


@pytest.fixture(scope="session")
def engine(pack):
    return BatchEvaluator(pack)
