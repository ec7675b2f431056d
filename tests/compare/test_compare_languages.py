"""``tongcheng compare`` says what stops it, its closing line and the reasons of its rejects in
the run's language: Chinese by default (no English sentence of ours left), English with
``--lang en``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from langtools import in_both, said

# a person born after the base side's date: valid as read, refused by that side
PEOPLE = [{"id": "a", "as_of": "2025-06-01", "target": "370200",
           "person": {"birth_date": "1950-01-01"}},
          {"id": "b", "as_of": "2025-06-01", "target": "370200",
           "person": {"birth_date": "2022-03-01"}}]
ENGLISH = re.compile(r"\b(error|expected|cannot|no such|not a|calendar|date|compared|rows|"
                     r"decided|changed|rejected|sides?)\b", re.IGNORECASE)


def compare(tmp_path: Path, *args, lang: str | None = None) -> tuple[str, int]:
    return said("compare", tmp_path, *args, lang=lang)


def both(tmp_path: Path, *args, zh: str, en: str, code: int = 2) -> None:
    in_both("compare", ENGLISH, tmp_path, *args, zh=zh, en=en, code=code)


def _people(tmp_path: Path) -> Path:
    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PEOPLE), encoding="utf-8")
    return path


def test_a_missing_population(tmp_path):
    both(tmp_path, tmp_path / "none.parquet", "-o", tmp_path / "r",
         zh="错误: <tmp>/none.parquet:没有这个文件", en="error: <tmp>/none.parquet: no such file")


def test_a_side_given_wrongly(tmp_path):
    people = _people(tmp_path)
    both(tmp_path, people, "-o", tmp_path / "r", "--new", "bundled@2026-02-30",
         zh="'bundled@2026-02-30':2026-02-30 不是日历上存在的日期",
         en="'bundled@2026-02-30': 2026-02-30 is not a calendar date")


def test_a_population_that_is_not_parquet(tmp_path):
    src = tmp_path / "people.parquet"
    src.write_bytes(b"not parquet at all")
    said, code = compare(tmp_path, src, "-o", tmp_path / "r")
    assert code == 2 and "<tmp>/people.parquet:不是可读取的 Parquet 文件" in said, said
    said, code = compare(tmp_path, src, "-o", tmp_path / "r", lang="en")
    assert code == 2 and "not a readable Parquet file" in said, said


def test_the_closing_line_and_the_rejects_in_the_run_language(tmp_path):
    people = _people(tmp_path)
    for lang in ("zh", "en"):
        out = tmp_path / lang
        said, code = compare(tmp_path, people, "-o", out, "--base", "bundled@2020-01-01",
                             "--new", "bundled@2025-06-01", "--no-html",
                             lang=None if lang == "zh" else "en")
        assert code == 1, said
        closing = said.strip().splitlines()[-1]
        reject = json.loads((out / "rejects.jsonl").read_text(encoding="utf-8"))
        assert reject["id"] == "b" and reject["problems"][0]["path"] == "person.birth_date"
        if lang == "zh":
            assert closing.startswith("已比较 2 行") and "拒收 1 行" in closing, closing
            assert not ENGLISH.search(closing), closing
            assert "日期晚于评估日期 as_of(2020-01-01)" in reject["reason"], reject
        else:
            assert closing.startswith("compared 2 rows") and "1 rejected" in closing, closing
            assert "date after as_of (2020-01-01)" in reject["reason"], reject
