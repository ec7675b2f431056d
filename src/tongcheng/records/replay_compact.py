"""Replay from the compact copies (schema 0003): read columnar, compared first as whole texts.

``records verify`` proves each record's compact copies (its situation's bytes, the rules it
asked for, ``decided``: a line per decision, ``rule<TAB>status<TAB>firmness<TAB>outcome JSON``)
say what its body says, so a store that verifies is replayed from them:

- **reading**: one SELECT of the columns replay needs, streamed in chunks; a chunk's columns are
  taken whole from the driver's rows (no per-record objects), each situation's digest checked
  on its bytes; ``decided`` stays one text per record.
- **comparing**: the screening evaluator's result is written, in polars, as the ``decided`` text
  the record would hold had it been decided so (the pack's rule order, the outcome's canonical
  JSON: lists and records made canonical once per distinct value), and compared with the
  recorded text as a whole. Equal texts are equal decisions — status, firmness and every outcome
  value — so only the records whose text differs are split into decisions and compared one
  decision at a time (``replay._compare``), which tells what changed and forgives what only
  looks different (``1.0`` for ``1``, a value recorded as ``null``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
import polars as pl
import sqlalchemy as sa

from tongcheng.records import schema
from tongcheng.records.record import canonical, digest
from tongcheng.records.store import Filters, RecordStore

__all__ = ["Chunk", "compact_chunks", "decided_frame", "expected_decided"]


@attrs.define
class Chunk:
    ids: list[str] = attrs.Factory(list)
    bodies: list[str] = attrs.Factory(list)  # read from the bodies (--from-bodies)
    rows: list[dict[str, Any]] = attrs.Factory(list)  # situations, as_of set (from bodies)
    asked: list[frozenset[str] | None] = attrs.Factory(list)  # the rules a record asked for
    texts: list[str] = attrs.Factory(list)  # situations' JSON (from the compact columns)
    as_of: list[str] = attrs.Factory(list)
    decided: list[str] | None = None  # the records' ``decided`` texts (compact columns)
    recorded: pl.DataFrame | None = None  # the decisions, one a row (split from ``decided``)

    def situation(self, k: int) -> dict[str, Any]:
        if self.rows:
            return self.rows[k]
        return {**json.loads(self.texts[k]), "as_of": self.as_of[k]}

    def take(self, rows: list[int]) -> Chunk:
        """The chunk's records at ``rows`` (compact columns), their decisions split."""
        decided = self.decided or []
        return Chunk([self.ids[k] for k in rows], asked=[self.asked[k] for k in rows],
                     texts=[self.texts[k] for k in rows], as_of=[self.as_of[k] for k in rows],
                     recorded=decided_frame([decided[k] for k in rows]))


def compact_chunks(store: RecordStore, filters: Filters | None, report: Any, by_pack: bool,
                   chunk_size: int) -> Iterator[tuple[str | None, Chunk]]:
    """The records' compact columns in chunks (by pack digest when ``by_pack``); a record
    without them, or whose situation does not match its digest, goes to ``report.integrity``."""
    r = schema.records.c
    query = (sa.select(r.id, r.situation, r.situation_digest, sa.cast(r.as_of, sa.String),
                       r.pack_digest, r.rules, r.decided)
             .where(*(filters or Filters()).where()).order_by(r.id))
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(query)
        for part in result.partitions():
            ids, texts, digests, as_of, packs, rules, decided = map(list, zip(*part, strict=True))
            wrong = [k for k, (t, d, text) in enumerate(zip(texts, decided, digests, strict=True))
                     if t is None or d is None or digest(t) != text]
            if wrong:
                report.integrity.extend(
                    (ids[k], "compact_missing" if texts[k] is None or decided[k] is None
                     else "situation_digest") for k in wrong)
                keep = sorted(set(range(len(ids))) - set(wrong))
                ids, texts, as_of, packs, rules, decided = (
                    [column[k] for k in keep]
                    for column in (ids, texts, as_of, packs, rules, decided))
            groups = _by(packs) if by_pack else {None: list(range(len(ids)))}
            for key, rows in groups.items():
                chunk = Chunk([ids[k] for k in rows], texts=[texts[k] for k in rows],
                              as_of=[as_of[k][:10] for k in rows],
                              asked=[frozenset(json.loads(rules[k])) if rules[k] is not None
                                     else None for k in rows],
                              decided=[decided[k] for k in rows])
                report.records += len(chunk.ids)
                yield key, chunk


def _by(values: list[str]) -> dict[str | None, list[int]]:
    out: dict[str | None, list[int]] = {}
    for k, v in enumerate(values):
        out.setdefault(v, []).append(k)
    return out


def decided_frame(lines: list[str]) -> pl.DataFrame:
    """Records' ``decided`` texts as one long table: row, rule, status (``before``),
    firmness, outcome JSON (null without one)."""
    parts = pl.col("line").str.splitn("\t", 4)
    return (pl.DataFrame({"line": lines}, schema={"line": pl.String}).with_row_index("row")
            .with_columns(pl.col("row").cast(pl.Int64), pl.col("line").str.split("\n"))
            .explode("line").filter(pl.col("line") != "")
            .select("row", parts.struct.field("field_0").alias("rule"),
                    parts.struct.field("field_1").alias("before"),
                    parts.struct.field("field_2").alias("firm_before"),
                    pl.when(parts.struct.field("field_3") != "")
                    .then(parts.struct.field("field_3")).alias("outcome")))


