"""The ``tongcheng records`` commands and ``tongcheng replay``; the hook ``check --records`` uses.

Only click is imported at load time: SQLAlchemy, the evaluator and polars load when a command
runs. The store is named by ``--records URL`` or the ``TONGCHENG_RECORDS`` environment variable
(a file path for SQLite, ``postgresql://…``); the signing key by ``--signing-key`` or
``TONGCHENG_RECORDS_KEY``. Exit codes: 0 done; 1 ran and found problems (verify findings,
replay differences); 2 a bad command, store or record id; 3 a rule pack that fails to load.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from tongcheng.cli_options import cannot_read, cannot_write, fail, overlay_option, unwritable
from tongcheng.cli_usage import BadValue, Group

__all__ = ["RECORDS_ENV", "record_evaluation", "records", "replay"]

RECORDS_ENV = "TONGCHENG_RECORDS"
EXIT_OK, EXIT_PROBLEMS, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])

WORDS = {
    "zh": {"id": "记录编号", "at": "时间(UTC)", "channel": "渠道", "actor": "经办人",
           "as_of": "评估日期", "pack": "规则包", "decisions": "决定", "rule": "规则",
           "status": "状态", "firmness": "确定程度", "outcome": "结果", "missing": "尚缺事实",
           "records": "条记录", "none": "没有符合条件的记录",
           "eligible": "符合", "ineligible": "不符合", "undetermined": "待定",
           "not_applicable": "不适用", "in_force": "已施行", "pilot": "试点", "promise": "承诺",
           "verify_ok": "日志完整:{records} 条记录,{sealed} 个已封存叶子({purged} 条已依法清除),"
                        "{heads} 个树头({signed} 个签名有效),{pending} 条记录尚待封存",
           "verify_bad": "发现 {n} 处问题:", "keys": {"given": "用所给公钥核验签名",
                                                  "store": "用库中登记的公钥核验签名(请用 "
                                                           "--public-key 提供自己保存的公钥)",
                                                  "none": "树头未签名(可用 --signing-key 签名)"},
           "sealed": "已封存:日志共 {size} 个叶子,根哈希 {root}", "nothing": "没有待封存的记录",
           "purged": "已删除 {n} 条 {before} 之前的记录(其日志条目保留,日志仍可核验)",
           "key": "已写入私钥 {path};公钥 {public}(编号 {key_id})",
           "exported": "已导出 {n} 条记录到 {path}", "recorded": "已记录:{id}"},
    "en": {"id": "record id", "at": "at (UTC)", "channel": "channel", "actor": "actor",
           "as_of": "as of", "pack": "rule pack", "decisions": "decisions", "rule": "rule",
           "status": "status", "firmness": "firmness", "outcome": "outcome",
           "missing": "missing", "records": "records", "none": "no record matches",
           "eligible": "eligible", "ineligible": "ineligible", "undetermined": "undetermined",
           "not_applicable": "not applicable", "in_force": "in force", "pilot": "pilot",
           "promise": "promise",
           "verify_ok": "the log is intact: {records} records, {sealed} sealed leaves ({purged} "
                        "purged lawfully), {heads} tree heads ({signed} validly signed), "
                        "{pending} records not yet sealed",
           "verify_bad": "{n} problems found:",
           "keys": {"given": "signatures checked with the public key given",
                    "store": "signatures checked with the keys the store lists (bring your own "
                             "copy with --public-key)",
                    "none": "tree heads are not signed (sign them with --signing-key)"},
           "sealed": "sealed: the log has {size} leaves, root {root}",
           "nothing": "no record was waiting to be sealed",
           "purged": "removed {n} records made before {before} (their log entries stay, so the "
                     "log still verifies)",
           "key": "private key written to {path}; public key {public} (id {key_id})",
           "exported": "exported {n} records to {path}", "recorded": "recorded: {id}"},
}


def _signer(path: str | None, lang: str = "en") -> Any:
    from tongcheng.records.signing import Signer

    if not path:
        return None
    try:
        return Signer.from_file(path)
    except OSError as e:
        fail(EXIT_INVALID, "--signing-key: " + cannot_read(path, e, lang), lang)
    except ValueError as e:
        fail(EXIT_INVALID, f"--signing-key:{path} 不是可用的 Ed25519 签名密钥" if lang == "zh"
             else f"--signing-key: {e}", lang)


def open_store(url: str, signing_key: str | None = None, *, create: bool = True,
               lang: str = "en", verifying: bool = False) -> Any:
    """The store at ``url``, or exit 2 naming what is wrong (``verifying``: a store there that
    cannot be read is not verified, exit 1)."""
    try:
        from tongcheng.records.failures import StoreError, UnreadableStore
        from tongcheng.records.store import RecordStore
    except ImportError as e:  # pragma: no cover - the records extra is missing
        fail(EXIT_INVALID, f"决定记录需要 records 附加组件:pip install 'tongcheng[records]'({e})"
             if lang == "zh" else f"decision records need the records extra: pip install "
             f"'tongcheng[records]' ({e})", lang)
    try:
        return RecordStore.open(url, signer=_signer(signing_key, lang), create=create)
    except StoreError as e:
        if verifying and isinstance(e, UnreadableStore):
            fail(EXIT_PROBLEMS, _not_verified(e.describe(lang), lang), lang)
        fail(EXIT_INVALID, e.describe(lang), lang)


@contextlib.contextmanager
def store_read(url: str, lang: str, code: int = EXIT_INVALID) -> Iterator[None]:
    """A store that opens but fails while it is read or written (a damaged page, a file
    replaced under it, a server gone) ends the command with ``code``, naming the store in
    ``lang``, never with a traceback; ``verify`` says it with exit 1: a store it cannot read
    is not verified."""
    try:
        from tongcheng.records.failures import FAILURES, unreadable
    except ImportError:  # pragma: no cover - the records extra is missing: open_store says so
        yield
        return
    try:
        yield
    except FAILURES as e:
        said = unreadable(url, e).describe(lang)
        fail(code, _not_verified(said, lang) if code == EXIT_PROBLEMS else said, lang)


def _not_verified(said: str, lang: str) -> str:
    return f"核验未通过:{said}" if lang == "zh" else f"not verified: {said}"


def store_guarded(code: int = EXIT_INVALID) -> Callable[[F], F]:
    """``store_read`` around a command that takes ``url`` and ``lang``."""

    def wrap(command: F) -> F:
        @functools.wraps(command)
        def run(*args: Any, **kw: Any) -> Any:
            with store_read(kw["url"], kw.get("lang") or "zh", code):
                return command(*args, **kw)

        return run  # type: ignore[return-value]

    return wrap


def record_evaluation(url: str, evaluation: Any, situation: Any, *, channel: str = "cli",
                      actor: str | None = None, lang: str = "zh", rules: Any = None,
                      signing_key: str | None = None, pack: Any = None) -> str:
    """Record one evaluation in the store at ``url`` (archiving its pack, sealing the log);
    returns the record's id. Used by ``tongcheng check --records``."""
    from tongcheng.records.record import make_record

    record = make_record(evaluation, situation, channel=channel, actor=actor, lang=lang,
                         rules=rules)
    store = open_store(url, signing_key, lang=lang)
    try:
        with store_read(url, lang):
            if pack is not None:
                store.archive_pack(pack)
            store.write([record])
            store.seal()
        return record.id
    finally:
        store.close()


