"""``tongcheng compare`` stopped half way: a damaged page of the population, Ctrl-C. REPORT must
never hold this run's first rows beside an earlier run's summary.json and report.html, read as one
whole report (before, the changed rows of the stopped run replaced the earlier ones, the earlier
summary stayed, and Ctrl-C was exit 1, compare's "some rows rejected")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostiletools import SITUATION, assert_clean, run

from tongcheng.batch import synth

ROOT = Path(__file__).resolve().parents[2]
LATER = f"{ROOT / 'rules'}@2027-01-01"  # the bundled pack a year on: some decisions change
REPORT_FILES = ["changed.parquet", "rejects.jsonl", "report.html", "summary.json"]


def earlier_report(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """REPORT holding a whole report of an earlier run, and its files' bytes."""
    people = tmp_path / "one.jsonl"
    people.write_text(json.dumps(SITUATION) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    assert_clean(run("compare", people, "-o", out, "--new", LATER), 0)
    assert sorted(p.name for p in out.iterdir()) == REPORT_FILES
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def damaged_population(tmp_path: Path) -> Path:
    """300 people in three row groups, the last one's page damaged: read from row 200 fails."""
    path = tmp_path / "people.parquet"
    rows = [{**SITUATION, "id": str(i)} for i in range(300)]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=100, compression="none")
    column = pq.ParquetFile(path).metadata.row_group(2).column(0)
    raw = bytearray(path.read_bytes())
    start = column.data_page_offset
    for i in range(start, start + column.total_compressed_size):
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_damaged_page_half_way_leaves_the_earlier_report_as_it_was(tmp_path, lang):
    out, before = earlier_report(tmp_path)
    result = run("compare", damaged_population(tmp_path), "-o", out, "--new", LATER,
                 "--chunk-size", 100, "--lang", lang)
    assert_clean(result, 2)
    said = {"zh": ("自第 200 行", f"({out} 未被改动)"),
            "en": ("rows from 200", f"({out} was not changed)")}[lang]
    assert all(words in result.stderr for words in said), result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_report_without_its_page_takes_the_earlier_page_away(tmp_path):
    """``--no-html``: an earlier run's report.html is not left beside this run's summary."""
    out, _ = earlier_report(tmp_path)
    result = run("compare", tmp_path / "one.jsonl", "-o", out, "--no-html")
    assert_clean(result, 0)
    assert sorted(p.name for p in out.iterdir()) == [
        "changed.parquet", "rejects.jsonl", "summary.json"]


def test_other_files_of_the_report_folder_are_left_alone(tmp_path):
    out, _ = earlier_report(tmp_path)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert_clean(run("compare", tmp_path / "one.jsonl", "-o", out, "--no-html"), 0)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_leaves_the_earlier_report_as_it_was(tmp_path, stop, code):
    """Ctrl-C, or SIGTERM (a service manager, ``kill``): exit 128 + the signal, said."""
    out, before = earlier_report(tmp_path)
    people = tmp_path / "many.parquet"
    synth.write(people, 40_000, seed=3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongcheng.cli", "compare", str(people), "-o", str(out),
         "--new", LATER, "--chunk-size", "2000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "120"})
    deadline = time.monotonic() + 120
    while not (out / ".compare.partial").exists() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # some chunks compared
    proc.send_signal(stop)
    _, err = proc.communicate(timeout=120)
    stderr = err.decode("utf-8")
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert "已中断:读入" in stderr and f"{out} 未被改动" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
