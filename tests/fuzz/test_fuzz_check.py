"""``tongcheng check`` fed whatever a client may send: arbitrary JSON values, valid situations with
hostile values at any path, arbitrary bytes and YAML-ish text. The contract: exit 0 (decisions
printed, as JSON) or 2 (the input named), never a traceback, never another code."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fuzztools import assert_contract, documents, examples, to_text
from hypothesis import given
from hypothesis import strategies as st

from tongcheng.cli import main


def check(data: bytes, *args: str):
    return CliRunner().invoke(main, ["check", "-", "--format", "json", *args], input=data)


def assert_decided_or_refused(result) -> None:
    assert_contract(result, 0, 2)
    if result.exit_code == 0:
        out = json.loads(result.stdout)
        assert out["decisions"] and all(d["status"] for d in out["decisions"])


@examples(0.5)
@given(documents)
def test_check_any_json_document(document):
    assert_decided_or_refused(check(to_text(document).encode()))


@examples(0.5)
@given(st.binary(max_size=300))
def test_check_any_bytes(data):
    assert_decided_or_refused(check(data))


YAML_PIECES = ["as_of: 2025-06-01\n", "target: ", "0370200", "370_200", "0x1F", "&a ", "*a",
               "!!python/object:os.system ", "!!binary ", "[", "]", "{", "}", "- ", ": ", "\n",
               "  ", '"\\ud800"', "person:\n  ", "insurance:\n  - ", "<<: *a\n", "? ", "|\n",
               "9" * 5000, "2023-02-29", "~", ".nan", "!!set {a, b}", "---\n", "...\n"]


@examples(0.5)
@given(st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=8), max_size=16))
def test_check_yaml_like_text(pieces):
    assert_decided_or_refused(check("".join(pieces).encode("utf-8", "surrogatepass")))
