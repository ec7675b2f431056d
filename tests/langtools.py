"""A command run in each language, for the tests that what it says is in that language only."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tongcheng.cli import main


def said(command: str, tmp_path: Path, *args, lang: str | None = None) -> tuple[str, int]:
    """(stderr with ``tmp_path`` written ``<tmp>``, exit code) of ``tongcheng COMMAND ARGS``
    in ``lang`` (else the default, Chinese); never a traceback."""
    extra = ["--lang", lang] if lang else []
    result = CliRunner().invoke(main, [command, *map(str, args), *extra])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.stderr.replace(str(tmp_path), "<tmp>"), result.exit_code


def in_both(command: str, english: re.Pattern, tmp_path: Path, *args, zh: str, en: str,
            code: int = 2) -> None:
    """The same command in Chinese (the default) and in English: each says it in its own
    words (no word of ``english`` in the Chinese run)."""
    text, exit_code = said(command, tmp_path, *args)
    assert exit_code == code and zh in text, text
    assert not english.search(text), f"English left in a Chinese run: {text}"
    text, exit_code = said(command, tmp_path, *args, lang="en")
    assert exit_code == code and en in text and zh not in text, text
