"""``tongcheng watch --store``: cases and the stream's position in the record store. Killed
with SIGKILL mid-stream (a real subprocess) and restarted on the same input, the watch goes on
from the last committed line and writes exactly what one uninterrupted run writes: every
notification, alert and change once, none lost, none doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

import tongcheng
from tongcheng.cli import main
from tongcheng.records import schema
from tongcheng.records.store import RecordStore

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from watch_stream import generate  # noqa: E402 (the benchmark's seeded stream generator)

TONGCHENG = [sys.executable, "-m", "tongcheng.cli"]


def _stream(tmp_path: Path, subjects: int = 50) -> tuple[Path, dict]:
    path = tmp_path / "events.jsonl"
    info = generate(path, subjects, seed=11, sample=0)
    return path, info


def _args(events: Path, out: Path, rejects: Path) -> list[str]:
    return ["watch", str(events), "-o", str(out), "--rejects", str(rejects), "--changes",
            "--idle-days", "120", "--lang", "en"]


def _position(url: str) -> int:
    store = RecordStore.open(url)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(sa.select(schema.watch_streams.c.position)).scalar() or 0)
    finally:
        store.close()


def test_sigkill_mid_stream_then_restart_emits_every_record_exactly_once(store_url, tmp_path):
    events, info = _stream(tmp_path)
    runner = CliRunner()
    ref_out, ref_rejects = tmp_path / "ref.jsonl", tmp_path / "ref.rejects.jsonl"
    result = runner.invoke(main, _args(events, ref_out, ref_rejects))
    assert result.exit_code in (0, 1), result.output
    reference = ref_out.read_bytes()
    kinds = {json.loads(x)["type"] for x in reference.splitlines()}
    assert {"notification", "change", "opened"} <= kinds

    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    command = [*TONGCHENG, *_args(events, out, rejects), "--store", store_url,
               "--commit-every", "7"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             cwd=tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if os.path.exists(out) and _position(store_url) > info["lines"] // 3:
            break
        time.sleep(0.05)
    assert child.poll() is None, "the watch ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed_at = _position(store_url)
    assert 0 < killed_at < info["lines"]
    written = out.read_bytes()
    assert written and len(written) < len(reference)

    again = subprocess.run(command, capture_output=True, cwd=tmp_path, timeout=300)
    assert again.returncode in (0, 1), again.stderr.decode()
    assert out.read_bytes() == reference  # every record once, in order
    assert rejects.read_bytes() == ref_rejects.read_bytes()
    assert _position(store_url) == info["lines"]
    # a third run on the same input has nothing left to do
    third = subprocess.run(command, capture_output=True, cwd=tmp_path, timeout=300)
    assert third.returncode in (0, 1) and out.read_bytes() == reference


def test_cases_survive_in_the_store_and_another_input_is_refused(tmp_path):
    events, _ = _stream(tmp_path, subjects=10)
    url = str(tmp_path / "cases.db")
    runner = CliRunner()
    lines = events.read_text(encoding="utf-8").splitlines()
    half = tmp_path / "half.jsonl"
    half.write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["watch", str(half), "-o", str(out), "--store", url, "--commit-every", "3"]
    assert runner.invoke(main, args).exit_code in (0, 1)
    store = RecordStore.open(url)
    with store.engine.connect() as conn:
        cases = conn.execute(sa.select(schema.watch_cases)).all()
        stream = conn.execute(sa.select(schema.watch_streams)).one()
    store.close()
    assert cases and stream.position == len(lines) // 2
    state = json.loads(cases[0].state)
    assert {"facts", "clock", "decisions", "deadlines", "raised"} <= set(state)
    assert len(state["decisions"]) == len(tongcheng.bundled_pack().rules)
    # the rest of the stream goes on from there; a different input is refused, naming the line
    full = ["watch", str(events), "-o", str(out), "--store", url]
    assert runner.invoke(main, full).exit_code in (0, 1)
    other = tmp_path / "other.jsonl"
    other.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["watch", str(other), "-o", str(out), "--store", url])
    assert result.exit_code == 2 and "不是记录库中流 'default' 停下时的第" in result.output
    result = runner.invoke(main, ["watch", str(other), "-o", str(out), "--store", url,
                                  "--lang", "en"])
    assert result.exit_code == 2 and "is not the line" in result.output
