"""pytest runs a pack's YAML test cases: ``PACK/tests/*.yaml`` beside ``PACK/pack.yaml``.

Registered as a pytest plugin by the package (entry point ``pytest11``), as OpenFisca's
``test_runner`` is: ``pytest my-pack/tests`` runs every case as its own test, and a failure
reads as ``tongcheng test`` prints it — the case's file and line, expected against actual, and
the trace that decided. A test file that cannot be read fails its collection with each problem
at its line; a broken case fails alone.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    from tongcheng.packtest.cases import is_pack_test_file

    if is_pack_test_file(file_path):
        return PackTestFile.from_parent(parent, path=file_path)
    return None


@cache
def _pack(root: str) -> Any:
    from tongcheng.pack.loader import load_pack

    return load_pack(Path(root))


class PackTestFile(pytest.File):
    """One test file: a test per case."""

    def collect(self):
        from tongcheng.errors import PackError
        from tongcheng.packtest.cases import read_test_file

        root = self.path.parent.parent
        try:
            pack = _pack(str(root.resolve()))
        except PackError as e:
            raise self.CollectError(f"{root}: {e.describe()}") from None
        shown = self.path.relative_to(root).as_posix()
        test_file = read_test_file(self.path, pack, f"{root.name}/{shown}")
        if test_file.problems:
            raise self.CollectError("\n".join(p.text("en") for p in test_file.problems))
        for case in test_file.cases:
            yield PackTestCase.from_parent(self, name=case.name, case=case, pack=pack)


class CaseFailed(Exception):
    """A case whose decisions differ from what it expects (or that cannot run)."""


class PackTestCase(pytest.Item):
    def __init__(self, *, case: Any, pack: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.pack = case, pack

    def runtest(self) -> None:
        from tongcheng.packtest.report import result_lines
        from tongcheng.packtest.runner import run_case

        result = run_case(self.pack, self.case)
        if not result.passed:
            raise CaseFailed("\n".join(result_lines(result, "en")))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None):
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.case.line or 1) - 1, f"{self.case.where}: {self.case.name}"
