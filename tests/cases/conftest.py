"""Fixtures for the cases tests: the bundled pack and a small pack for many-case tests."""

from __future__ import annotations

import pytest
from casetools import SMALL_TRIGGERS, copy_pack

import tongcheng


@pytest.fixture(scope="session")
def pack():
    return tongcheng.bundled_pack()


@pytest.fixture(scope="session")
def small_pack(tmp_path_factory):
    """The bundled pack with only its medical insurance and pension rules, and two triggers."""
    root = copy_pack(tmp_path_factory.mktemp("small") / "pack")
    for path in (root / "rules").glob("*.yaml"):
        if path.name not in ("medical_insurance.yaml", "pension.yaml"):
            path.unlink()
    (root / "triggers.yaml").write_text(SMALL_TRIGGERS, encoding="utf-8")
    return tongcheng.load_pack(root)
