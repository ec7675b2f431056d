"""Shared helpers of the consistency tests: the deliberately broken packs and a quick runner."""

from __future__ import annotations

from pathlib import Path

import pytest

PACKS = Path(__file__).resolve().parents[1] / "packs" / "consistency"
CONFLICT = Path(__file__).resolve().parents[1] / "packs" / "conflict"


@pytest.fixture(scope="session")
def packs() -> Path:
    return PACKS