# --- options ----------------------------------------------------------------------------------

records_option = click.option(
    "--records", "url", envvar=RECORDS_ENV, required=True, metavar="URL",
    help="The record store: a file (SQLite) or postgresql://USER@HOST:PORT/DB "
         f"(default: ${RECORDS_ENV}).")
signing_option = click.option(
    "--signing-key", type=click.Path(dir_okay=False), envvar="TONGCHENG_RECORDS_KEY",
    help="Ed25519 private key (PEM) that signs tree heads (default: $TONGCHENG_RECORDS_KEY).")
lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh",
                           show_default=True, help="Language of the messages and tables.")


def _when(_ctx: Any, param: click.Parameter, value: str | None) -> Any:
    from tongcheng.records.store import parse_when
    from tongcheng.wording import impossible_date, quoted

    if value is None:
        return None
    try:
        return parse_when(value)
    except ValueError as e:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):  # a date no calendar has
            words = impossible_date(value)
            raise BadValue(words.en, words.zh) from None
        raise BadValue(str(e), f"应为日期(YYYY-MM-DD)或日期时间(ISO 8601),"
                               f"实际为 {quoted(value, 'zh')}") from None


def _past(ctx: Any, param: click.Parameter, value: str | None) -> Any:
    """``purge --before``: a moment past; a later one would remove every record, today's too
    (a mistyped year would empty the store)."""
    from datetime import UTC, datetime

    when = _when(ctx, param, value)
    if when is not None and when > datetime.now(UTC):
        raise BadValue(f"{value} is in the future: the purge would remove every record, even "
                       f"those made today; give a date in the past",
                       f"{value} 在将来:清除将删除所有记录,包括今天的;请给出过去的日期")
    return when


