"""Input from a pipe: ``tongcheng check <(…)`` (a named pipe, as bash's process substitution
and ``mkfifo`` make) and stdin (``-``). Before, every command but ``screen`` said a pipe that
was there was "no such file" (exit 2), and ``timeline -`` read stdin with no bound and took
bytes that are not UTF-8 as text, unlike ``check -``."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from hostiletools import SITUATION, assert_clean, run

EVENT = {"subject": "P1", "on": "2025-06-01", "open": SITUATION}
COMMANDS = {  # (arguments before the pipe, after it; what the pipe carries; words said)
    "check": (("check",), ("--format", "json"), json.dumps(SITUATION), '"as_of": "2025-06-01"'),
    "timeline": (("timeline",), ("--from", "2025-05", "--to", "2025-06"), json.dumps(SITUATION),
                 "2025-05 – 2025-06"),
    "watch": (("watch",), (), json.dumps(EVENT) + "\n", "1 cases opened"),
}


def fifo_carrying(tmp_path: Path, text: str) -> Path:
    """A named pipe a thread writes ``text`` into once a reader opens it."""
    path = tmp_path / "pipe"
    os.mkfifo(path)

    def write() -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    threading.Thread(target=write, daemon=True).start()
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_a_named_pipe_is_read_as_a_file(tmp_path, command):
    before, after, text, words = COMMANDS[command]
    result = run(*before, fifo_carrying(tmp_path, text), *after, "--lang", "en")
    assert_clean(result, 0)
    assert words in result.stdout + result.stderr, result.stdout + result.stderr


def test_compare_reads_a_named_pipe_of_json_lines(tmp_path):
    pipe = fifo_carrying(tmp_path, json.dumps(SITUATION) + "\n")
    out = tmp_path / "report"
    result = run("compare", pipe, "--input-format", "jsonl", "-o", out, "--no-html",
                 "--lang", "en")
    assert_clean(result, 0)
    assert json.loads((out / "summary.json").read_text("utf-8"))["population"]["rows"] == 1


@pytest.mark.parametrize("command", [*COMMANDS, "compare"])
def test_a_path_that_is_not_there_is_still_no_such_file(tmp_path, command):
    missing = tmp_path / "none.json"
    args = {"check": ("check", missing), "watch": ("watch", missing),
            "timeline": ("timeline", missing, "--from", "2025-01", "--to", "2025-02"),
            "compare": ("compare", missing, "-o", tmp_path / "r")}[command]
    result = run(*args)
    assert_clean(result, 2)
    assert f"{missing}:没有这个文件" in result.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_timeline_stdin_that_is_not_utf8_is_refused_as_check_refuses_it(lang):
    result = run("timeline", "-", "--from", "2025-01", "--to", "2025-02", "--lang", lang,
                 input=b'{"target": "37\xff200"}')
    assert_clean(result, 2)
    said = {"zh": "<stdin>: 不是 UTF-8 文本", "en": "<stdin>: not UTF-8 text"}[lang]
    assert said in result.stderr, result.stderr


def test_timeline_stdin_over_one_mib_is_refused_as_check_refuses_it():
    big = '{"as_of": "2025-06-01"' + " " * 2**20 + "}"
    result = run("timeline", "-", "--from", "2025-01", "--to", "2025-02", "--lang", "en",
                 input=big)
    assert_clean(result, 2)
    assert "<stdin>: larger than 1 MiB" in result.stderr
    assert result.stdout == ""
