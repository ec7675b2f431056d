"""The ``tongcheng watch`` command: checks its paths and pack before the first line, runs
:func:`tongcheng.cases.watch.watch_stream` (or, with ``--store``, the durable watch of
:mod:`tongcheng.records.cli`), and closes with one line of counts in the asked language.

Only click and the standard library are imported at load time: ``import tongcheng.cli`` pulls
in neither durable_rules nor the calendar.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from tongcheng import jsonio
from tongcheng.cases.watch import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PACK,
    EXIT_REJECTS,
    StreamStopped,
    Watcher,
    WatchStats,
    watch_stream,
)
from tongcheng.cli_options import (
    cannot_read,
    fail,
    not_a_file,
    overlay_option,
    pack_option,
    unwritable,
)

__all__ = ["watch"]


def _lines(source: str) -> Iterator[bytes]:
    if source == "-":
        yield from jsonio.bounded_lines(sys.stdin.buffer)
        return
    with open(source, "rb") as f:
        yield from jsonio.bounded_lines(f)


def _memory() -> dict[str, float]:
    import resource

    out = {"max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        import os

        out["rss_mb"] = round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        pass
    return out


@click.command()
@click.argument("events", type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-",
              help="Where the notifications go, as JSON Lines (default: stdout).")
@click.option("--rejects", "rejects_path", type=click.Path(),
              help="Write rejected lines here as JSON Lines (line, reason, subject) instead of "
                   "stderr.")
@click.option("--changes", is_flag=True, help="Also write every changed decision.")
@click.option("--idle-days", type=click.IntRange(min=0), default=None, metavar="N",
              help="Drop a case whose last step is more than N days before the latest day the "
                   "stream has reached (by the stream's dates).")
@click.option("--triggers", "triggers_path", type=click.Path(dir_okay=False),
              help="Triggers file (default: the pack's triggers.yaml).")
@click.option("--progress", "progress_every", type=click.IntRange(min=0), default=0, metavar="N",
              help="Every N lines, one JSON line of counts and memory on stderr.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of services and messages.")
@pack_option()
@overlay_option
@click.option("--store", "store_url", metavar="URL",
              help="Keep the cases and the stream's position in this store (a file for SQLite, "
                   "or postgresql://…): restarted on the same input, the watch goes on from "
                   "the last committed line, each notification written once.")
@click.option("--stream", "stream_name", default="default", show_default=True,
              help="With --store: the stream's name (several streams may share a store).")
@click.option("--commit-every", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --store: commit every N lines (default 200; 1 when reading stdin).")
def watch(events, output, rejects_path, changes, idle_days, triggers_path, progress_every,
          lang, pack_path, overlays, store_url=None, stream_name="default",
          commit_every=None) -> None:
    """Follow many cases from the JSON Lines event stream EVENTS (a file, or - for stdin).

    One JSON object a line, one case per subject:

    \b
      {"subject": "P1", "on": "2025-05-06", "open": {...situation facts...}}
      {"subject": "P1", "on": "2025-06-03", "event": {"type": "move", "to": "371000"}}
      {"subject": "P1", "on": "2025-07-01", "facts": {"person": {"sex": "male"}}}
      {"subject": "P1", "advance_to": "2025-10-22"}      (one case's clock)
      {"advance_to": "2025-10-22"}                        (every open case's clock)
      {"subject": "P1", "close": true}

    "on" is the day the line speaks of (an event may carry its own instead); facts merge into
    the case's; a case's clock never goes back. Blank lines are skipped.

    Writes one JSON object a line: notifications ("type": "notification": trigger, rule,
    service, message, outcome, basis, deadline), deadline alerts ("type": "alert"), with
    --changes the changed decisions ("type": "change"), and cases dropped as idle
    ("type": "dropped"); each names the input line, the subject and the case.

    A line that cannot be applied (bad JSON, an unknown subject, invalid facts, an unknown
    event type, ...) is reported with its line number and skipped; the others are kept.
    Exit 0 when every line was applied, 1 when some were rejected, 2 for a bad command,
    3 for a rule pack (or triggers file) that fails to load or a rule conflict.
    """
    _check_paths(events, output, rejects_path, lang)
    pack, triggers = _load(pack_path, overlays, triggers_path, lang)
    watcher_options = {"lang": lang, "changes": changes, "idle_days": idle_days}
    if store_url:
        from tongcheng.records.cli import durable_watch

        durable_watch(store_url, stream_name, commit_every or (1 if events == "-" else 200),
                      _lines(events), output, rejects_path,
                      Watcher(pack, triggers, **watcher_options), progress_every)
        return
    stats = _watch_plain(events, output, rejects_path, pack, triggers, progress_every,
                         **watcher_options)
    click.echo(closing_line(stats, lang, changes, rejects_path or None), err=True)
    sys.exit(EXIT_REJECTS if stats.rejected else EXIT_OK)


def _check_paths(events: str, output: str, rejects_path: str | None, lang: str) -> None:
    """Exit 2 before any line when the events cannot be read or an output cannot be written."""
    wrong_path = not_a_file(events, lang) if events != "-" else None
    if wrong_path:
        fail(EXIT_INVALID, wrong_path, lang)
    if events != "-" and os.path.isfile(events):  # (a pipe is opened once, when read)
        try:
            open(events, "rb").close()
        except OSError as e:
            fail(EXIT_INVALID, cannot_read(events, e, lang), lang)
    for path in (output, rejects_path):
        problem = unwritable(path, lang) if path and path != "-" else None
        if problem is not None:
            fail(EXIT_INVALID, problem, lang)


def _load(pack_path: str | None, overlays: Any, triggers_path: str | None,
          lang: str = "en") -> tuple[Any, Any]:
    """The pack (with its overlays) and its triggers; exit 3 when either fails to load."""
    from tongcheng.api import bundled_pack
    from tongcheng.cases.triggers import load_triggers
    from tongcheng.errors import PackError
    from tongcheng.pack.loader import load_pack

    try:
        pack = (load_pack(Path(pack_path) if pack_path else None, overlays=overlays)
                if pack_path or overlays else bundled_pack())
        return pack, load_triggers(pack, triggers_path)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)
        raise  # not reached: fail exits


def _watch_plain(events: str, output: str, rejects_path: str | None, pack: Any, triggers: Any,
                 progress_every: int, *, lang: str, changes: bool,
                 idle_days: int | None) -> WatchStats:
    """The stream without a store: notifications to ``output``, rejects to their file or
    stderr, a progress line every ``progress_every`` lines."""
    out = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
    rejects = open(rejects_path, "w", encoding="utf-8") if rejects_path else None  # noqa: SIM115
    interactive = events == "-"

    def emit(record: dict[str, Any]) -> None:
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        if interactive:
            out.flush()

    def reject(entry: dict[str, Any]) -> None:
        if rejects is not None:
            rejects.write(json.dumps(entry, ensure_ascii=False) + "\n")
        else:
            click.echo(reject_said(entry, lang), err=True)

    def progress(stats: WatchStats) -> None:
        click.echo(json.dumps({"progress": stats.lines, **stats.to_json(), **_memory()}),
                   err=True)

    try:
        return watch_stream(_lines(events), emit, reject, pack=pack, triggers=triggers,
                            lang=lang, changes=changes, idle_days=idle_days,
                            progress=progress if progress_every else None,
                            progress_every=progress_every)
    except StreamStopped as e:
        fail(EXIT_PACK, e.describe(lang), lang)
        raise  # not reached: fail exits
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
        if rejects is not None:
            rejects.close()


def reject_said(entry: dict[str, Any], lang: str) -> str:
    """A rejected line on stderr (no rejects file), in the watcher's language."""
    who = f" ({entry['subject']})" if entry.get("subject") else ""
    at = f"第 {entry['line']} 行" if lang == "zh" else f"line {entry['line']}"
    return f"{at}{who}: {entry['reason']}"


def closing_line(stats: WatchStats, lang: str, changes: bool, rejects_path: Any,
                 stream: str | None = None) -> str:
    """The closing line on stderr, in the watcher's language; with a store, the ``stream``
    and the line it reached (counted from the stream's start, across restarts)."""
    if stream is not None:
        head = (f"已处理至第 {stats.lines} 行(数据流 {stream!r}),用时 {stats.seconds:.2f} 秒"
                if lang == "zh" else
                f"watched up to line {stats.lines} in {stats.seconds:.2f} s (stream {stream!r})")
    else:
        head = (f"已处理 {stats.lines} 行,用时 {stats.seconds:.2f} 秒" if lang == "zh" else
                f"watched {stats.lines} lines in {stats.seconds:.2f} s")
    if lang == "zh":
        where = "" if rejects_path is None else f"({rejects_path})"
        return (f"{head}:开立案件 {stats.opened} 件,"
                f"结案 {stats.closed} 件,因闲置撤下 {stats.dropped} 件,仍未结 {stats.open} 件;"
                f"通知 {stats.notifications} 条,提醒 {stats.alerts} 条"
                + (f",变化 {stats.changes} 项" if changes else "")
                + f";拒收 {stats.rejected} 行{where}")
    where = "" if rejects_path is None else f" ({rejects_path})"
    return (f"{head}: {stats.opened} cases opened, "
            f"{stats.closed} closed, {stats.dropped} dropped as idle, {stats.open} still open; "
            f"{stats.notifications} notifications, {stats.alerts} alerts"
            + (f", {stats.changes} changes" if changes else "")
            + f"; {stats.rejected} lines rejected{where}")