def filter_options(f: Any) -> Any:
    from tongcheng.records.record import CHANNELS

    statuses = ["eligible", "ineligible", "undetermined", "not_applicable"]
    for option in reversed([
        click.option("--since", callback=_when, metavar="DATE",
                     help="Records made at or after DATE (YYYY-MM-DD or ISO date-time, UTC)."),
        click.option("--until", callback=_when, metavar="DATE",
                     help="Records made before DATE."),
        click.option("--actor", help="Records of this actor (caseworker id)."),
        click.option("--channel", type=click.Choice(CHANNELS), help="Records of one channel."),
        click.option("--rule", help="Records deciding this rule (with --status: with that "
                                    "status for it)."),
        click.option("--status", type=click.Choice(statuses),
                     help="Records with a decision of this status."),
        click.option("--pack-digest", metavar="DIGEST",
                     help="Records decided under this pack (sha256:…, a prefix is enough)."),
    ]):
        f = option(f)
    return f


def _filters(kw: dict[str, Any]) -> Any:
    from tongcheng.records.store import Filters

    return Filters(since=kw.get("since"), until=kw.get("until"), actor=kw.get("actor"),
                   channel=kw.get("channel"), rule=kw.get("rule"), status=kw.get("status"),
                   pack_digest=kw.get("pack_digest"))


# --- records ----------------------------------------------------------------------------------


@click.group(cls=Group)
def records() -> None:
    """Decision records: list, show, export, verify, seal, purge (tongcheng.record/1)."""


def _summary(record: Any, lang: str) -> str:
    w = WORDS[lang]
    counts = Counter(d.status for d in record.decisions)
    return ", ".join(f"{counts[s]} {w[s]}" for s in ("eligible", "ineligible", "undetermined",
                                                      "not_applicable") if counts[s])


@records.command("list")
@records_option
@filter_options
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="At most this many records.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Print a table to read, or JSON for programs.")
@lang_option
@store_guarded()
def list_records(url: str, limit: int, fmt: str, lang: str, **kw: Any) -> None:
    """List records (oldest first), filtered by time, actor, channel, rule, status, pack."""
    store = open_store(url, create=False, lang=lang)
    try:
        found = list(store.select(_filters(kw), limit=limit))
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps([_brief(r) for r in found], ensure_ascii=False, indent=2))
        return
    _table(found, lang, kw.get("rule"))


def _brief(record: Any) -> dict[str, Any]:
    data = record.to_json()
    return {"id": record.id, "at": data["at"], "channel": record.channel,
            "actor": record.actor, "as_of": data["as_of"], "rule_pack": data["rule_pack"],
            "statuses": dict(Counter(d.status for d in record.decisions))}


