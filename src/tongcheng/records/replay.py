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
import polars as pl
import sqlalchemy as sa

from tongcheng.records import schema
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
    source: str = "bodies"  # what the recorded decisions were read from: bodies | compact

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
            "source": self.source,
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
             "pack_missing": "its rule pack is not archived in the store",
             "compact_missing": "its compact copy is missing (run tongcheng records verify)"}
_PROBLEMS_ZH = {"situation_digest": "情形与其记录的摘要不符",
                "pack_missing": "库中没有存档其规则包",
                "compact_missing": "缺少其紧凑副本(请运行 tongcheng records verify)"}


# --- reading records into populations -------------------------------------------------------
#
# A record's body is the truth replay compares with, so it is read whole: the situation is cut
# out as text (its digest checked on those very bytes) and parsed alone; the decisions are
# parsed with ``json`` (polars' and pyarrow's JSON readers, tried, cost more CPU here: the
# outcomes are records of many shapes) straight into columns, one list per field.

_RECORDED = {"row": pl.Int64, "rule": pl.String, "before": pl.String,
             "firm_before": pl.String, "outcome": pl.String}


@attrs.define
class _Chunk:
    ids: list[str] = attrs.Factory(list)
    bodies: list[str] = attrs.Factory(list)  # read from the bodies (--from-bodies)
    rows: list[dict[str, Any]] = attrs.Factory(list)  # situations, as_of set (from bodies)
    asked: list[frozenset[str] | None] = attrs.Factory(list)  # the rules a record asked for
    texts: list[str] = attrs.Factory(list)  # situations' JSON (from the compact columns)
    as_of: list[str] = attrs.Factory(list)
    recorded: pl.DataFrame | None = None  # the decisions (compact columns), by row

    def situation(self, k: int) -> dict[str, Any]:
        if self.rows:
            return self.rows[k]
        return {**json.loads(self.texts[k]), "as_of": self.as_of[k]}


def _parse(bodies: Iterable[tuple[str, str]], report: ReplayReport, by_pack: bool,
           chunk_size: int) -> Iterator[tuple[str | None, _Chunk]]:
    """Records grouped by pack digest (own mode) into chunks."""
    chunks: dict[str | None, _Chunk] = {}
    for record_id, body in bodies:
        parts = _cut(body)
        if parts is None:
            data = json.loads(body)
            parts = (canonical(data.get("situation")), data["situation_digest"],
                     data["rule_pack"]["digest"], data["as_of"], data.get("rules"))
        text, recorded_digest, pack_digest, as_of, rules = parts
        if digest(text) != recorded_digest:
            report.integrity.append((record_id, "situation_digest"))
            continue
        key = pack_digest if by_pack else None
        chunk = chunks.setdefault(key, _Chunk())
        chunk.ids.append(record_id)
        chunk.bodies.append(body)
        row = json.loads(text)
        row["as_of"] = as_of
        chunk.rows.append(row)
        chunk.asked.append(frozenset(rules) if rules is not None else None)
        report.records += 1
        if len(chunk.ids) >= chunk_size:
            yield key, chunks.pop(key)
    yield from chunks.items()


_AS_OF = ',"as_of":"'
_PACK = ',"rule_pack":{"digest":"'
_RULES = ',"rules":'
_SITUATION = ',"situation":'
_DIGEST = ',"situation_digest":"'


def _cut(body: str) -> tuple[str, str, str, str, list[str] | None] | None:
    """The situation's canonical JSON, its recorded digest, the pack digest, ``as_of`` and the
    rules asked for, cut from the record's canonical body (keys sorted: ``as_of`` before the
    decisions; ``rule_pack``, ``rules``, ``situation``, ``situation_digest`` after them, in
    that order; none of the markers can sit inside a string). None when the body is not laid
    out so (it is then parsed whole); a body whose situation is not in canonical form gives a
    text whose digest does not match."""
    end = body.rfind(_DIGEST)
    start = body.rfind(_SITUATION, 0, end)
    rules = body.rfind(_RULES, 0, start)
    pack = body.rfind(_PACK, 0, rules)
    as_of = body.find(_AS_OF)
    if min(end, start, rules, pack, as_of) < 0:
        return None
    try:
        asked = json.loads(body[rules + len(_RULES):start])
    except json.JSONDecodeError:
        return None
    p = pack + len(_PACK)
    a = as_of + len(_AS_OF)
    d = end + len(_DIGEST)
    return (body[start + len(_SITUATION):end], body[d:body.index('"', d)],
            body[p:body.index('"', p)], body[a:body.index('"', a)], asked)


