"""``tongcheng schema --events``: the JSON Schema of a watch stream's line accepts every line
the generator of the watch benchmark writes and the README's example, and refuses the shapes
the watcher rejects (checked with an independent validator, jsonschema-rs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema_rs
from click.testing import CliRunner

from tongcheng.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _validator():
    result = CliRunner().invoke(main, ["schema", "--events"])
    assert result.exit_code == 0
    return jsonschema_rs.Draft202012Validator(json.loads(result.output))


def test_every_generated_line_is_valid(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from watch_stream import generate

    info = generate(tmp_path / "e.jsonl", 300, seed=3, sample=0)
    validator = _validator()
    bad = set(info["bad"])
    lines = (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(lines, start=1):
        if number in bad:
            continue
        assert validator.is_valid(json.loads(text)), text


def test_shapes_the_watcher_rejects_are_refused():
    validator = _validator()
    good = [
        {"subject": "王", "on": "2025-05-06", "open": {"target": "370600"}},
        {"subject": "王", "on": "2025-06-03", "event": {"type": "move", "to": "371000"}},
        {"subject": "王", "event": {"type": "move", "to": "371000", "on": "2025-06-03"}},
        {"subject": "王", "on": "2025-07-01", "facts": {"person": {"sex": "male"}}},
        {"advance_to": "2025-10-22"},
        {"subject": "王", "close": True},
    ]
    assert all(validator.is_valid(x) for x in good)
    bad = [
        {"subject": "王", "on": "2025-06-01", "facts": {}, "mood": "happy"},
        {"subject": "王", "on": "2025-06-01"},
        {"subject": "王", "facts": {}, "close": True},
        {"subject": "王", "event": {"type": "teleport", "to": "371000"}},
        {"subject": "王", "open": {"persn": {}}},
        {"on": "2025-06-01", "open": {}},
        {"subject": "王", "close": False},
        {"subject": "", "close": True},
    ]
    for x in bad:
        assert not validator.is_valid(x), x
