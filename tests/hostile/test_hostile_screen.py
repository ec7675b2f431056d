"""``tongcheng screen`` against the files of the review (issue 12). A file that is not what its
format says is exit 2 naming the file (and the rows); a bad row is a reject naming its reason and
the run goes on: every input row is written or rejected, never lost with the run."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostiletools import assert_clean, run

GOOD = {"as_of": "2025-06-01", "target": "370200",
        "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "2000-01",
                       "to": "2015-12"}]}
RECOGNITION = "medical_insurance.contribution_years_recognition"


def screen(tmp_path, name: str, content: bytes | pa.Table, *args: str):
    """Screen one input; (result, written rows' numbers, rejects by row)."""
    src = tmp_path / name
    if isinstance(content, pa.Table):
        pq.write_table(content, src)
    else:
        src.write_bytes(content)
    out = tmp_path / "out.parquet"
    result = run("screen", src, "-o", out, "--rule", RECOGNITION, "--lang", "en", *args)
    written = pl.read_parquet(out)["_row"].to_list() if out.exists() else None
    rejects_file = tmp_path / "out.parquet.rejects.jsonl"
    rejects = {}
    if rejects_file.exists():
        for line in rejects_file.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            rejects[entry["row"]] = entry
    return result, written, rejects


def assert_all_accounted(written, rejects, rows: int) -> None:
    """Input rows = written + rejected, each row once."""
    assert sorted([*written, *rejects]) == list(range(rows))


# --- Parquet files that are not Parquet ----------------------------------------------------


def _parquet_bytes(tmp_path) -> bytes:
    path = tmp_path / "ok.parquet"
    pq.write_table(pa.Table.from_pylist([{"as_of": "2025-06-01", "target": "370200"}] * 50),
                   path)
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["empty", "truncated", "garbage", "damaged_page"])
def test_a_file_that_is_not_readable_parquet_exits_2_naming_it(tmp_path, kind):
    raw = _parquet_bytes(tmp_path)
    content = {"empty": b"", "truncated": raw[: len(raw) // 2],
               "garbage": b"PAR1" + b"\x00garbage" * 50 + b"PAR1",
               "damaged_page": raw[:4] + bytes(b ^ 0x5A for b in raw[4:len(raw) // 2])
               + raw[len(raw) // 2:]}[kind]
    result, _, rejects = screen(tmp_path, "people.parquet", content)
    assert_clean(result, 2)
    assert "people.parquet" in result.stderr
    assert not rejects


def test_parquet_text_that_is_not_utf8_exits_2_naming_the_column(tmp_path):
    values = pa.py_buffer(b"370200\xff\xfe")
    offsets = pa.py_buffer(pa.array([0, 6, 8], pa.int32()).buffers()[1])
    target = pa.Array.from_buffers(pa.string(), 2, [None, offsets, values])
    result, _, _ = screen(tmp_path, "people.parquet", pa.table({"target": target}))
    assert_clean(result, 2)
    assert "people.parquet: rows 0-1: column 'target'" in result.stderr
    assert "UTF8" in result.stderr


def test_flat_parquet_in_a_fresh_process_needs_no_lucky_import(tmp_path):
    """``batch.layout`` used ``pyarrow.compute`` without importing it."""
    code = ("import pyarrow as pa\nfrom tongcheng.batch.layout import nest\n"
            "t = nest(pa.table({'person.sex': ['male', None], 'target': ['370200', None]}))\n"
            "print(t.column('person').to_pylist())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[{'sex': 'male'}, None]"


# --- Parquet dates Python cannot hold; one validation for every format ---------------------

YEAR_0 = (date(1, 1, 1) - date(1970, 1, 1)).days - 366  # 0000-01-01 (proleptic)
YEAR_10000 = (date(9999, 12, 31) - date(1970, 1, 1)).days + 1


def test_parquet_dates_before_year_1_or_after_9999_are_rejects(tmp_path):
    table = pa.table({
        "as_of": pa.array([YEAR_0, YEAR_10000, 20240], pa.date32()),
        "target": ["370200"] * 3,
        "person": pa.array([None, {"birth_date": YEAR_0}, {"birth_date": -7000}],
                           pa.struct([("birth_date", pa.date32())])),
    })
    result, written, rejects = screen(tmp_path, "people.parquet", table)
    assert_clean(result, 1)
    assert written == [2]
    assert [p["path"] for p in rejects[0]["problems"]] == ["as_of"]
    assert {p["path"] for p in rejects[1]["problems"]} == {"as_of", "person.birth_date"}
    assert "10000-01-01" in rejects[1]["reason"]


def test_a_parquet_row_is_rejected_exactly_as_its_json_lines_twin(tmp_path):
    table = pa.table({"as_of": pa.array([YEAR_0], pa.date32()),
                      "person": pa.array([None], pa.struct([("sex", pa.string())]))})
    result, written, from_parquet = screen(tmp_path, "people.parquet", table)
    assert_clean(result, 1)
    assert written == []
    result, written, from_jsonl = screen(tmp_path, "people.jsonl",
                                         b'{"as_of": "0000-01-01", "person": null}\n')
    assert_clean(result, 1)
    assert written == []
    assert from_parquet[0]["problems"] == from_jsonl[0]["problems"]
    assert from_parquet[0]["problems"][0]["path"] == "as_of"


# --- CSV ------------------------------------------------------------------------------------

CSV_HEAD = "id,as_of,target,provident_fund.outstanding_loans,insurance\n"


def csv_row(id_: str, loans: str = "", insurance: str = "") -> str:
    quoted = '"' + insurance.replace('"', '""') + '"' if insurance else ""
    return f"{id_},2025-06-01,370200,{loans},{quoted}\n"


CSV_ROWS = [  # (row, what the reject must say, or None when the row is valid)
    (csv_row("ok1", "1"), None),
    (csv_row("superscript", "²"), "expected a whole number, got the string '²'"),
    (csv_row("circled", "①"), "expected a whole number, got the string '①'"),
    (csv_row("fullwidth", "１"), "expected a whole number"),
    (csv_row("long", "9" * 5000), "(5,000 characters)"),
    (csv_row("deep", "", "[" * 5000 + "]" * 5000), "nested more than 64 levels deep"),
    (csv_row("big_cell", "", "x" * (140 * 1024)), "a cell longer than 128 KiB"),
    (csv_row("lone", "", '[{"scheme": "\\ud800"}]'), "insurance[0].scheme: the string"),
    (csv_row("long_place", "", '[{"scheme": "pension", "place": ' + "9" * 5000 + "}]"),
     "insurance[0].place: a number longer than 4,300 digits"),
    (csv_row("dup", "", '[{"scheme": "pension", "scheme": "pension"}]'), "duplicate key"),
    (csv_row("ok2", "2"), None),
]


def test_csv_bad_rows_are_rejects_with_their_reasons_and_the_run_goes_on(tmp_path):
    content = (CSV_HEAD + "".join(r for r, _ in CSV_ROWS)).encode("utf-8")
    content += b"bytes,2025-06-01,37\xff200,,\n" + csv_row("ok3").encode()
    result, written, rejects = screen(tmp_path, "people.csv", content)
    assert_clean(result, 1)
    expected = [i for i, (_, why) in enumerate(CSV_ROWS) if why is None] + [len(CSV_ROWS) + 1]
    assert written == expected
    for i, (_, why) in enumerate(CSV_ROWS):
        if why is not None:
            assert why in rejects[i]["reason"], (i, rejects[i])
    assert "not UTF-8 text (byte 0xff)" in rejects[len(CSV_ROWS)]["reason"]
    assert f"line {len(CSV_ROWS) + 2}" in rejects[len(CSV_ROWS)]["reason"]
    assert_all_accounted(written, rejects, len(CSV_ROWS) + 2)
    ids = pl.read_parquet(tmp_path / "out.parquet")["id"].to_list()
    assert ids == ["ok1", "ok2", "ok3"]


@pytest.mark.parametrize(("content", "words"), [
    (b"", "an empty file"),
    (b"id,target,target\n1,370200,370200\n", "column 'target' given twice"),
    (b"id,tar\xffget\n", "the header is not UTF-8 text"),
])
def test_a_csv_file_without_a_usable_header_exits_2(tmp_path, content, words):
    result, _, _ = screen(tmp_path, "people.csv", content)
    assert_clean(result, 2)
    assert words in result.stderr


# --- JSON Lines -----------------------------------------------------------------------------

JSONL_ROWS = [  # (line, what the reject must say, or None when the row is valid)
    (json.dumps({"id": "p1", **GOOD}).encode(), None),
    (b'{"as_of": "2025-06-01", "request": {"service": "\\ud800"}}', "request.service"),
    (b'{"as_of": "2025-06-01", "\\udc00x": 1}', "lone surrogate"),
    (b"[" * 100_000, "nested more than 64 levels deep"),
    (b'{"as_of": "2025-06-01", "provident_fund": {"balance": ' + b"1" * 5000 + b"}}",
     "provident_fund.balance: a number longer than 4,300 digits"),
    (b'{"id": 17, "as_of": "2025-06-01"}', None),
    (b'{"id": {"x": 1}, "as_of": "2025-06-01"}', "id: expected a string or a whole number"),
    (b'{"as_of": "2025-06-01", "target": "37\xff200"}', "not UTF-8 text"),
    (b"", "empty line"),
    (json.dumps({**GOOD, "insurance": GOOD["insurance"] * 1001}).encode(),
     "insurance: at most 1,000 items, got 1,001"),
    (b'{"as_of": "2025-06-01", "x": "' + b"y" * (3 * 2**20) + b'"}',
     "a line longer than 1 MiB"),
    (json.dumps(GOOD).encode(), None),  # the line after it is read as it was written
]


def test_json_lines_bad_rows_are_rejects_and_ids_are_carried(tmp_path):
    content = b"\n".join(r for r, _ in JSONL_ROWS) + b"\n"
    result, written, rejects = screen(tmp_path, "people.jsonl", content)
    assert_clean(result, 1)
    assert written == [i for i, (_, why) in enumerate(JSONL_ROWS) if why is None]
    for i, (_, why) in enumerate(JSONL_ROWS):
        if why is not None:
            assert why in rejects[i]["reason"], (i, rejects[i])
    assert_all_accounted(written, rejects, len(JSONL_ROWS))
    assert pl.read_parquet(tmp_path / "out.parquet")["id"].to_list() == ["p1", "17", None]


def test_lists_beyond_their_limits_are_rejects_in_parquet_too(tmp_path):
    period = {"scheme": "employee_medical", "place": "370600", "from": "2000-01"}
    table = pa.Table.from_pylist([GOOD, {**GOOD, "insurance": [period] * 1001}])
    result, written, rejects = screen(tmp_path, "people.parquet", table)
    assert_clean(result, 1)
    assert written == [0]
    assert "insurance: at most 1,000 items, got 1,001" in rejects[1]["reason"]


# --- the rejects file -------------------------------------------------------------------------


def test_no_empty_rejects_file_is_left_and_no_stale_one_either(tmp_path):
    stale = tmp_path / "out.parquet.rejects.jsonl"
    stale.write_text('{"row": 0, "reason": "from an earlier run"}\n', encoding="utf-8")
    result, written, rejects = screen(tmp_path, "people.jsonl", json.dumps(GOOD).encode())
    assert_clean(result, 0)
    assert written == [0] and not rejects
    assert not stale.exists()


@pytest.mark.parametrize(("where", "words", "zh"), [("output", "no such folder", "没有文件夹"),
                                                   ("rejects", "no such folder", "没有文件夹"),
                                                   ("folder", "is a folder", "这是一个文件夹")])
def test_an_output_that_cannot_be_written_exits_2_before_the_run(tmp_path, where, words, zh):
    src = tmp_path / "people.jsonl"
    src.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    out = {"output": tmp_path / "no" / "out.parquet", "folder": tmp_path}.get(
        where, tmp_path / "out.parquet")
    args = ["--rejects", tmp_path / "no" / "r.jsonl"] if where == "rejects" else []
    result = run("screen", src, "-o", out, *args, "--lang", "en")
    assert_clean(result, 2)
    assert words in result.stderr
    result = run("screen", src, "-o", out, *args)  # Chinese by default: no English left
    assert_clean(result, 2)
    assert zh in result.stderr and words not in result.stderr and "error" not in result.stderr
