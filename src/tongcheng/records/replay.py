"""``tongcheng replay``: decide recorded situations again, with the screening evaluator.

Records are read from the store in chunks; each chunk's situations become one columnar
population (``tongcheng.batch``), decided for every rule at once — never one situation at a
time — and compared with what the records say:

- **under each record's own pack** (restored from the store's archive by digest): every recorded
  decision must come out the same — status, firmness and every outcome value. Any difference is
  a regression of the evaluator or a record that no longer says what was decided: the report
  names the records. Each situation is also checked against its recorded digest.
- **under another pack**: the report counts, per rule, the records whose status goes from one
  value to another (``eligible → ineligible``…), those whose outcome or firmness alone changes,
  and names the records affected (a few per transition, or all of them).

The screening evaluator decides status and outcome exactly as the reference evaluator does (the
differential tests in ``tests/batch`` prove it); the facts a decision is missing are the
reference evaluator's alone, so ``missing`` is not compared here — ``replay_reference`` does
that, one record at a time, for the records a caller picks.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from tongcheng.records.record import Record, canonical, digest
from tongcheng.records.store import Filters, RecordStore, StoreError

__all__ = ["ReplayReport", "render_report", "replay_bodies", "replay_reference", "replay_store"]

ABSENT = "absent"  # a rule one side does not have (or a record did not ask for)


@attrs.define
class ReplayReport:
    mode: str  # own | other
    pack: dict[str, str] | None = None  # the other pack (name, version, digest)
    records: int = 0
    decisions: int = 0
    same: int = 0
    transitions: Counter = attrs.Factory(Counter)  # (rule, before, after) -> records
    outcome_changes: Counter = attrs.Factory(Counter)  # rule -> records (same status)
    firmness_changes: Counter = attrs.Factory(Counter)  # (rule, before, after) -> records
    examples: dict = attrs.Factory(lambda: defaultdict(list))  # key -> record ids
    integrity: list = attrs.Factory(list)  # (record id, problem) the records themselves have
    packs: Counter = attrs.Factory(Counter)  # digest -> records decided under it
    seconds: float = 0.0
    limit: int | None = 50  # record ids kept per transition (None: all)
    phases: Counter = attrs.Factory(Counter)  # seconds spent reading, deciding, comparing

    @property
    def changed(self) -> int:
        return (sum(self.transitions.values()) + sum(self.outcome_changes.values())
                + sum(self.firmness_changes.values()))

    @property
    def problems(self) -> bool:
        """Own pack: any difference, or a record that fails its own checks."""
        return bool(self.integrity) or (self.mode == "own" and self.changed > 0)

    def note(self, key: Any, record_id: str) -> None:
        ids = self.examples[key]
        if self.limit is None or len(ids) < self.limit:
            ids.append(record_id)

    def to_json(self, examples: int | None = None) -> dict[str, Any]:
        def ids(key: Any) -> list[str]:
            found = self.examples.get(key, [])
            return found if examples is None else found[:examples]

        return {
            "mode": self.mode,
            "pack": self.pack,
            "records": self.records,
            "decisions": self.decisions,
            "same": self.same,
            "reproduced": self.same == self.decisions and not self.integrity,
            "transitions": [
                {"rule": r, "from": a, "to": b, "records": n, "ids": ids(("status", r, a, b))}
                for (r, a, b), n in sorted(self.transitions.items())],
            "outcome_changes": [
                {"rule": r, "records": n, "ids": ids(("outcome", r))}
                for r, n in sorted(self.outcome_changes.items())],
            "firmness_changes": [
                {"rule": r, "from": a, "to": b, "records": n, "ids": ids(("firmness", r, a, b))}
                for (r, a, b), n in sorted(self.firmness_changes.items())],
            "integrity": [{"record": i, "problem": p, "message": _PROBLEMS[p]}
                          for i, p in self.integrity],
            "packs": dict(self.packs),
            "seconds": round(self.seconds, 3),
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
        }


_PROBLEMS = {"situation_digest": "the situation does not match its recorded digest",
             "pack_missing": "its rule pack is not archived in the store"}
_PROBLEMS_ZH = {"situation_digest": "情形与其记录的摘要不符",
                "pack_missing": "库中没有存档其规则包"}


# --- reading records into populations -------------------------------------------------------


@attrs.define
class _Chunk:
    ids: list[str] = attrs.Factory(list)
    rows: list[dict[str, Any]] = attrs.Factory(list)  # situations, as_of set
    asked: list[frozenset[str] | None] = attrs.Factory(list)  # the rules a record asked for
    # rule -> per row: (status, firmness, outcome or None), None where the record lacks it
    decided: dict[str, list[Any]] = attrs.Factory(lambda: defaultdict(list))


def _parse(bodies: Iterable[tuple[str, str]], report: ReplayReport, by_pack: bool,
           chunk_size: int) -> Iterator[tuple[str | None, _Chunk]]:
    """Records grouped by pack digest (own mode) into chunks."""
    chunks: dict[str | None, _Chunk] = {}
    for record_id, body in bodies:
        data = json.loads(body)
        situation = data["situation"]
        if digest(_situation_text(body)) != data["situation_digest"]:
            report.integrity.append((record_id, "situation_digest"))
            continue
        key = data["rule_pack"]["digest"] if by_pack else None
        chunk = chunks.setdefault(key, _Chunk())
        n = len(chunk.ids)
        chunk.ids.append(record_id)
        row = dict(situation)
        row["as_of"] = data["as_of"]
        chunk.rows.append(row)
        rules = data.get("rules")
        chunk.asked.append(frozenset(rules) if rules is not None else None)
        for d in data["decisions"]:  # kept small: the rest of the parsed body is let go
            column = chunk.decided[d["rule"]]
            if len(column) < n:
                column.extend([None] * (n - len(column)))
            column.append((d["status"], d["firmness"], d["outcome"] or None))
        report.records += 1
        if n + 1 >= chunk_size:
            yield key, chunks.pop(key)
    yield from chunks.items()


def _situation_text(body: str) -> str:
    """The situation's canonical JSON, cut from the record's canonical body (keys are sorted:
    it runs from ``"situation":`` to ``,"situation_digest":``, which no string value can hold
    unescaped). A body not in canonical form gives a text whose digest does not match."""
    start = body.find(',"situation":')
    end = body.rfind(',"situation_digest":')
    if start < 0 or end < start:
        return canonical(json.loads(body).get("situation"))
    return body[start + len(',"situation":'):end]


def _population(chunk: _Chunk):
    import pyarrow as pa

    from tongcheng.batch.layout import JSON_SCHEMA, build

    rows = [{**r, **{s: "given" for s in ("project", "enterprise") if s in r}}
            for r in chunk.rows]  # a project or enterprise is only marked, as in screening
    table = pa.Table.from_pylist(rows, schema=JSON_SCHEMA)
    pop, _ = build(table, validate=False)
    return pop


def _situations(chunk: _Chunk):
    from tongcheng.situation import parse_situation

    def situations(idx: Any) -> list[Any]:
        return [parse_situation(chunk.rows[i]) for i in idx]

    return situations


# --- comparing -----------------------------------------------------------------------------------


def _same_value(cell: Any, recorded: Any) -> bool:
    if isinstance(cell, str) and not isinstance(recorded, str) and recorded is not None:
        cell = json.loads(cell)  # lists and records are JSON text in the columns
    if isinstance(cell, float) or isinstance(recorded, float):
        return cell is not None and recorded is not None and float(cell) == float(recorded)
    return cell == recorded


def _compare(engine: Any, chunk: _Chunk, result: Any, report: ReplayReport) -> None:
    import polars as pl

    from tongcheng.batch.engine import outcome_column, status_column

    n = len(chunk.ids)
    ids = pl.Series("id", chunk.ids)
    planned = {p.rule.id: p for p in engine.plans}
    for rule_id in sorted(set(planned) | set(chunk.decided)):
        column = chunk.decided.get(rule_id, [])
        column = column + [None] * (n - len(column))
        before = pl.Series("before", [d[0] if d else None for d in column], dtype=pl.String)
        asked = pl.Series("asked", [a is None or rule_id in a for a in chunk.asked])
        if rule_id in planned:
            after = result[status_column(rule_id)].cast(pl.String)
        else:
            after = pl.Series("after", [ABSENT] * n, dtype=pl.String)
        frame = pl.DataFrame({"id": ids, "before": before.fill_null(ABSENT), "after": after,
                              "asked": asked})
        # a rule the record did not ask for, and that it does not hold, is not compared
        frame = frame.filter(pl.col("asked") | (pl.col("before") != ABSENT))
        report.decisions += frame.height
        moved = frame.filter(pl.col("before") != pl.col("after"))
        for (a, b), group in moved.group_by(["before", "after"], maintain_order=True):
            report.transitions[(rule_id, a, b)] += group.height
            for rid in group["id"].head(report.limit or group.height).to_list():
                report.note(("status", rule_id, a, b), rid)
        stayed = n_same = frame.height - moved.height
        if rule_id in planned and stayed:
            plan = planned[rule_id]
            n_same -= _details(plan, column, result, chunk.ids, report,
                               outcome_column, status_column)
        report.same += n_same


def _details(plan: Any, column: list[Any], result: Any, ids: list[str], report: ReplayReport,
             outcome_column: Any, status_column: Any) -> int:
    """Outcome and firmness of the decisions whose status stayed; returns how many differ."""
    from tongcheng.batch.engine import firmness_column

    rule = plan.rule
    statuses = result[status_column(rule.id)].cast(str).to_list()
    firmnesses = result[firmness_column(rule.id)].cast(str).to_list()
    outcomes = {name: result[outcome_column(rule.id, name)].to_list() for name, _ in plan.outcomes}
    differ = 0
    for k, d in enumerate(column):
        if d is None or d[0] != statuses[k]:
            continue
        status, firmness, recorded = d
        if firmness != firmnesses[k]:  # per decision: the zone entry it rests on
            report.firmness_changes[(rule.id, firmness, firmnesses[k])] += 1
            report.note(("firmness", rule.id, firmness, firmnesses[k]), ids[k])
            differ += 1
            continue
        recorded = recorded or {}
        if not recorded and status != "eligible":
            continue
        names = set(recorded) | {n for n, values in outcomes.items() if values[k] is not None}
        if any(name not in outcomes or not _same_value(outcomes[name][k], recorded.get(name))
               for name in names):
            report.outcome_changes[rule.id] += 1
            report.note(("outcome", rule.id), ids[k])
            differ += 1
    return differ


_ENGINES: dict[str, Any] = {}


def _engine(pack: Any) -> Any:
    """The screening evaluator of a pack, compiled once per process (packs are immutable)."""
    from tongcheng.batch.engine import BatchEvaluator

    found = _ENGINES.get(pack.info.digest)
    if found is None or found.pack is not pack:
        found = _ENGINES[pack.info.digest] = BatchEvaluator(pack)
    return found


# --- the runs ------------------------------------------------------------------------------------


def replay_bodies(bodies: Iterable[tuple[str, str]], *, pack_for: Any, pack: Any = None,
                  chunk_size: int = 100_000, limit: int | None = 50) -> ReplayReport:
    """Replay records given as ``(id, body)``. ``pack_for(digest)`` gives an archived pack
    (own mode, when ``pack`` is None)."""
    started = time.perf_counter()
    report = ReplayReport("own" if pack is None else "other", limit=limit)
    if pack is not None:
        report.pack = {"name": pack.info.name, "version": pack.info.version,
                       "digest": pack.info.digest}
    mark = time.perf_counter()
    for key, chunk in _parse(bodies, report, pack is None, chunk_size):
        report.phases["read"] += time.perf_counter() - mark
        try:
            chosen = pack if pack is not None else pack_for(key)
        except StoreError:
            report.integrity.extend((rid, "pack_missing") for rid in chunk.ids)
            continue
        digest_ = chosen.info.digest
        report.packs[digest_] += len(chunk.ids)
        mark = time.perf_counter()
        engine = _engine(chosen)
        result = engine.evaluate(_population(chunk), _situations(chunk)).sort("_row")
        report.phases["decide"] += time.perf_counter() - mark
        mark = time.perf_counter()
        _compare(engine, chunk, result, report)
        report.phases["compare"] += time.perf_counter() - mark
        mark = time.perf_counter()
    report.seconds = time.perf_counter() - started
    return report


def replay_store(store: RecordStore, filters: Filters | None = None, *, pack: Any = None,
                 chunk_size: int = 100_000, limit: int | None = 50) -> ReplayReport:
    return replay_bodies(store.bodies(filters, batch=min(chunk_size, 20_000)),
                         pack_for=store.archived, pack=pack, chunk_size=chunk_size, limit=limit)


def replay_reference(record: Record, pack: Any) -> list[str]:
    """Decide one record again with the reference evaluator and compare everything it recorded,
    ``missing`` and ``missing_parameters`` included: the differences, in words (none: [])."""
    from tongcheng.api import evaluate
    from tongcheng.records.record import RecordedDecision
    from tongcheng.situation import parse_situation

    situation = parse_situation(dict(record.situation), as_of=record.as_of)
    evaluation = evaluate(situation, pack, as_of=record.as_of, rules=record.rules, trace=False)
    now = {d.rule: RecordedDecision.of(d) for d in evaluation.decisions}
    out = []
    for d in record.decisions:
        again = now.get(d.rule)
        if again is None:
            out.append(f"{d.rule}: not in the pack")
        elif json.loads(canonical(again.to_json())) != json.loads(canonical(d.to_json())):
            out.append(f"{d.rule}: recorded {d.to_json()}, now {again.to_json()}")
    return out


# --- the text report -----------------------------------------------------------------------------

_WORDS = {
    "zh": {"own": "按各记录自己的规则包(从库中存档恢复)重新决定 {records} 条记录",
           "other": "按规则包 {name} {version}({digest})重新决定 {records} 条记录",
           "same": "{same}/{decisions} 项决定不变", "reproduced": "全部复现",
           "transition": "{rule}:{before} → {after}:{n} 条记录",
           "outcome": "{rule}:结果改变:{n} 条",
           "firmness": "{rule}:确定程度 {before} → {after}:{n} 条", "ids": "例如",
           "integrity": "记录 {id}:{problem}", "seconds": "用时 {s:.2f} 秒",
           "eligible": "符合", "ineligible": "不符合", "undetermined": "待定",
           "not_applicable": "不适用", "absent": "(无此规则)"},
    "en": {"own": "{records} records decided again under each record's own pack (restored from "
                  "the store's archive)",
           "other": "{records} records decided again under {name} {version} ({digest})",
           "same": "{same}/{decisions} decisions unchanged", "reproduced": "all reproduced",
           "transition": "{rule}: {before} → {after}: {n} records",
           "outcome": "{rule}: outcome changed: {n} records",
           "firmness": "{rule}: firmness {before} → {after}: {n} records", "ids": "e.g.",
           "integrity": "record {id}: {problem}", "seconds": "{s:.2f} s",
           "eligible": "eligible", "ineligible": "ineligible", "undetermined": "undetermined",
           "not_applicable": "not applicable", "absent": "(no such rule)"},
}


def render_report(report: ReplayReport, lang: str = "zh", examples: int = 5) -> str:
    w = _WORDS[lang]
    data = report.to_json(examples or None)
    lines = [w["own"].format(records=report.records) if report.mode == "own" else
             w["other"].format(records=report.records, **{**report.pack,
                                                          "digest": report.pack["digest"][:19]})]
    lines.append(w["same"].format(same=report.same, decisions=report.decisions)
                 + (f" — {w['reproduced']}" if data["reproduced"] and report.mode == "own"
                    else ""))
    for t in data["transitions"]:
        lines.append("  " + w["transition"].format(rule=t["rule"], before=w[t["from"]],
                                                   after=w[t["to"]], n=t["records"])
                     + (f"  {w['ids']} {', '.join(t['ids'])}" if t["ids"] else ""))
    for t in data["outcome_changes"]:
        lines.append("  " + w["outcome"].format(rule=t["rule"], n=t["records"])
                     + (f"  {w['ids']} {', '.join(t['ids'])}" if t["ids"] else ""))
    for t in data["firmness_changes"]:
        lines.append("  " + w["firmness"].format(rule=t["rule"], before=t["from"], after=t["to"],
                                                 n=t["records"]))
    problems = _PROBLEMS_ZH if lang == "zh" else _PROBLEMS
    for i in data["integrity"][:20]:
        lines.append("  " + w["integrity"].format(id=i["record"], problem=problems[i["problem"]]))
    lines.append(w["seconds"].format(s=report.seconds))
    return "\n".join(lines)

