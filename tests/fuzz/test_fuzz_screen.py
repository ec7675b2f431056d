"""Screening fed arbitrary rows in each format: JSON Lines of any documents and bytes, CSV of
any cells, Parquet of hostile values in the layout's own types (dates Python cannot hold, NaN
amounts, any text). The contract: the file is read (or refused whole as a bad file), and every
input row is either written or rejected — input rows = written + rejected, each row once.

Driven through the functions behind ``tongcheng screen`` (``batch.io``: the readers, a chunk's
screening and its rejects) with small chunks, so that rows cross chunk boundaries; a real run of
the command is in tests/hostile."""

from __future__ import annotations

import csv
import functools
import io as _io
import json
import tempfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fuzztools import PACK, documents, examples, mutated_situations, texts, to_text
from hypothesis import given
from hypothesis import strategies as st

from tongcheng.batch import io
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.batch.layout import LayoutError

RULES = ["medical_insurance.contribution_years_recognition", "provident_fund.cross_city_loan",
         "services.cross_city_handling"]
WORKDIR = Path(tempfile.mkdtemp(prefix="tongcheng-fuzz-screen-"))


@functools.cache
def engine() -> BatchEvaluator:
    return BatchEvaluator(PACK, rules=RULES)


def assert_every_row_accounted(path: Path, fmt: str, rows: int | None) -> None:
    """Written and rejected rows are exactly rows 0..rows-1 (``None``: as many as the reader
    read — CSV records are the csv module's to split)."""
    written: list[int] = []
    rejected: list[int] = []
    read = 0
    try:
        for chunk in io.read(path, fmt, 3, None):
            read += chunk.rows
            result = io.screen_chunk(engine(), chunk)
            if result is not None:
                written += result["_row"].to_list()
            rejected += [r.row for r in chunk.rejects]
            for r in chunk.rejects:
                assert r.problems and all(en and zh for _, en, zh in r.problems)
                for lang in ("zh", "en"):  # every reason can be written out, in both languages
                    r.to_json(lang).encode("utf-8")
    except LayoutError as e:  # a bad file: exit 2, said whole
        assert str(e)
        return
    assert sorted(written + rejected) == list(range(read if rows is None else rows))


# --- JSON Lines -------------------------------------------------------------------------------

jsonl_lines = (documents.map(lambda d: to_text(d).encode())
               | st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ")))


@examples(0.3)
@given(st.lists(jsonl_lines, min_size=1, max_size=6))
def test_screen_json_lines_of_anything(lines):
    path = WORKDIR / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert_every_row_accounted(path, "jsonl", len(lines))


# --- CSV ----------------------------------------------------------------------------------------

COLUMNS = ["id", "as_of", "target", "person.birth_date", "person.sex", "person.hukou",
           "provident_fund.balance", "provident_fund.outstanding_loans", "insurance", "cards",
           "request.service"]


def _cell(situation: dict, column: str) -> str:
    head, _, rest = column.partition(".")
    value = situation.get(head)
    if rest:
        value = value.get(rest) if isinstance(value, dict) else None
    if value is None:
        return ""
    return to_text(value) if isinstance(value, list | dict) else str(value)


cells = texts | st.sampled_from(["1", "0", "-1", "9" * 5000, "1.005", "[" * 300, "[]",
                                 '[{"kind": "transit", "issuer": "370200"}]', "true"])


@st.composite
def csv_records(draw) -> bytes:
    situation = draw(mutated_situations())
    row = [_cell(situation, c) for c in COLUMNS]
    for i in draw(st.lists(st.integers(0, len(COLUMNS) - 1), max_size=3)):
        row[i] = draw(cells)
    buffer = _io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    # a lone surrogate goes out as the bytes a broken encoder writes: not UTF-8
    return buffer.getvalue().encode("utf-8", "surrogatepass")


@examples(0.2)
@given(st.lists(csv_records() | st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"") +
                                                             b"\n"), min_size=1, max_size=5))
def test_screen_csv_of_any_cells(records):
    path = WORKDIR / "fuzz.csv"
    path.write_bytes(",".join(COLUMNS).encode() + b"\n" + b"".join(records))
    assert_every_row_accounted(path, "csv", None)


# --- Parquet ----------------------------------------------------------------------------------

_S = pa.string()
SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("as_of", pa.date32()),
    ("target", _S),
    ("person", pa.struct([("birth_date", pa.date32()), ("sex", _S), ("hukou", _S),
                          ("employment", _S), ("retired_on", pa.date32())])),
    ("insurance", pa.list_(pa.struct([("scheme", _S), ("place", _S), ("from", _S), ("to", _S),
                                      ("deemed", pa.bool_())]))),
    ("provident_fund", pa.struct([("balance", pa.float64()), ("outstanding_loans", pa.int64())])),
    ("cards", pa.list_(pa.struct([("kind", _S), ("issuer", _S)]))),
    ("request", pa.struct([("service", _S), ("hospital_grade", pa.int64())])),
])
EPOCH = date(1970, 1, 1)
days = st.integers(-2**31, 2**31 - 1) | st.integers(-800_000, 3_000_000)
def _utf8(text: str) -> bool:
    """Arrow text is UTF-8: a lone surrogate cannot be written to Parquet at all."""
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


utf8_texts = texts.filter(_utf8)


def _days(value: object) -> int | None:
    try:
        return (date.fromisoformat(str(value)) - EPOCH).days
    except ValueError:
        return None


def _fit(value: object, typ: pa.DataType, draw) -> object:
    """``value`` in the schema's type, or a hostile value of that type."""
    hostile = draw(st.integers(0, 5)) == 0
    if pa.types.is_struct(typ):
        value = value if isinstance(value, dict) else {}
        return {f.name: _fit(value.get(f.name), f.type, draw) for f in typ}
    if pa.types.is_list(typ):
        if not isinstance(value, list):
            return None
        return [_fit(v, typ.value_type, draw) for v in value[:3]]
    if pa.types.is_date32(typ):
        return draw(days) if hostile else (_days(value) if value is not None else None)
    if pa.types.is_float64(typ):
        if hostile:
            return draw(st.floats())
        return float(value) if isinstance(value, int | float) else None
    if pa.types.is_int64(typ):
        if hostile:
            return draw(st.integers(-2**63, 2**63 - 1))
        return value if isinstance(value, int) and abs(value) < 2**63 else None
    if pa.types.is_boolean(typ):
        return value if isinstance(value, bool) else None
    if hostile:
        return draw(utf8_texts)
    return value if isinstance(value, str) and _utf8(value) else None


@st.composite
def parquet_rows(draw) -> dict:
    situation = draw(mutated_situations())
    return {f.name: _fit(situation.get(f.name), f.type, draw) for f in SCHEMA if f.name != "id"}


@examples(0.2)
@given(st.lists(parquet_rows(), min_size=1, max_size=6))
def test_screen_parquet_of_hostile_values(rows):
    rows = [{"id": i, **r} for i, r in enumerate(rows)]
    path = WORKDIR / "fuzz.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), path)
    assert_every_row_accounted(path, "parquet", len(rows))


def test_fuzz_rows_are_written_as_json(tmp_path):
    """The JSON Lines written above are what a client sends (a sanity check of the tools)."""
    text = to_text({"request": {"service": "\ud800"}, "n": "\x00BIG\x00"})
    assert '"\\ud800"' in text and "9" * 5000 in text
    assert json.loads(text.replace("9" * 5000, "1"))
