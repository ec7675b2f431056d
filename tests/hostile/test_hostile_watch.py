"""``tongcheng watch`` against the lines of the review (issue 12): each bad line is a reject with
its line number and reason, and the stream goes on (the lines after it are applied)."""

from __future__ import annotations

import json

import pytest
from hostiletools import assert_clean, run

OPEN = {"subject": "甲", "on": "2025-05-06", "open": {"target": "370600", "person": {
    "employment": "retired", "pension_place": "370600", "lives_in": "370600"}}}
CLOSE = {"subject": "甲", "close": True}

# (name, the line, words of its reject)
LINES = [
    ("nested_100000_deep", b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels deep"),
    ("nested_facts", json.dumps({"subject": "甲", "on": "2025-05-07", "facts": {"person": {
        "x": json.loads("[" * 200 + "]" * 200)}}}).encode(), "nested more than 64 levels deep"),
    ("number_of_5000_digits",
     b'{"subject": "\xe7\x94\xb2", "on": "2025-05-07", "facts": {"provident_fund": '
     b'{"balance": ' + b"9" * 5000 + b"}}}",
     "facts.provident_fund.balance: a number longer than 4,300 digits"),
    ("lone_surrogate_subject", b'{"subject": "\\ud800", "close": true}',
     "subject: the string '\\ud800' holds a lone surrogate"),
    ("lone_surrogate_fact", b'{"subject": "\\u7532", "on": "2025-05-07", "facts": {"request": '
     b'{"service": "\\udfff"}}}', "facts.request.service"),
    ("duplicate_keys", b'{"subject": "\\u7532", "close": true, "close": true}',
     "duplicate key 'close'"),
    ("not_utf8", b'{"subject": "\xff", "close": true}', "not UTF-8"),
]


@pytest.mark.parametrize(("bad", "words"), [(b, w) for _, b, w in LINES],
                         ids=[name for name, _, _ in LINES])
def test_a_bad_line_is_a_reject_and_the_stream_goes_on(tmp_path, bad, words):
    lines = [json.dumps(OPEN).encode(), bad, json.dumps(CLOSE).encode()]
    rejects = tmp_path / "rejects.jsonl"
    result = run("watch", "--lang", "en", "-", "--rejects", rejects,
                 input=b"\n".join(lines) + b"\n")
    assert_clean(result, 1)
    entries = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert [e["line"] for e in entries] == [2]
    assert words in entries[0]["reason"]
    assert "1 cases opened, 1 closed" in result.stderr  # the lines before and after applied
    assert "1 lines rejected" in result.stderr


def test_rejects_on_stderr_are_printable(tmp_path):
    lines = [b'{"subject": "\\ud800", "close": true}', b'{"subject": "\xfe", "close": true}']
    result = run("watch", "--lang", "en", "-", input=b"\n".join(lines) + b"\n")
    assert_clean(result, 1)
    assert "line 1: subject: the string '\\ud800'" in result.stderr
    assert "line 2: not UTF-8" in result.stderr


def test_a_line_without_end_is_a_reject_read_past_in_pieces(tmp_path):
    """3 MiB without a newline (then the lines after it): one reject, the stream goes on."""
    huge = b'{"subject": "' + b"x" * (3 * 2**20) + b'", "close": true}'
    lines = [json.dumps(OPEN).encode(), huge, json.dumps(CLOSE).encode()]
    rejects = tmp_path / "rejects.jsonl"
    result = run("watch", "--lang", "en", "-", "--rejects", rejects,
                 input=b"\n".join(lines) + b"\n")
    assert_clean(result, 1)
    entries = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert entries == [{"line": 2, "reason": "a line longer than 1 MiB"}]
    assert "1 cases opened, 1 closed" in result.stderr


def test_a_last_line_without_end_and_without_newline_is_a_reject(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_bytes(json.dumps(OPEN).encode() + b"\n" + b"[" * (2 * 2**20))
    result = run("watch", "--lang", "en", events)
    assert_clean(result, 1)
    assert "line 2: a line longer than 1 MiB" in result.stderr
    assert "watched 2 lines" in result.stderr and "1 cases opened" in result.stderr


@pytest.mark.parametrize(("option", "target", "words"), [
    ("--output", "no-such-folder/out.jsonl", "no such folder"),
    ("--rejects", "no-such-folder/rejects.jsonl", "no such folder"),
    ("--output", ".", "is a folder"),
    ("--rejects", ".", "is a folder"),
])
def test_an_output_that_cannot_be_written_exits_2_before_the_stream(tmp_path, option, target,
                                                                     words):
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(OPEN) + "\n", encoding="utf-8")
    path = tmp_path / target
    result = run("watch", "--lang", "en", events, option, path)
    assert_clean(result, 2)
    assert words in result.stderr and str(path) in result.stderr, result.stderr
    assert "watched" not in result.stderr  # refused before a line was read


def test_events_that_are_a_folder_or_missing_exit_2(tmp_path):
    for events, words in [(tmp_path, "is a folder"), (tmp_path / "none.jsonl", "no such file")]:
        result = run("watch", "--lang", "en", events)
        assert_clean(result, 2)
        assert words in result.stderr.lower(), result.stderr


@pytest.mark.parametrize(("lang", "words"), [("zh", "已终止。"), ("en", "Terminated.")])
def test_sigterm_while_waiting_for_lines_ends_as_ctrl_c_does_with_143(tmp_path, lang, words):
    """A service manager stopping a watch that waits on its stream: the notifications written so
    far kept whole, the store's last commit kept, the stop said, exit 128 + SIGTERM."""
    import os
    import signal
    import subprocess
    import sys
    import time

    store = tmp_path / "cases.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongcheng.cli", "watch", "-", "--store", str(store),
         "--lang", lang], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write((json.dumps(OPEN, ensure_ascii=False) + "\n").encode())
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not store.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the first line applied and committed (--commit-every 1 on stdin)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    stderr = err.decode("utf-8")
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and stderr.strip().endswith(words), stderr
    assert all(json.loads(line) for line in out.decode().splitlines())  # whole lines only
    # the store opens and holds the case the committed line opened
    again = subprocess.run(
        [sys.executable, "-m", "tongcheng.cli", "watch", "-", "--store", str(store),
         "--lang", "en"], input=(json.dumps(OPEN, ensure_ascii=False) + "\n").encode(),
        capture_output=True, timeout=120, env={**os.environ})
    assert again.returncode == 0, again.stderr.decode()
    assert "1 still open" in again.stderr.decode()