# --- the decided text of the evaluator's result ------------------------------------------------


def expected_decided(engine: Any, result: pl.DataFrame,
                     asked: list[frozenset[str] | None]) -> tuple[pl.Series, pl.Series]:
    """Per row of ``result`` the ``decided`` text its decisions would be recorded as (in the
    pack's rule order, as ``tongcheng.evaluate`` gives them; only the rules a record asked for),
    and how many decisions that text holds. Null where the text cannot be made (a status the
    evaluator left empty): such a row is compared decision by decision."""
    lines = {plan.rule.id: pl.concat_str([_head(plan.rule.id, result),
                                          _outcome_text(plan, result).fill_null("")])
             for plan in engine.plans}
    order = [plan.rule.id for plan in engine.plans]
    sets = list(dict.fromkeys(asked))
    if sets == [None]:
        text = result.select(pl.concat_str([lines[r] for r in order], separator="\n"))
        return text.to_series(), pl.Series([len(order)] * result.height, dtype=pl.Int64)
    group = pl.Series("_set", [sets.index(a) for a in asked], dtype=pl.Int64)
    text, count = pl.lit(None, dtype=pl.String), pl.lit(None, dtype=pl.Int64)
    for k, wanted in enumerate(sets):
        rules = [r for r in order if wanted is None or r in wanted]
        made = pl.concat_str([lines[r] for r in rules], separator="\n") if rules else pl.lit("")
        text = pl.when(pl.col("_set") == k).then(made).otherwise(text)
        count = pl.when(pl.col("_set") == k).then(pl.lit(len(rules))).otherwise(count)
    frame = result.with_columns(group).select(text.alias("text"), count.alias("count"))
    return frame["text"], frame["count"]


def _head(rule_id: str, result: pl.DataFrame) -> pl.Expr:
    """A decision's line up to its outcome, ``rule<TAB>status<TAB>firmness<TAB>``: one of a
    dozen texts, picked by the status's and the firmness's codes (cheaper than joining
    strings row by row)."""
    from tongcheng.batch.engine import firmness_column, status_column

    status, firm = status_column(rule_id), firmness_column(rule_id)
    if not all(isinstance(result.schema[c], pl.Enum) for c in (status, firm)):
        return pl.concat_str([pl.lit(f"{rule_id}\t"), pl.col(status).cast(pl.String),
                              pl.lit("\t"), pl.col(firm).cast(pl.String), pl.lit("\t")])
    statuses, firms = result.schema[status].categories, result.schema[firm].categories
    code = (pl.col(status).to_physical().cast(pl.Int64) * len(firms)
            + pl.col(firm).to_physical().cast(pl.Int64))
    return code.replace_strict(
        [s * len(firms) + f for s in range(len(statuses)) for f in range(len(firms))],
        [f"{rule_id}\t{a}\t{b}\t" for a in statuses for b in firms], return_dtype=pl.String)


def _outcome_text(plan: Any, result: pl.DataFrame) -> pl.Expr:
    """The canonical JSON of a rule's outcome (keys sorted), null when it has no value: what the
    record writes for the same values (an integral amount as an integer, lists and records in
    canonical form; a name without a value written ``null`` when every variant of the rule
    gives the same names, left out otherwise: a record that says otherwise is compared
    decision by decision)."""
    from tongcheng.batch.engine import outcome_column

    rule = plan.rule
    names = {c.name for c in rule.outcome}
    # every variant gives the same names: the evaluator writes each, null when it has no value
    uniform = all(not e.outcome or {c.name for c in e.outcome} == names for e in rule.exceptions)
    pieces = []
    for name, dtype in sorted(plan.outcomes, key=lambda item: item[0]):
        column = outcome_column(plan.rule.id, name)
        cell = pl.col(column)
        if dtype == pl.String:
            values = result[column].drop_nulls().unique().to_list()
            value = cell.replace_strict(values, [_value_text(v) for v in values],
                                        default=None, return_dtype=pl.String) \
                if values else pl.lit(None, dtype=pl.String)
        elif dtype == pl.Float64:
            whole = cell.is_finite() & (cell == cell.round(0)) & (cell.abs() < 2.0 ** 53)
            value = pl.when(whole).then(cell.cast(pl.Int64).cast(pl.String)) \
                .otherwise(cell.cast(pl.String))
        else:  # Int64, Boolean
            value = cell.cast(pl.String)
        pieces.append(pl.concat_str([pl.lit(canonical(name) + ":"),
                                     value if not uniform else value.fill_null("null")]))
    if not pieces:
        return pl.lit(None, dtype=pl.String)
    inner = pl.concat_str(pieces, separator=",", ignore_nulls=True)
    given = inner != "" if not uniform else pl.any_horizontal(
        pl.col(outcome_column(plan.rule.id, name)).is_not_null() for name, _ in plan.outcomes)
    return pl.when(given).then(pl.concat_str([pl.lit("{"), inner, pl.lit("}")]))


def _value_text(text: str) -> str:
    """A String outcome cell as canonical JSON: lists and records (JSON text in the columns)
    made canonical, plain text quoted."""
    if text[:1] in ("[", "{"):
        try:
            return canonical(json.loads(text))
        except json.JSONDecodeError:
            pass
    return canonical(text)
