"""``tongcheng check`` and ``serve`` against the inputs of the review (issue 12): every one is
exit 2 naming the path (JSON) or the line (YAML), promptly, with no traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from hostiletools import SITUATION, assert_clean, laughs, run

from test_languages import foreign
from tongcheng.situation import parse_situation

LONG = "7" * 5000


def check(tmp_path, name: str, content: str | bytes, *args: str, lang: str = "en"):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    started = time.perf_counter()
    result = run("check", path, "--format", "json", "--lang", lang, *args)
    return result, time.perf_counter() - started


# (name, file name, content, words on stderr)
CASES = [
    ("json_integer_of_5000_digits", "s.json",
     '{"as_of": "2025-06-01", "provident_fund": {"outstanding_loans": ' + LONG + "}}",
     ("provident_fund.outstanding_loans", "4,300 digits")),
    ("yaml_integer_of_5000_digits", "s.yaml",
     f"as_of: 2025-06-01\nprovident_fund: {{outstanding_loans: {LONG}}}\n",
     ("s.yaml:2", "4,300 digits")),
    ("json_lone_surrogate_in_a_value", "s.json",
     '{"as_of": "2025-06-01", "request": {"service": "\\ud800"}}',
     ("request.service", "lone surrogate")),
    ("json_lone_surrogate_in_a_key", "s.json",
     '{"as_of": "2025-06-01", "person": {"\\udfff": 1}}', ("person", "lone surrogate")),
    ("yaml_lone_surrogate", "s.yaml", 'as_of: 2025-06-01\nrequest: {service: "\\ud800"}\n',
     ("request.service", "lone surrogate")),
    ("yaml_target_with_a_leading_zero", "s.yaml", "as_of: 2025-06-01\ntarget: 0370200\n",
     ("s.yaml:2", "0370200", "plain decimal")),
    ("yaml_target_with_an_underscore", "s.yaml", "as_of: 2025-06-01\ntarget: 370_200\n",
     ("s.yaml:2", "370_200")),
    ("yaml_target_in_hexadecimal", "s.yaml", "target: 0x5A4D8\n", ("s.yaml:1", "0x5A4D8")),
    ("json_nested_100000_deep", "s.json", '{"person": ' + "[" * 100_000 + "]" * 100_000 + "}",
     ("nested more than",)),
    ("yaml_nested_100000_deep", "s.yaml", "person: " + "[" * 100_000 + "]" * 100_000 + "\n",
     ("nested more than",)),
    ("yaml_billion_laughs", "s.yaml", laughs(), ("aliases repeat more than",)),
    ("yaml_self_referencing_alias", "s.yaml", "person: &p\n  residence: [*p]\n",
     ("s.yaml:2", "alias")),
    ("yaml_python_tag", "s.yaml", "person: !!python/object/apply:os.system ['true']\n",
     ("s.yaml:1", "!!python/object/apply:os.system")),
    ("json_duplicate_key", "s.json", '{"as_of": "2025-06-01", "as_of": "2025-06-02"}',
     ("as_of: duplicate key 'as_of'",)),
    ("json_duplicate_key_deep", "s.json", '{"person": {"sex": "male", "sex": "female"}}',
     ("person.sex: duplicate key 'sex'",)),
    ("not_utf8", "s.json", b'{"as_of": "2025-06-01", "target": "37\xff200"}', ("UTF-8",)),
    ("fullwidth_digits_in_a_month", "s.json", json.dumps({"insurance": [
        {"scheme": "pension", "place": "370200", "from": "２０２０-０１"}]}),
     ("insurance[0].from",)),
]


@pytest.mark.parametrize(("name", "content", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_hostile_situation_exits_2_naming_where(tmp_path, name, content, words):
    result, seconds = check(tmp_path, name, content)
    assert_clean(result, 2)
    assert all(w in result.stderr for w in words), result.stderr
    assert seconds < 10


@pytest.mark.parametrize(("name", "content"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_situation_refused_in_chinese_without_english(tmp_path, name, content):
    """The guards' words are the project's: ``--lang zh`` says each refusal in Chinese."""
    result, _ = check(tmp_path, name, content, lang="zh")
    assert_clean(result, 2)
    said = result.stderr.replace(str(tmp_path / name), "")
    assert said.startswith("错误: 情形无效") and foreign(said, "zh") == [], said


# --- list sizes: documented limits, refused at once ------------------------------------------

PERIOD = {"scheme": "employee_medical", "place": "370200", "from": "2000-01"}


@pytest.mark.parametrize(("path", "key", "item", "limit"), [
    ("insurance", "insurance", PERIOD, 1000),
    ("provident_fund.periods", "provident_fund", {"place": "370200", "from": "2000-01"}, 1000),
    ("cards", "cards", {"kind": "transit", "issuer": "370200"}, 1000),
    ("person.residence", "person", {"place": "370200"}, 1000),
    ("results", "results", {"kind": "medical_test", "place": "370200"}, 1000),
])
def test_a_list_beyond_its_limit_is_refused_naming_it(tmp_path, path, key, item, limit):
    def situation(n: int) -> str:
        items = [item] * n
        inner = {path.split(".")[1]: items} if "." in path else items
        return json.dumps({"as_of": "2025-06-01", "target": "370200", key: inner})

    parse_situation(situation(limit))  # at the limit: valid
    result, _ = check(tmp_path, "big.json", situation(limit + 1))
    assert_clean(result, 2)
    assert f"{path}: at most {limit:,} items, got {limit + 1:,}" in result.stderr


def test_a_hundred_thousand_periods_are_refused_in_seconds_not_27(tmp_path):
    big = {**SITUATION, "insurance": [PERIOD] * 100_000}
    result, seconds = check(tmp_path, "big.json", json.dumps(big))
    assert_clean(result, 2)
    assert "larger than 1 MiB" in result.stderr  # 7 MB of JSON: refused before it is read
    assert seconds < 10
    result, seconds = check(tmp_path, "big.json", json.dumps({**SITUATION,
                                                              "insurance": [PERIOD] * 10_000}))
    assert_clean(result, 2)
    assert "insurance: at most 1,000 items, got 10,000" in result.stderr
    assert seconds < 10
    lines = "".join(f"  - {{scheme: pension, place: '370200', from: 2000-{1 + i % 12:02d}}}\n"
                    for i in range(5000))
    result, seconds = check(tmp_path, "big.yaml", "as_of: 2025-06-01\ninsurance:\n" + lines)
    assert_clean(result, 2)
    assert "a list of more than 1,000 items" in result.stderr
    assert seconds < 10


def test_a_situation_file_over_one_mib_is_refused(tmp_path):
    result, _ = check(tmp_path, "big.json", '{"as_of": "2025-06-01"}' + " " * 2**20)
    assert_clean(result, 2)
    assert "larger than 1 MiB" in result.stderr


def test_stdin_that_is_not_utf8_exits_2():
    result = run("check", "-", "--lang", "en", input=b'{"target": "37\xff"}')
    assert_clean(result, 2)
    assert "<stdin>" in result.stderr and "UTF-8" in result.stderr


def test_hostile_situations_through_a_real_process(tmp_path):
    """The real interpreter, its real stderr encoding: no traceback, exit 2, the path named."""
    for name, content, word in [
        ("lone.json", '{"request": {"service": "\\ud800"}}', "request.service"),
        ("octal.yaml", "target: 0370200\n", "octal.yaml:1"),
    ]:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "tongcheng.cli", "check", str(path),
                               "--lang", "en"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert word in proc.stderr


# --- serve ----------------------------------------------------------------------------------


def test_serve_on_a_port_in_use_exits_2_saying_so():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", port, "--lang", "en")
        zh = run("serve", "--port", port)
    assert_clean(result, 2)
    assert f"127.0.0.1:{port}" in result.stderr
    assert "already in use" in result.stderr
    assert_clean(zh, 2)  # (Chinese by default, as every command)
    assert zh.stderr.startswith(f"错误: 无法在 127.0.0.1:{port} 上监听:该地址已被占用")


def test_serve_on_an_address_that_does_not_resolve_exits_2():
    result = run("serve", "--host", "no-such-host.invalid", "--port", 1, "--lang", "en")
    assert_clean(result, 2)
    assert "no such address" in result.stderr
    zh = run("serve", "--host", "no-such-host.invalid", "--port", 1)
    assert_clean(zh, 2)
    assert "无法在 no-such-host.invalid:1 上监听:没有这个地址" in zh.stderr
