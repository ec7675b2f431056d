"""YAML test cases for any rule pack: read (every problem with file and line), run, report.

``tongcheng test`` runs them from the command line; the pytest plugin
(:mod:`tongcheng.packtest.pytest_plugin`) collects ``PACK/tests/*.yaml`` so pytest runs them too.
The names below are imported on first use, so registering the command stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "Case": "cases", "Expectation": "cases", "Problem": "cases", "TestFile": "cases",
    "pack_of": "cases", "pack_test_files": "cases", "read_test_file": "cases",
    "CaseResult": "runner", "Mismatch": "runner", "run_case": "runner", "run_file": "runner",
    "run_pack_tests": "runner",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module 'tongcheng.packtest' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tongcheng.packtest.{_NAMES[name]}"), name)