def _table(found: list[Any], lang: str, rule: str | None) -> None:
    from rich.table import Table

    from tongcheng.console import stdout_console

    w = WORDS[lang]
    console = stdout_console(160)
    if not found:
        console.print(w["none"])
        return
    table = Table(box=None, pad_edge=False)
    for head in ("id", "at", "channel", "actor", "as_of", "pack", "decisions"):
        table.add_column(w[head])
    for r in found:
        decided = _summary(r, lang)
        if rule:
            d = next((d for d in r.decisions if d.rule == rule), None)
            decided = f"{rule}: {w[d.status]}" if d else decided
        table.add_row(r.id, r.to_json()["at"], r.channel, r.actor or "—", r.as_of.isoformat(),
                      f"{r.pack_version} {r.pack_digest[7:19]}", decided)
    console.print(table)
    console.print(f"{len(found)} {w['records']}")


@records.command()
@click.argument("record_id")
@records_option
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True,
              help="The record's JSON exactly as stored, or a table to read.")
@lang_option
@store_guarded()
def show(record_id: str, url: str, fmt: str, lang: str) -> None:
    """Show the record RECORD_ID (its JSON, exactly as stored, or a table)."""
    store = open_store(url, create=False, lang=lang)
    try:
        record = store.get(record_id)
    finally:
        store.close()
    if record is None:
        fail(EXIT_INVALID, f"记录库中没有记录 {record_id}" if lang == "zh"
             else f"no record {record_id} in the store", lang)
    if fmt == "json":
        click.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
        return
    w = WORDS[lang]
    data = record.to_json()
    click.echo(f"{w['id']}: {record.id}   {w['at']}: {data['at']}   {w['channel']}: "
               f"{record.channel}   {w['actor']}: {record.actor or '—'}")
    click.echo(f"{w['as_of']}: {data['as_of']}   {w['pack']}: {record.pack_name} "
               f"{record.pack_version} {record.pack_digest}")
    for d in record.decisions:
        firm = f" [{w[d.firmness]}]" if d.firmness != "in_force" else ""
        click.echo(f"  {d.rule}: {w[d.status]}{firm}"
                   + (f"  {w['outcome']}: {json.dumps(d.outcome, ensure_ascii=False)}"
                      if d.outcome else "")
                   + (f"  {w['missing']}: {', '.join(d.missing)}" if d.missing else ""))


@records.command()
@records_option
@filter_options
@click.option("-o", "--output", required=True, type=click.Path(allow_dash=True),
              help="Where to write (- for stdout, JSON Lines only).")
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "parquet"]), default="auto",
              show_default=True, help="auto: by the output's suffix (.parquet, else JSON Lines).")
@lang_option
@store_guarded()
def export(url: str, output: str, fmt: str, lang: str, **kw: Any) -> None:
    """Export records as JSON Lines (canonical, as stored) or Parquet."""
    from tongcheng.records.export import write_jsonl, write_parquet

    if fmt == "auto":
        fmt = "parquet" if output.lower().endswith((".parquet", ".pq")) else "jsonl"
    if fmt == "parquet" and output == "-":
        fail(EXIT_INVALID, "Parquet 需要写入文件:请给出 -o 文件.parquet" if lang == "zh"
             else "Parquet needs a file: give -o FILE.parquet", lang)
    problem = unwritable(output, lang) if output != "-" else None
    if problem is not None:  # said before the store is read, not as a traceback after
        fail(EXIT_INVALID, problem, lang)
    store = open_store(url, create=False, lang=lang)
    try:
        bodies = store.bodies(_filters(kw))
        if fmt == "parquet":
            n = write_parquet(bodies, output)
        elif output == "-":
            n = write_jsonl(bodies, sys.stdout.buffer)
        else:
            with open(output, "wb") as f:
                n = write_jsonl(bodies, f)
    except OSError as e:  # the disk filled, the folder went away
        fail(EXIT_INVALID, cannot_write(output, e, lang), lang)
    finally:
        store.close()
    click.echo(WORDS[lang]["exported"].format(n=n, path=output), err=True)