def _recorded(chunk: _Chunk) -> pl.DataFrame:
    """Every recorded decision of the chunk, as the bodies say: row, rule, status (``before``),
    firmness, and the outcome's canonical JSON (null when it has none)."""
    row: list[int] = []
    rule: list[str] = []
    before: list[str] = []
    firm: list[str] = []
    outcome: list[str | None] = []
    for k, body in enumerate(chunk.bodies):
        found = json.loads(body).get("decisions") or ()
        row.extend([k] * len(found))
        rule.extend([d["rule"] for d in found])
        before.extend([d["status"] for d in found])
        firm.extend([d["firmness"] for d in found])
        outcome.extend([canonical(d["outcome"]) if d.get("outcome") else None for d in found])
    return pl.DataFrame([row, rule, before, firm, outcome], schema=_RECORDED, orient="col")


def _population(chunk: _Chunk):
    import pyarrow as pa

    from tongcheng.batch.layout import JSON_SCHEMA, build

    table = _read_situations(chunk.texts, chunk.as_of) if chunk.texts else None
    if table is None:
        rows = [{**r, **{s: "given" for s in _SUBJECTS if s in r}}
                for r in (chunk.rows or map(chunk.situation, range(len(chunk.ids))))]
        table = pa.Table.from_pylist(rows, schema=JSON_SCHEMA)
    pop, _ = build(table, validate=False)
    return pop


_SUBJECTS = ("project", "enterprise")  # only marked, as in screening


