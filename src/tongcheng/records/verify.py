"""``tongcheng records verify``: recompute the Merkle log and name every record altered, removed
or moved since it was sealed.

What is checked, in one pass over the log (in batches, so a store of millions verifies in
bounded memory):

1. each tree head's signature, with the verifier's public key (``--public-key``) or else the keys
   the store lists (weaker: the database vouches for itself);
2. the leaves are numbered 0, 1, 2… without gaps, and the tree over them has, at each head's
   size, exactly the root that head signed — else the log itself was rewritten between the last
   head that matches and the first that does not;
3. each leaf's record (found by the id the leaf names) is there (unless a signed purge removed
   records of its time), its body hashes to the leaf's digest (else it was **altered**, or, when
   the body is another record's, records were **moved**: swapped or renumbered), and its filter
   columns and compact copies
   (situation, rules asked for, decisions: what ``tongcheng replay`` reads) say what its body
   says (else the columns were altered behind the program's back) — so a store that verifies is
   replayed from its compact copies as exactly as from its bodies;
4. a record neither in the log nor pending (**unlogged**: added or renumbered behind the
   program's back, or its leaf deleted) is named too.

Records written after the last head are not yet covered by a signed head: they are counted as
pending, and checked against the digest their writer put in ``pending`` (altered or removed
before sealing is named as well) and their columns against their bodies; ``records seal`` covers
them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from tongcheng.records import merkle, schema
from tongcheng.records.record import Record, digest, situation_text
from tongcheng.records.signing import verify_signature
from tongcheng.records.store import (
    RecordStore,
    TreeHead,
    head_message,
    leaf_data,
    purge_message,
    record_columns,
    utc,
)

__all__ = ["Finding", "VerifyReport", "verify_store"]

BATCH = 5000


@attrs.frozen
class Finding:
    """One problem: what kind, which record (or leaf), in words (English and Chinese)."""

    kind: str  # altered | removed | moved | unlogged | columns | log | signature
    message: str
    record: str | None = None
    leaf: int | None = None
    message_zh: str = ""

    def text(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" and self.message_zh else self.message

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        out = {"kind": self.kind, "message": self.text(lang)}
        if self.record is not None:
            out["record"] = self.record
        if self.leaf is not None:
            out["leaf"] = self.leaf
        return out


@attrs.define
class VerifyReport:
    records: int = 0
    sealed: int = 0
    pending: int = 0
    purged: int = 0
    heads: int = 0
    signed_heads: int = 0
    key_source: str = "none"  # given | store | none
    findings: list[Finding] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        out = attrs.asdict(self)
        out["findings"] = [f.to_json(lang) for f in self.findings]
        out["ok"] = self.ok
        return out


def _keys(store: RecordStore, public_key: str | None) -> tuple[dict[str, str], str]:
    from tongcheng.records.signing import key_id

    if public_key:
        return {key_id(public_key): public_key}, "given"
    k = schema.signing_keys.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(k.key_id, k.public_key)).all()
    return ({r.key_id: r.public_key for r in rows}, "store") if rows else ({}, "none")


def _check_signature(keys: dict[str, str], key_id: str | None, signature: str | None,
                     message: bytes, what: tuple[str, str], report: VerifyReport) -> bool:
    if signature is None:
        if keys:
            report.findings.append(Finding("signature", f"{what[0]} is not signed",
                                           message_zh=f"{what[1]}未签名"))
        return False
    public = keys.get(key_id or "")
    if public is None:
        report.findings.append(Finding(
            "signature", f"{what[0]} is signed by key {key_id}, not by the key given",
            message_zh=f"{what[1]}的签名密钥 {key_id} 不是所给的公钥"))
        return False
    if not verify_signature(public, message, signature):
        report.findings.append(Finding("signature", f"{what[0]}: the signature does not match",
                                       message_zh=f"{what[1]}:签名不符"))
        return False
    return True


def _leaves(store: RecordStore) -> Iterator[list[Any]]:
    lv = schema.leaves.c
    after = -1
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(lv.idx, lv.record_id, lv.at, lv.digest)
                                .where(lv.idx > after).order_by(lv.idx).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        after = rows[-1].idx


def _records_at(store: RecordStore, lo: int, hi: int) -> dict[str, Any]:
    """The records the leaves ``lo``..``hi`` name, by id."""
    r, lv = schema.records, schema.leaves.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(r).join(schema.leaves, lv.record_id == r.c.id)
                            .where(lv.idx >= lo, lv.idx <= hi)).all()
    return {row.id: row for row in rows}


def _columns(row: Any, report: VerifyReport, leaf: int | None = None) -> None:
    """The row's filter columns and its compact copies (situation, rules, decided: what replay
    compares) against what its body says."""
    try:
        record = Record.from_body(row.body)
    except (ValueError, json.JSONDecodeError) as e:
        report.findings.append(Finding("altered", f"record {row.id}: its body is not a record "
                                       f"({e})", row.id, leaf,
                                       f"记录 {row.id}:内容已不是一条记录({e})"))
        return
    expected = record_columns(record, situation_text(row.body))
    wrong = []
    for name, value in expected.items():
        got = getattr(row, name)
        if isinstance(got, datetime):
            got = utc(got)
        if got != value:
            wrong.append(name)
    if wrong:
        report.findings.append(Finding(
            "columns", f"record {row.id}: {', '.join(wrong)} no longer match the record's body "
            "(changed behind the program's back)", row.id, leaf,
            f"记录 {row.id}:{'、'.join(wrong)} 与记录内容不符(被绕过程序改动)"))


def verify_store(store: RecordStore, *, public_key: str | None = None) -> VerifyReport:
    report = VerifyReport()
    keys, report.key_source = _keys(store, public_key)
    heads = store.heads()
    report.heads = len(heads)
    for h in heads:
        if _check_signature(keys, h.key_id, h.signature, head_message(h.size, h.root, h.at),
                            (f"the tree head at size {h.size}", f"规模为 {h.size} 的树头"),
                            report):
            report.signed_heads += 1
    purges = _purges(store, keys, report)
    _walk_log(store, heads, purges, report)
    _pending(store, report)
    r, lv, p = schema.records.c, schema.leaves.c, schema.pending.c
    with store.engine.connect() as conn:
        report.records = int(conn.execute(sa.select(sa.func.count()).select_from(
            schema.records)).scalar() or 0)
        # a record neither in the log nor pending was added or renumbered behind the program's
        # back, or its leaf deleted
        orphans = sa.select(r.id).where(
            ~sa.exists().where(lv.record_id == r.id), ~sa.exists().where(p.record_id == r.id))
        for row in conn.execute(orphans):
            report.findings.append(Finding(
                "unlogged", f"record {row.id} is neither in the log nor waiting to be sealed: "
                "added or renumbered behind the program's back, or its leaf deleted", row.id,
                message_zh=f"记录 {row.id} 既不在日志中也不在待封存之列:被绕过程序添加或改号,"
                "或其叶子被删除"))
    return report


def _purges(store: RecordStore, keys: dict[str, str], report: VerifyReport) -> list[datetime]:
    p = schema.purges.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.purges).order_by(p.id)).all()
    out = []
    for row in rows:
        before, at = utc(row.before), utc(row.at)
        unsigned_store = row.signature is None and not keys
        if unsigned_store or _check_signature(keys, row.key_id, row.signature,
                                              purge_message(before, at, row.removed),
                                              (f"purge {row.id} (records before "
                                               f"{before.date()})",
                                               f"第 {row.id} 次清除({before.date()} 之前的记录)"),
                                              report):
            out.append(before)
    return out


def _walk_log(store: RecordStore, heads: list[TreeHead], purges: list[datetime],
              report: VerifyReport) -> None:
    tree = merkle.CompactTree()
    by_size = {h.size: h for h in heads}
    good = 0  # the size of the last head that matched
    expected_idx = 0
    log_broken = False
    for batch in _leaves(store):
        rows_by_leaf = _records_at(store, batch[0].idx, batch[-1].idx)
        for leaf in batch:
            if leaf.idx != expected_idx and not log_broken:
                report.findings.append(Finding(
                    "log", f"the log skips from leaf {expected_idx - 1} to {leaf.idx}: "
                    "entries were deleted", leaf=expected_idx,
                    message_zh=f"日志从第 {expected_idx - 1} 个叶子跳到第 {leaf.idx} 个:"
                    "有条目被删除"))
                log_broken = True
            expected_idx = leaf.idx + 1
            at = utc(leaf.at)
            tree.append(merkle.hash_leaf(leaf_data(leaf.record_id, at, leaf.digest)))
            _leaf_record(leaf, at, rows_by_leaf.get(leaf.record_id), purges, report)
            head = by_size.get(tree.size)
            if head is not None:
                if tree.root().hex() == head.root:
                    good = head.size
                elif not log_broken:
                    report.findings.append(Finding(
                        "log", f"the tree head at size {head.size} does not match the log: "
                        f"entries between leaf {good} and {head.size - 1} were rewritten",
                        message_zh=f"规模为 {head.size} 的树头与日志不符:第 {good} 至 "
                        f"{head.size - 1} 个叶子之间的条目被改写"))
                    log_broken = True
    size = heads[-1].size if heads else 0
    if tree.size != size:
        fewer = tree.size < size
        report.findings.append(Finding(
            "log", f"the log holds {tree.size} leaves but the last tree head covers {size}"
            + (": entries were deleted" if fewer else ": a tree head was deleted"),
            message_zh=f"日志有 {tree.size} 个叶子,而最后的树头覆盖 {size} 个:"
            + ("有条目被删除" if fewer else "有树头被删除")))
    report.sealed = tree.size


def _leaf_record(leaf: Any, at: datetime, row: Any, purges: list,
                 report: VerifyReport) -> None:
    if row is None:
        if any(at < before for before in purges):
            report.purged += 1
            return
        made = at.isoformat(timespec="milliseconds")
        report.findings.append(Finding(
            "removed", f"record {leaf.record_id} (leaf {leaf.idx}, made {made}) was removed",
            leaf.record_id, leaf.idx,
            f"记录 {leaf.record_id}(第 {leaf.idx} 个叶子,{made} 生成)被删除"))
        return
    if _body_matches(row, leaf.digest, report, leaf.idx):
        _columns(row, report, leaf.idx)


def _body_of(body: str) -> str | None:
    """The id a body says it is the record of (None when it says none)."""
    try:
        found = json.loads(body).get("id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def _body_matches(row: Any, expected: str, report: VerifyReport, leaf: int | None) -> bool:
    """Whether the row's body hashes to ``expected`` (its leaf's or its pending digest); else
    names it altered, or moved when the body is another record's."""
    if digest(row.body) == expected:
        return True
    where = f" (leaf {leaf})" if leaf is not None else " (not yet sealed)"
    where_zh = f"(第 {leaf} 个叶子)" if leaf is not None else "(尚未封存)"
    other = _body_of(row.body)
    if other is not None and other != row.id:
        report.findings.append(Finding(
            "moved", f"record {row.id}{where} holds the body of record {other}: records were "
            "swapped or renumbered", row.id, leaf,
            f"记录 {row.id}{where_zh}存放的是记录 {other} 的内容:记录被调换或改号"))
    else:
        sealed = "sealed" if leaf is not None else "written"
        report.findings.append(Finding(
            "altered", f"record {row.id}{where} was altered after it was {sealed}", row.id,
            leaf, f"记录 {row.id}{where_zh}在{'封存' if leaf is not None else '写入'}后被改动"))
    return False


def _pending(store: RecordStore, report: VerifyReport) -> None:
    """The records not yet sealed: each still there, hashing to the digest its writer noted."""
    r, p = schema.records, schema.pending.c
    after = ""
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(p.record_id, p.digest.label("pending_digest"), r)
                .select_from(schema.pending.outerjoin(r, r.c.id == p.record_id))
                .where(p.record_id > after).order_by(p.record_id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            report.pending += 1
            if row.id is None:
                report.findings.append(Finding(
                    "removed", f"record {row.record_id} was removed before it was sealed",
                    row.record_id, message_zh=f"记录 {row.record_id} 在封存前被删除"))
            elif _body_matches(row, row.pending_digest, report, None):
                _columns(row, report)
        after = rows[-1].record_id
