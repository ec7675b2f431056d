"""Option parsers shared by the command-line adapters (``tongcheng`` and its batch commands)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import click


def as_of_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """``--as-of YYYY-MM-DD``: a calendar date, or a usage error naming what was given."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise click.BadParameter(f"{value!r} is not a calendar date ({e})") from None


def overlay_option(command):
    """``--overlay DIR`` (repeatable): overlays layered on ``--pack`` in the order given."""
    return click.option(
        "--overlay", "overlays", multiple=True, type=click.Path(file_okay=False),
        help="An overlay folder layered on the pack: a deployment's own parameter values, "
             "documents and rules (repeatable, applied in order).",
    )(command)


def unwritable(path: str) -> str | None:
    """Why a file cannot be written at ``path``, or None: checked before a run reads its input,
    so a bad output path is said at once, not as a traceback after the work."""
    target = Path(path)
    if target.is_dir():
        return f"{path}: is a folder; give a file name"
    parent = target.parent
    if not parent.is_dir():
        return f"{path}: no such folder {str(parent)!r}"
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return f"{path}: cannot be written (permission denied)"
    return None
