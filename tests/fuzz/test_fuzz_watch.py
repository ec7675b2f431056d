"""``tongcheng watch`` fed a stream of valid lines, hostile documents, mutated lines and bytes.
The contract: every line is applied or rejected (with its number and a reason that can be
written out), the stream goes on to its end, and the command exits 0 or 1."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fuzztools import PACK, assert_contract, documents, examples, json_values, keys, to_text
from hypothesis import given
from hypothesis import strategies as st

from tongcheng.cases.watch import watch_stream
from tongcheng.cli import main

STORY = [
    {"subject": "甲", "on": "2025-05-06", "open": {"target": "370600", "person": {
        "employment": "retired", "pension_place": "370600", "lives_in": "370600"},
        "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "1990-01"}]}},
    {"subject": "甲", "on": "2025-06-03", "event": {"type": "move", "to": "371000"}},
    {"subject": "甲", "on": "2025-07-01", "facts": {"person": {"sex": "male"}}},
    {"advance_to": "2025-10-22"},
    {"subject": "甲", "close": True},
]


@st.composite
def mutated_line(draw) -> dict:
    """A line of the story with one value replaced by anything, or one key added."""
    line = json.loads(json.dumps(draw(st.sampled_from(STORY))))
    holder = line
    while True:
        dicts = [k for k, v in holder.items() if isinstance(v, dict)]
        if not dicts or draw(st.booleans()):
            break
        holder = holder[draw(st.sampled_from(dicts))]
    key = draw(st.sampled_from(list(holder)) | keys)
    holder[key] = draw(json_values)
    return line


lines = (st.sampled_from(STORY).map(lambda d: json.dumps(d).encode())
         | mutated_line().map(lambda d: to_text(d).encode())
         | documents.map(lambda d: to_text(d).encode())
         | st.binary(max_size=30).map(lambda b: b.replace(b"\n", b" ")))


@examples(0.2)
@given(st.lists(lines, min_size=1, max_size=8))
def test_watch_any_stream_goes_to_its_end(stream):
    rejected: list[dict] = []
    emitted: list[dict] = []
    stats = watch_stream(stream, emitted.append, rejected.append, pack=PACK)
    assert stats.lines == len(stream)
    for entry in rejected:
        assert 1 <= entry["line"] <= len(stream) and entry["reason"]
        json.dumps(entry, ensure_ascii=False).encode("utf-8")  # can be written out
    for record in emitted:
        json.dumps(record, ensure_ascii=False).encode("utf-8")


@examples(0.05)
@given(st.lists(lines, min_size=1, max_size=5))
def test_watch_command_exits_0_or_1(stream):
    result = CliRunner().invoke(main, ["watch", "-", "--lang", "en"],
                                input=b"\n".join(stream) + b"\n")
    assert_contract(result, 0, 1)
    assert "lines rejected" in result.stderr
