"""Where ``screen`` writes its decisions: Parquet, CSV or JSON Lines, chosen by
``--output-format`` or by the output's suffix, never confused with the input's format.

``--input-format`` (formerly ``--format``, still accepted) names the format of INPUT; a value
that contradicts INPUT's own suffix under the old name is refused with a message saying which
option names what, as is an ``--output-format`` that contradicts OUTPUT's suffix: no more a
traceback for a Parquet file read as CSV, nor a Parquet file named ``.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from tongcheng.errors import Worded

FORMATS = ("parquet", "csv", "jsonl")
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".json": "jsonl"}


class FormatError(Worded, ValueError):
    """A format option that contradicts a file's name (the message says which option is what,
    in English and in Chinese)."""


def by_suffix(path: str | Path) -> str | None:
    return SUFFIXES.get(Path(path).suffix.lower())


def output_format(output: str | Path, given: str | None) -> str:
    """The output's format: ``--output-format`` if given (it must agree with a known suffix),
    else the suffix's, else Parquet."""
    named = by_suffix(output)
    if given and named and given != named:
        suffix = Path(output).suffix
        raise FormatError(f"--output-format {given}, but {output} ends in {suffix} ({named}); "
                          "name the file for its format or leave --output-format out",
                          f"--output-format 为 {given},但 {output} 的扩展名是 {suffix}({named});"
                          "请按格式给文件命名,或不写 --output-format")
    return given or named or "parquet"


def input_format(input_path: str | Path, given: str | None, old_name: bool) -> str:
    """The input's format (``auto``: by its suffix). Under the old name ``--format``, a value
    that contradicts the input's suffix is refused: it was most likely meant for the output."""
    named = by_suffix(input_path)
    if old_name and given and given != "auto" and named and given != named:
        ending = ".jsonl" if given == "jsonl" else "." + given
        raise FormatError(
            f"--format {given} names the INPUT's format, but {input_path} is {named} by its "
            f"name; for the output's format use --output-format {given} (or name the output "
            f"…{ending}); --input-format names the input's",
            f"--format {given} 指的是输入文件的格式,但 {input_path} 按文件名是 {named};"
            f"要指定输出的格式,请用 --output-format {given}(或将输出文件命名为 …{ending});"
            "--input-format 指定输入的格式")
    return given or "auto"


class TextSink:
    """Result chunks appended to one CSV (header once) or JSON Lines file."""

    def __init__(self, path: str | Path, fmt: str) -> None:
        self.path, self.fmt = path, fmt
        self.rows = 0
        self._file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._header = True

    def write(self, frame: pl.DataFrame) -> None:
        frame = _plain(frame)
        if self.fmt == "csv":
            self._file.write(frame.write_csv(include_header=self._header))
            self._header = False
        else:
            frame.write_ndjson(self._file)
        self.rows += frame.height

    def flush(self) -> None:
        self._file.flush()

    def close(self, empty: pl.DataFrame) -> None:
        if self._header and self.fmt == "csv":  # nothing written: the header alone
            self._file.write(_plain(empty).write_csv(include_header=True))
        self._file.close()


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Enum statuses as text (CSV and JSON have no enums)."""
    return frame.with_columns([pl.col(c).cast(pl.String) for c, t in frame.schema.items()
                               if isinstance(t, pl.Enum | pl.Categorical)])


def open_sink(path: str | Path, fmt: str) -> Any:
    """A sink with ``write``, ``flush``, ``close(empty)`` and ``rows``."""
    if fmt == "parquet":
        from tongcheng.batch.sinks import ParquetSink

        return ParquetSink(path)
    return TextSink(path, fmt)
