"""``tongcheng screen`` says what stops it, and why a rule is decided row by row, in the run's
language: Chinese by default (no English sentence of ours left in it), English with
``--lang en``. And every error of the population's layout, of a format option and of a rule that
does not compile carries its Chinese where it is raised (a source scan keeps new ones honest)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tongcheng
from langtools import in_both, said

ROOT = Path(__file__).resolve().parents[2]
RULE_ERRORS_PACK = ROOT / "tests" / "packs" / "screen-rule-errors"
GOOD = {"as_of": "2025-06-01", "target": "370200", "person": {"sex": "female"}}
# words of our English sentences: none may be left in a Chinese run's stderr
ENGLISH = re.compile(r"\b(error|expected|column|cannot|no such|unknown|given|note|decided|"
                     r"reference|evaluator|comparison|folder|file|header|line|rows?|readable|"
                     r"did you mean|names|ends in)\b", re.IGNORECASE)


def screen(tmp_path: Path, *args, lang: str | None = None) -> tuple[str, int]:
    return said("screen", tmp_path, *args, lang=lang)


def both(tmp_path: Path, *args, zh: str, en: str, code: int = 2) -> None:
    in_both("screen", ENGLISH, tmp_path, *args, zh=zh, en=en, code=code)


@pytest.fixture()
def good(tmp_path):
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    return path


def test_a_missing_input_file(tmp_path):
    both(tmp_path, tmp_path / "missing.jsonl", "-o", tmp_path / "out.parquet",
         zh="错误: <tmp>/missing.jsonl:没有这个文件", en="error: <tmp>/missing.jsonl: no such file")


def test_an_unknown_rule_names_the_nearest(tmp_path, good):
    wrong = "medical_insurance.contribution_years_recogniton"
    both(tmp_path, good, "-o", tmp_path / "out.parquet", "--rule", wrong,
         zh=f"未知的规则 '{wrong}'(是否应为 'medical_insurance.contribution_years_recognition'?)",
         en=f"unknown rule '{wrong}' (did you mean")


def test_an_output_in_no_folder(tmp_path, good):
    both(tmp_path, good, "-o", tmp_path / "no" / "out.parquet",
         zh="<tmp>/no/out.parquet:没有文件夹 '<tmp>/no'", en="no such folder '<tmp>/no'")


def test_a_format_option_that_contradicts_the_output(tmp_path, good):
    both(tmp_path, good, "-o", tmp_path / "out.csv", "--output-format", "jsonl",
         zh="--output-format 为 jsonl,但 <tmp>/out.csv 的扩展名是 .csv", en="ends in .csv")


@pytest.mark.parametrize(("content", "zh", "en"), [
    (b"as_of,persn.sex\n2025-06-01,male\n", "未知的 CSV 列 'persn.sex'",
     "unknown CSV column 'persn.sex'"),
    (b"id,target,target\n1,370200,370200\n", "第 1 行:列 'target' 出现了两次",
     "line 1: column 'target' given twice"),
    (b"id,tar\xffget\n", "第 1 行:表头不是 UTF-8 文本", "the header is not UTF-8 text"),
    (b"", "空文件:应有一行表头", "an empty file: expected a header line"),
])
def test_a_csv_file_with_a_bad_header(tmp_path, content, zh, en):
    src = tmp_path / "people.csv"
    src.write_bytes(content)
    both(tmp_path, src, "-o", tmp_path / "out.parquet", zh=zh, en=en)


@pytest.mark.parametrize(("table", "zh", "en"), [
    (pa.table({"person": pa.array(["x"])}), "列 'person':应为结构(对象),实际类型为 `string`",
     "column 'person': expected a struct (an object), got string"),
    (pa.table({"target": pa.array([1.5])}), "列 'target':应为字符串形式的六位行政区划代码",
     "column 'target': expected six-digit place codes as strings"),
    (pa.table({"insurance": pa.array([1])}), "列 'insurance':应为结构的列表",
     "column 'insurance': expected a list of structs"),
    (pa.table({"persn.sex": pa.array(["male"])}), "未知的列 'persn.sex'(是否应为 'person'?)",
     "unknown column 'persn.sex' (did you mean 'person'?)"),
])
def test_a_parquet_file_whose_columns_break_the_layout(tmp_path, table, zh, en):
    src = tmp_path / "people.parquet"
    pq.write_table(table, src)
    both(tmp_path, src, "-o", tmp_path / "out.parquet", zh=zh, en=en)


def test_a_file_that_is_not_parquet(tmp_path):
    src = tmp_path / "people.parquet"
    src.write_bytes(b"not parquet at all")
    said, code = screen(tmp_path, src, "-o", tmp_path / "out.parquet")
    assert code == 2 and "<tmp>/people.parquet:不是可读取的 Parquet 文件(“" in said, said
    # Arrow's own words stay, quoted, as the detail; ours are Chinese
    assert not ENGLISH.search(said.split("“")[0]), said
    said, code = screen(tmp_path, src, "-o", tmp_path / "out.parquet", lang="en")
    assert code == 2 and "people.parquet: not a readable Parquet file" in said


def test_a_rule_decided_row_by_row_is_noted_in_the_run_language(tmp_path, good):
    args = (good, "-o", tmp_path / "out.parquet", "--pack", RULE_ERRORS_PACK)
    said, code = screen(tmp_path, *args)
    assert code in (0, 1), said
    note = said.splitlines()[0]
    assert note == "注意:test.kinds 由参考求值器逐行判定(比较文本与整数)", said
    said, code = screen(tmp_path, *args, lang="en")
    assert said.splitlines()[0] == ("note: test.kinds is decided by the reference evaluator "
                                    "(comparison of str and int)"), said


def test_an_input_the_system_refuses_is_said_in_chinese(tmp_path):
    folder = tmp_path / "people.jsonl"  # a folder with a file's name: opening it fails
    folder.mkdir()
    both(tmp_path, folder, "-o", tmp_path / "out.parquet", zh="<tmp>/people.jsonl:这是一个文件夹",
         en="Is a directory")


# --- every raise site carries its Chinese -----------------------------------------------------

# the errors said in both languages, and the arguments a call needs (the English, the Chinese)
WORDED = {"LayoutError": 2, "NotCompilable": 2, "FormatError": 2, "SideError": 2,
          "_kind_error": 4, "_exactly": 3}
_HAN = re.compile(r"[\u3400-\u9fff]")


def _calls(root: Path):
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in WORDED:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", name, node


def _han_in(node: ast.expr) -> bool:
    """Whether an argument holds Chinese (in its constant parts), or passes on a ``zh``."""
    if isinstance(node, ast.Name) and node.id == "zh":
        return True
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _HAN.search(n.value)
               for n in ast.walk(node))


def test_every_worded_error_is_raised_with_its_chinese():
    package = Path(tongcheng.__file__).parent
    seen = 0
    missing = []
    for where, name, call in [*_calls(package / "batch"), *_calls(package / "compare")]:
        seen += 1
        args = list(call.args) + [k.value for k in call.keywords if k.arg == "zh"]
        if len(args) < WORDED[name] or not _han_in(args[WORDED[name] - 1]):
            missing.append(f"{where}: {name}(...) without its Chinese")
    assert not missing, "\n".join(missing)
    assert seen > 80  # the scan finds the sites (about 60 NotCompilable, 20 LayoutError)