def _read_situations(texts: list[str], as_of: list[str]):
    """The situations' canonical JSON read at once by Arrow's JSON reader into the screening
    layout (``JSON_SCHEMA``); None when Arrow cannot (the rows are then read one by one)."""
    import pyarrow as pa
    import pyarrow.json as pj

    from tongcheng.batch.layout import JSON_SCHEMA

    fields = [f if f.name not in _SUBJECTS else pa.field(f.name, pa.struct([]))
              for f in JSON_SCHEMA if f.name != "as_of"]
    data = "\n".join(texts).encode("utf-8")
    options = pj.ParseOptions(explicit_schema=pa.schema(fields),
                              unexpected_field_behavior="ignore")
    try:
        table = pj.read_json(pa.BufferReader(data), parse_options=options,
                             read_options=pj.ReadOptions(block_size=max(1 << 20, len(data) // 8)))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(texts):
        return None
    columns = {"as_of": pa.array(as_of, pa.string())}
    for name in table.column_names:
        column = table.column(name)
        if name in _SUBJECTS:
            column = pa.array(["given" if v else None for v in column.is_valid().to_pylist()],
                              pa.string())
        columns[name] = column
    return pa.table([columns[f.name] for f in JSON_SCHEMA], schema=JSON_SCHEMA)


def _situations(chunk: _Chunk):
    from tongcheng.situation import parse_situation

    def situations(idx: Any) -> list[Any]:
        return [parse_situation(chunk.situation(i)) for i in idx]

    return situations


# --- reading the compact columns (schema 0003) ----------------------------------------------
#
# ``records verify`` proves each record's compact copies (its situation's bytes, the rules it
# asked for, its decisions: a line each, rule, status, firmness, outcome JSON) say what its body
# says, so a store that verifies is replayed from them: one SELECT streamed in chunks, the
# decisions split into one long table by polars, the situations read by Arrow's JSON reader.


def _compact(store: RecordStore, filters: Filters | None, report: ReplayReport, by_pack: bool,
             chunk_size: int) -> Iterator[tuple[str | None, _Chunk]]:
    r = schema.records.c
    query = (sa.select(r.id, r.situation, r.situation_digest, r.as_of, r.pack_digest, r.rules,
                       r.decided)
             .where(*(filters or Filters()).where()).order_by(r.id))
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(query)
        for part in result.partitions():
            chunks: dict[str | None, tuple[_Chunk, list[str]]] = {}
            for row in part:
                text = row.situation
                if text is None or row.decided is None:
                    report.integrity.append((row.id, "compact_missing"))
                    continue
                if digest(text) != row.situation_digest:
                    report.integrity.append((row.id, "situation_digest"))
                    continue
                chunk, decided = chunks.setdefault(row.pack_digest if by_pack else None,
                                                   (_Chunk(), []))
                chunk.ids.append(row.id)
                chunk.texts.append(text)
                chunk.as_of.append(row.as_of.isoformat())
                chunk.asked.append(frozenset(json.loads(row.rules))
                                   if row.rules is not None else None)
                decided.append(row.decided)
            for key, (chunk, decided) in chunks.items():
                report.records += len(chunk.ids)
                chunk.recorded = _decided(decided)
                yield key, chunk


def _decided(lines: list[str]) -> pl.DataFrame:
    """The recorded decisions of a chunk's records (their ``decided`` column) as one long
    table: row, rule, status (``before``), firmness, outcome JSON (null without one)."""
    parts = pl.col("line").str.splitn("\t", 4)
    return (pl.DataFrame({"line": lines}).with_row_index("row")
            .with_columns(pl.col("row").cast(pl.Int64), pl.col("line").str.split("\n"))
            .explode("line").filter(pl.col("line") != "")
            .select("row", parts.struct.field("field_0").alias("rule"),
                    parts.struct.field("field_1").alias("before"),
                    parts.struct.field("field_2").alias("firm_before"),
                    pl.when(parts.struct.field("field_3") != "")
                    .then(parts.struct.field("field_3")).alias("outcome")))


# --- comparing -----------------------------------------------------------------------------------


def _same_value(cell: Any, recorded: Any) -> bool:
    if isinstance(cell, str) and not isinstance(recorded, str) and recorded is not None:
        cell = json.loads(cell)  # lists and records are JSON text in the columns
    if isinstance(cell, float) or isinstance(recorded, float):
        return cell is not None and recorded is not None and float(cell) == float(recorded)
    return cell == recorded


def _canonical_cell(text: str) -> str:
    """A String outcome cell as the record writes it: JSON lists and records in canonical form
    (as ``json_path_match`` gives the recorded one back), plain text as it is."""
    if text[:1] in ("[", "{"):
        try:
            return canonical(json.loads(text))
        except json.JSONDecodeError:
            pass
    return text


def _examples(frame: pl.DataFrame, keys: list[str], limit: int | None) -> pl.DataFrame:
    """Counts per key, with the first ``limit`` record ids of each (in record order)."""
    ids = pl.col("id") if limit is None else pl.col("id").head(limit)
    return frame.sort("row").group_by(keys, maintain_order=True).agg(pl.len().alias("n"), ids)


def _compare(engine: Any, chunk: _Chunk, result: pl.DataFrame, report: ReplayReport) -> None:
    """Recorded against decided again, in polars: every decision of the chunk in one frame
    (the recorded ones from the compact columns, or parsed from the bodies)."""
    from tongcheng.batch.engine import firmness_column, status_column

    planned = {p.rule.id: p for p in engine.plans}
    result = result.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    after = pl.concat([result.select(
        "row", pl.lit(rule_id).alias("rule"),
        pl.col(status_column(rule_id)).cast(pl.String).alias("after"),
        pl.col(firmness_column(rule_id)).cast(pl.String).alias("firm_after"))
        for rule_id in planned]) if planned else None
    recorded = chunk.recorded
    if recorded is None:
        mark = time.perf_counter()
        recorded = _recorded(chunk)
        report.phases["parse_decisions"] += time.perf_counter() - mark  # part of "compare"
    frame = recorded if after is None else after.join(recorded, on=["row", "rule"],
                                                      how="full", coalesce=True)
    subsets = [(k, sorted(a)) for k, a in enumerate(chunk.asked) if a is not None]
    if subsets:  # a rule the record did not ask for, and that it does not hold, is not compared
        asked = pl.DataFrame({"row": [k for k, _ in subsets], "rule": [a for _, a in subsets]},
                             schema={"row": pl.Int64, "rule": pl.List(pl.String)}
                             ).explode("rule").with_columns(pl.lit(True).alias("asked"))
        frame = frame.join(asked, on=["row", "rule"], how="left").filter(
            pl.col("asked").fill_null(False) | pl.col("before").is_not_null()
            | ~pl.col("row").is_in(pl.Series([k for k, _ in subsets], dtype=pl.Int64)
                                   .implode()))
    frame = frame.with_columns(pl.col("before").fill_null(ABSENT),
                               pl.col("after").fill_null(ABSENT))
    frame = frame.with_columns(pl.Series("id", chunk.ids, dtype=pl.String).gather(frame["row"]))
    report.decisions += frame.height
    moved = frame.filter(pl.col("before") != pl.col("after"))
    _tally(moved, ["rule", "before", "after"], report.transitions, "status", report)
    stayed = frame.filter(pl.col("before") == pl.col("after"), pl.col("after") != ABSENT)
    firm = stayed.filter(pl.col("firm_before") != pl.col("firm_after"))
    _tally(firm, ["rule", "firm_before", "firm_after"], report.firmness_changes, "firmness",
           report)
    kept = stayed.filter(pl.col("firm_before") == pl.col("firm_after"),
                         pl.col("outcome").is_not_null() | (pl.col("after") == "eligible"))
    differ = firm.height
    for (rule_id,), group in kept.group_by(["rule"], maintain_order=True):
        differ += _outcomes(planned[rule_id], group.sort("row"), result, report)
    report.same += frame.height - moved.height - differ


def _tally(changed: pl.DataFrame, columns: list[str], counts: Any, kind: str,
           report: ReplayReport) -> None:
    """Count the changes (rule, before, after) into ``counts``, noting their example ids."""
    for rule_id, a, b, n, ids in _examples(changed, columns, report.limit).iter_rows():
        counts[(rule_id, a, b)] += n
        for rid in ids:
            report.note((kind, rule_id, a, b), rid)


def _outcomes(plan: Any, group: pl.DataFrame, result: pl.DataFrame,
              report: ReplayReport) -> int:
    """Outcome values of one rule's decisions whose status and firmness stayed: compared in
    polars, and in Python (``_same_value``) only where polars cannot tell they are the same;
    returns how many differ."""
    from tongcheng.batch.engine import outcome_column

    rule = plan.rule
    cells = result.select(pl.col(outcome_column(rule.id, name)).alias(name)
                          for name, _ in plan.outcomes)[group["row"]]
    text = group["outcome"]
    values = {name: text.str.json_path_match(f"$.{name}") if name.isidentifier() else None
              for name, _ in plan.outcomes}
    unsure = ~_only(values, dict(plan.outcomes), text)
    for name, dtype in plan.outcomes:
        cell, value = cells[name], values[name]
        if value is None:
            continue
        same = value.is_null() & cell.is_null()
        if dtype in (pl.Int64, pl.Float64):
            quoted = text.str.contains(f'"{name}":"', literal=True).fill_null(False)
            same |= ~quoted & (value.cast(pl.Float64, strict=False)
                               == cell.cast(pl.Float64)).fill_null(False)
        elif dtype == pl.String:  # lists and records: JSON text, made canonical once a value
            texts = {t: _canonical_cell(t) for t in cell.drop_nulls().unique().to_list()}
            same |= (value == cell.replace(texts)).fill_null(False)
        elif dtype == pl.Boolean:
            same |= (value == cell.cast(pl.String)).fill_null(False)
        unsure |= ~same
    differ = 0
    names = [name for name, _ in plan.outcomes]
    for k in unsure.arg_true().to_list():
        recorded = json.loads(text[k]) if text[k] is not None else {}
        row = cells.row(k, named=True)
        present = set(recorded) | {n for n in names if row[n] is not None}
        if any(n not in row or not _same_value(row[n], recorded.get(n)) for n in present):
            report.outcome_changes[rule.id] += 1
            report.note(("outcome", rule.id), group["id"][k])
            differ += 1
    return differ


def _only(values: dict[str, pl.Series | None], dtypes: dict[str, Any],
          text: pl.Series) -> pl.Series:
    """Whether each recorded outcome (canonical JSON, keys sorted) holds exactly the values
    matched by name, nothing else: it is rebuilt from them and compared as text. A value whose
    text form cannot be told from the match (a string needing escapes…) rebuilds differently,
    and the row goes to the exact comparison: never a false "same"."""
    if any(v is None for v in values.values()):
        return pl.Series([False] * len(text))
    frame = pl.DataFrame({f"v{k}": v for k, v in enumerate(values.values())})
    pieces = []
    for k, name in sorted(enumerate(values), key=lambda item: item[1]):
        v = pl.col(f"v{k}")
        raw = v if dtypes[name] != pl.String else pl.when(
            v.str.starts_with("[") | v.str.starts_with("{")).then(v).otherwise(
            pl.concat_str(pl.lit('"'), v, pl.lit('"')))
        pieces.append(pl.concat_str(pl.lit(f'"{name}":'), raw))
    whole = text.fill_null("{}")
    out = pl.Series([False] * len(text))
    for null in (None, "null"):  # a value recorded as null, or left out
        parts = [p if null is None else p.fill_null(pl.lit(f'"{n}":null'))
                 for p, n in zip(pieces, sorted(values), strict=True)]
        rebuilt = frame.select(pl.concat_str(pl.lit("{"), pl.concat_list(parts).list.drop_nulls()
                                             .list.join(","), pl.lit("}")).alias("r"))["r"]
        out |= (rebuilt == whole).fill_null(False)
    return out


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
    """Replay records given as ``(id, body)``, compared with what their bodies say.
    ``pack_for(digest)`` gives an archived pack (own mode, when ``pack`` is None)."""
    report = _report(pack, limit, "bodies")
    return _run(_parse(bodies, report, pack is None, chunk_size), report, pack_for, pack)


def _report(pack: Any, limit: int | None, source: str) -> ReplayReport:
    report = ReplayReport("own" if pack is None else "other", limit=limit, source=source)
    if pack is not None:
        report.pack = {"name": pack.info.name, "version": pack.info.version,
                       "digest": pack.info.digest}
    return report


def _run(chunks: Iterator[tuple[str | None, _Chunk]], report: ReplayReport, pack_for: Any,
         pack: Any) -> ReplayReport:
    started = mark = time.perf_counter()
    for key, chunk in chunks:
        report.phases["read"] += time.perf_counter() - mark
        try:
            chosen = pack if pack is not None else pack_for(key)
        except StoreError:
            report.integrity.extend((rid, "pack_missing") for rid in chunk.ids)
            mark = time.perf_counter()
            continue
        digest_ = chosen.info.digest
        report.packs[digest_] += len(chunk.ids)
        mark = time.perf_counter()
        population = _population(chunk)  # the situations read into the screening layout
        report.phases["read"] += time.perf_counter() - mark
        mark = time.perf_counter()
        engine = _engine(chosen)
        result = engine.evaluate(population, _situations(chunk)).sort("_row")
        report.phases["decide"] += time.perf_counter() - mark
        mark = time.perf_counter()
        _compare(engine, chunk, result, report)
        report.phases["compare"] += time.perf_counter() - mark
        mark = time.perf_counter()
    report.seconds = time.perf_counter() - started
    return report


def replay_store(store: RecordStore, filters: Filters | None = None, *, pack: Any = None,
                 chunk_size: int = 100_000, limit: int | None = 50,
                 from_bodies: bool = False) -> ReplayReport:
    """Replay a store's records: compared with the compact columns (which ``records verify``
    proves match the bodies), or with ``from_bodies`` with the bodies themselves."""
    if from_bodies:
        return replay_bodies(store.bodies(filters, batch=min(chunk_size, 20_000)),
                             pack_for=store.archived, pack=pack, chunk_size=chunk_size,
                             limit=limit)
    report = _report(pack, limit, "compact")
    return _run(_compact(store, filters, report, pack is None, chunk_size), report,
                store.archived, pack)


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
           "compact": "与记录的紧凑列比较(records verify 证明其与记录正文一致;"
                      "--from-bodies 直接与正文比较)",
           "bodies": "与记录正文本身比较",
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
           "compact": "compared with the records' compact columns (records verify proves they "
                      "match the bodies; --from-bodies compares with the bodies themselves)",
           "bodies": "compared with the records' bodies themselves",
           "eligible": "eligible", "ineligible": "ineligible", "undetermined": "undetermined",
           "not_applicable": "not applicable", "absent": "(no such rule)"},
}


def render_report(report: ReplayReport, lang: str = "zh", examples: int = 5) -> str:
    w = _WORDS[lang]
    data = report.to_json(examples or None)
    lines = [w["own"].format(records=report.records) if report.mode == "own" else
             w["other"].format(records=report.records, **{**report.pack,
                                                          "digest": report.pack["digest"][:19]})]
    lines.append(w[report.source])
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

