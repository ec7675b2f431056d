"""Every command that writes a file, given an output it cannot write (its folder missing, a
folder where the file should be, a folder that takes no new file): exit 2 naming the path, in
the command's language, before any work and with no traceback (``synth`` and ``records
export`` ended in pyarrow's or ``open``'s traceback before)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostiletools import SITUATION, assert_clean, run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "recognition-yantai-qingdao.yaml"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """A store holding one record, a population of one and a stream of one event."""
    where = tmp_path_factory.mktemp("inputs")
    store = where / "r.db"
    assert run("check", EXAMPLE, "--records", store).exit_code == 0
    people = where / "people.jsonl"
    people.write_text(json.dumps(SITUATION) + "\n", encoding="utf-8")
    events = where / "events.jsonl"
    events.write_text(json.dumps({"subject": "P1", "on": "2025-06-01", "open": SITUATION})
                      + "\n", encoding="utf-8")
    return {"store": store, "people": people, "events": events}


COMMANDS = {
    "synth": lambda inputs, out: ("synth", 10, "-o", out),
    "records export (JSON Lines)": lambda inputs, out: (
        "records", "export", "--records", inputs["store"], "-o", out, "--format", "jsonl"),
    "records export (Parquet)": lambda inputs, out: (
        "records", "export", "--records", inputs["store"], "-o", out, "--format", "parquet"),
    "screen": lambda inputs, out: ("screen", inputs["people"], "-o", out),
    "watch": lambda inputs, out: ("watch", inputs["events"], "-o", out),
}
BAD_OUTPUTS = {  # (zh, en) of what is said
    "missing folder": (lambda tmp: tmp / "none" / "out.parquet", "没有文件夹", "no such folder"),
    "a folder": (lambda tmp: tmp, "这是一个文件夹", "is a folder"),
    # a folder that looks writable but takes no new file (as a read-only mount): tried first
    "a folder taking no file": (lambda tmp: Path("/proc/tongcheng-out.parquet"), "无法写入",
                                "cannot be written"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BAD_OUTPUTS)
def test_an_output_that_cannot_be_written_exits_2_naming_it(tmp_path, inputs, command, bad):
    where, zh, en = BAD_OUTPUTS[bad]
    out = where(tmp_path)
    args = COMMANDS[command](inputs, out)
    chinese = run(*args)
    assert_clean(chinese, 2)
    assert chinese.stderr.startswith("错误: ") and f"{out}:{zh}" in chinese.stderr
    english = run(*args, "--lang", "en")
    assert_clean(english, 2)
    assert english.stderr.startswith("error: ") and f"{out}: {en}" in english.stderr
    assert not (tmp_path / "none").exists()  # nothing made on the way


READERS = {
    "check": lambda folder, tmp: ("check", folder),
    "timeline": lambda folder, tmp: ("timeline", folder, "--from", "2025-01", "--to", "2025-02"),
    "watch": lambda folder, tmp: ("watch", folder),
    "compare": lambda folder, tmp: ("compare", folder, "-o", tmp / "report"),
}


@pytest.mark.parametrize("command", READERS)
def test_a_folder_given_for_an_input_file_exits_2_saying_so(tmp_path, command):
    """Said by tongcheng in the command's language (click's own check said it in English)."""
    folder = tmp_path / "in"
    folder.mkdir()
    args = READERS[command](folder, tmp_path)
    chinese, english = run(*args), run(*args, "--lang", "en")
    assert_clean(chinese, 2)
    assert_clean(english, 2)
    assert f"{folder}:这是一个文件夹;请给出文件" in chinese.stderr
    assert f"{folder}: is a folder; give a file" in english.stderr


def test_a_file_given_for_compares_report_folder_exits_2_saying_so(tmp_path, inputs):
    report = tmp_path / "report.txt"
    report.write_text("not a folder", encoding="utf-8")
    args = ("compare", inputs["people"], "-o", report)
    chinese, english = run(*args), run(*args, "--lang", "en")
    assert_clean(chinese, 2)
    assert_clean(english, 2)
    assert f"{report}:这是一个文件;报告需要一个文件夹" in chinese.stderr
    assert f"{report}: is a file; the report is a folder" in english.stderr


def test_an_output_whose_name_is_not_utf8_keeps_its_summary(tmp_path, inputs):
    """``screen -o $'o\\xff.jsonl'``: the run was done, then its summary.json died on the name
    (a traceback, the summary empty); the name is written as its JSON escape."""
    import os

    out = os.fsdecode(bytes(tmp_path) + b"/o\xff.jsonl")
    result = run("screen", inputs["people"], "-o", out)
    assert_clean(result, 0)
    summary = json.loads(Path(f"{out}.summary.json").read_text(encoding="utf-8"))
    assert os.fsencode(summary["output"]) == os.fsencode(out)
    assert summary["decided"] == 1
    assert "已筛查 1 行" in result.stderr


def test_parquet_files_whose_names_are_not_utf8_are_read_and_written(tmp_path, inputs):
    """A name in GBK (bytes a shell passes as they are) on every face that writes or reads
    Parquet: Arrow takes UTF-8 names only, and the commands died on a UnicodeEncodeError."""
    import os

    import pyarrow.parquet as pq

    def gbk(name: str) -> str:  # tmp_path/<name in GBK bytes>
        return os.fsdecode(bytes(tmp_path) + b"/" + name.encode("gbk"))

    people = gbk("人口.parquet")
    assert_clean(run("synth", 20, "-o", people), 0)
    decided = gbk("结果.parquet")
    assert_clean(run("screen", people, "-o", decided), 0)
    assert pq.read_table(open(decided, "rb")).num_rows == 20  # noqa: SIM115
    exported = gbk("记录.parquet")
    assert_clean(run("records", "export", "--records", inputs["store"], "-o", exported), 0)
    assert pq.read_table(open(exported, "rb")).num_rows == 1  # noqa: SIM115
    report = gbk("报告")
    said = run("compare", people, "-o", report, "--no-html")
    assert_clean(said, 0)
    assert os.path.exists(os.path.join(report, "changed.parquet"))
    assert json.loads(Path(report, "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [["rules"], ["rules", "--format", "json", "--lang", "en"],
                                  ["check", EXAMPLE, "--explain"]])
def test_a_reader_that_goes_away_ends_the_command_quietly_with_141(args):
    """``tongcheng rules | head -1``: rich exited 1 ("found problems") when the pipe closed;
    now nothing is said and the code is a shell's for SIGPIPE, 128 + 13."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "tongcheng.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line is written
    stderr = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141, stderr
    assert stderr == ""
