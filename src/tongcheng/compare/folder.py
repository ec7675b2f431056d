"""The report folder of ``compare``: written apart, in ``REPORT/.compare.partial``, and moved into
REPORT only once the run is whole.

A run stopped half way (Ctrl-C, a damaged page of the population, a defect of a pack) must never
leave REPORT holding this run's first rows beside an earlier run's summary.json and report.html,
read as one whole report: the earlier report stays as it was, and the parts of this one are
removed. Only the report's own files are ever replaced or removed (never the folder's other
files), and a file of an earlier report that this run does not write (report.html under
``--no-html``) leaves with it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

STAGING = ".compare.partial"


class ReportFolder:
    """REPORT (``final``) and the folder the run writes in (``staging``)."""

    def __init__(self, out_dir: str | Path, names: tuple[str, ...]) -> None:
        self.final = Path(out_dir)
        self.staging = self.final / STAGING
        self.names = names  # the report's files: the only ones moved or removed

    def open(self) -> Path:
        """A fresh staging folder (a stale one, left by a killed run, cleared first)."""
        self.final.mkdir(parents=True, exist_ok=True)
        self.discard()
        self.staging.mkdir()
        return self.staging

    def publish(self) -> None:
        """The run is whole: its files replace the earlier report's in REPORT (OSError: the
        caller says which)."""
        for name in self.names:
            made, kept = self.staging / name, self.final / name
            if made.exists():
                os.replace(made, kept)
            elif kept.is_file():
                kept.unlink()  # an earlier run's, not of this report
        self.discard()

    def discard(self) -> None:
        """The staging folder removed with what this run wrote in it (nothing else)."""
        for name in self.names:
            for leftover in (self.staging / name, self.staging / f"{name}.partial"):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        with contextlib.suppress(FileNotFoundError, OSError):
            self.staging.rmdir()