@records.command()
@records_option
@click.option("--public-key", help="The public key to check signatures with (64 hex digits, "
                                   "or a file): your own copy, not the store's.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Print text to read, or JSON for programs.")
@lang_option
@store_guarded(EXIT_PROBLEMS)
def verify(url: str, public_key: str | None, fmt: str, lang: str) -> None:
    """Recompute the Merkle log: name every record altered, removed or moved (exit 1)."""
    from tongcheng.records.signing import load_public_key
    from tongcheng.records.verify import verify_store

    if public_key:
        try:
            public_key = load_public_key(public_key)
        except (OSError, ValueError) as e:
            fail(EXIT_INVALID, f"--public-key:{public_key} 不是可读的 Ed25519 公钥" if lang == "zh"
                 else f"--public-key: {e}", lang)
    store = open_store(url, create=False, lang=lang, verifying=True)
    try:
        report = verify_store(store, public_key=public_key)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.to_json(lang), ensure_ascii=False, indent=2))
    else:
        w = WORDS[lang]
        if report.ok:
            click.echo(w["verify_ok"].format(records=report.records, sealed=report.sealed,
                                             purged=report.purged, heads=report.heads,
                                             signed=report.signed_heads, pending=report.pending))
        else:
            click.echo(w["verify_bad"].format(n=len(report.findings)))
            for f in report.findings:
                click.echo(f"  [{f.kind}] {f.text(lang)}")
        click.echo(w["keys"][report.key_source])
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


@records.command()
@records_option
@signing_option
@lang_option
@store_guarded()
def seal(url: str, signing_key: str | None, lang: str) -> None:
    """Seal the records written since the last tree head into the log (a new signed head)."""
    store = open_store(url, signing_key, create=False, lang=lang)
    try:
        head = store.seal()
    finally:
        store.close()
    w = WORDS[lang]
    click.echo(w["sealed"].format(size=head.size, root=head.root) if head else w["nothing"])


@records.command()
@records_option
@click.option("--before", required=True, callback=_past, metavar="DATE",
              help="Remove the records made before DATE (YYYY-MM-DD: its start, UTC).")
@signing_option
@lang_option
@store_guarded()
def purge(url: str, before: Any, signing_key: str | None, lang: str) -> None:
    """Remove records older than a date, as data-protection rules require (the log keeps their
    hashes, and the purge itself, so it still verifies)."""
    store = open_store(url, signing_key, create=False, lang=lang)
    try:
        n = store.purge(before)
    finally:
        store.close()
    click.echo(WORDS[lang]["purged"].format(n=n, before=before.date().isoformat()))


@records.command()
@click.argument("path", type=click.Path(dir_okay=False))
@lang_option
def keygen(path: str, lang: str) -> None:
    """Write a new Ed25519 signing key to PATH (readable by its owner only)."""
    from tongcheng.records.signing import generate_key

    if Path(path).exists():
        fail(EXIT_INVALID, f"{path} 已存在:密钥从不覆盖" if lang == "zh"
             else f"{path} exists: a key is never overwritten", lang)
    try:
        signer = generate_key(path)
    except OSError as e:  # no such folder, no permission, a full disk
        fail(EXIT_INVALID, cannot_write(path, e, lang), lang)
    click.echo(WORDS[lang]["key"].format(path=path, public=signer.public_hex,
                                         key_id=signer.key_id))


# --- replay -----------------------------------------------------------------------------------


@click.command()
@records_option
@filter_options
@click.option("--pack", "pack_path", type=click.Path(file_okay=False), default=None,
              help="Decide under this pack instead of each record's own archived pack: the "
                   "report says what changes.")
@overlay_option
@click.option("--examples", type=click.IntRange(min=0), default=5, show_default=True,
              help="Record ids listed per transition (all of them with --format json "
                   "--examples 0).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Records decided at once (memory grows with it).")
@click.option("--from-bodies", is_flag=True,
              help="Compare with the records' bodies themselves (slower) instead of their "
                   "compact columns, which `records verify` proves match the bodies.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Print text to read, or JSON for programs.")
@lang_option
@store_guarded()
def replay(url: str, pack_path: str | None, overlays: tuple[str, ...], examples: int,
           chunk_size: int, from_bodies: bool, fmt: str, lang: str, **kw: Any) -> None:
    """Decide recorded situations again, with the screening evaluator.

    Under each record's own archived pack (the default) every decision must come out exactly
    as recorded (exit 1 naming the records that do not); under another pack (--pack) the
    report counts the transitions per rule and status and names the records affected.
    Recorded decisions are read from the compact columns (trusted once `records verify`
    passes), or from the bodies with --from-bodies.
    """
    from tongcheng.errors import PackError, RuleConflict
    from tongcheng.evaluate.evaluator import RuleError
    from tongcheng.records.replay import render_report, replay_store

    other = None
    if pack_path or overlays:  # another pack, or the bundled one with overlays
        from tongcheng.pack.loader import load_pack

        try:
            other = load_pack(Path(pack_path) if pack_path else None, overlays=overlays)
        except PackError as e:
            fail(EXIT_PACK, e.describe(lang), lang)
    store = open_store(url, create=False, lang=lang)
    try:
        report = replay_store(store, _filters(kw), pack=other, chunk_size=chunk_size,
                              limit=None if examples == 0 else examples,
                              from_bodies=from_bodies)
    except (RuleConflict, RuleError) as e:  # a defect of the pack, as ``check`` says it
        fail(EXIT_PACK, e.describe(lang), lang)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.to_json(examples or None), ensure_ascii=False, indent=2))
    else:
        click.echo(render_report(report, lang, examples))
    sys.exit(EXIT_PROBLEMS if report.problems else EXIT_OK)


# --- watch --store --------------------------------------------------------------------------------


def durable_watch(url: str, stream: str, commit_every: int, lines: Any, output: str,
                  rejects_path: str | None, watcher: Any, progress_every: int) -> None:
    """``tongcheng watch --store``: the watcher's cases and position kept in the store."""
    import os

    from tongcheng.cases.watch import EXIT_REJECTS, StreamStopped
    from tongcheng.cases.watch_cli import closing_line, reject_said
    from tongcheng.records.watching import DurableWatch, StreamMismatch, run

    store = open_store(url, lang=watcher.lang)

    def emit_line(record: dict[str, Any]) -> bytes:
        return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"

    def reject_line(entry: dict[str, Any]) -> bytes | None:
        if rejects_path:
            return json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
        click.echo(reject_said(entry, watcher.lang), err=True)
        return None

    def handle(path: str) -> Any:
        return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+b")

    def progress(stats: Any) -> None:
        click.echo(json.dumps({"progress": stats.lines, **stats.to_json()}), err=True)

    out = sys.stdout.buffer if output == "-" else handle(output)
    rejects = handle(rejects_path) if rejects_path else None
    try:
        with store_read(url, watcher.lang):
            stats = run(DurableWatch(store, stream, watcher), lines, out=out,
                        seekable=output != "-", rejects=rejects, commit_every=commit_every,
                        emit_line=emit_line, reject_line=reject_line,
                        progress=progress if progress_every else None,
                        progress_every=progress_every)
    except StreamMismatch as e:
        fail(EXIT_INVALID, e.describe(watcher.lang), watcher.lang)
    except StreamStopped as e:
        fail(EXIT_PACK, e.describe(watcher.lang), watcher.lang)
    finally:
        for f in (out, rejects):
            if f is not None and f is not sys.stdout.buffer:
                f.close()
        store.close()
    click.echo(closing_line(stats, watcher.lang, watcher.with_changes, rejects_path, stream),
               err=True)
    sys.exit(EXIT_REJECTS if stats.rejected else EXIT_OK)
