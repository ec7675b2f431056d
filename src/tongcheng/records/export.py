"""Exporting records: JSON Lines (each record's canonical JSON, exactly as stored and hashed) or
Parquet (one row per record: the record's fields as columns, the situation as JSON text, the
decisions as a list of structs with each outcome as JSON text)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from tongcheng.records.record import canonical

__all__ = ["PARQUET_BATCH", "write_jsonl", "write_parquet"]

PARQUET_BATCH = 20_000


def write_jsonl(bodies: Iterable[tuple[str, str]], out: IO[bytes]) -> int:
    n = 0
    for _, body in bodies:
        out.write(body.encode("utf-8") + b"\n")
        n += 1
    return n


def _schema():
    import pyarrow as pa

    decision = pa.struct([("rule", pa.string()), ("status", pa.string()),
                          ("firmness", pa.string()), ("outcome", pa.string()),
                          ("missing", pa.list_(pa.string())),
                          ("missing_parameters", pa.list_(pa.string()))])
    return pa.schema([
        ("id", pa.string()), ("at", pa.timestamp("ms", tz="UTC")), ("channel", pa.string()),
        ("actor", pa.string()), ("request_id", pa.string()), ("situation", pa.string()),
        ("situation_digest", pa.string()), ("as_of", pa.date32()), ("lang", pa.string()),
        ("pack_name", pa.string()), ("pack_version", pa.string()), ("pack_digest", pa.string()),
        ("package_version", pa.string()), ("rules", pa.list_(pa.string())),
        ("decisions", pa.list_(decision)),
    ])


def _row(body: str) -> dict[str, Any]:
    from datetime import date, datetime

    data = json.loads(body)
    return {
        "id": data["id"], "at": datetime.fromisoformat(data["at"].replace("Z", "+00:00")),
        "channel": data["channel"], "actor": data["actor"], "request_id": data["request_id"],
        "situation": canonical(data["situation"]), "situation_digest": data["situation_digest"],
        "as_of": date.fromisoformat(data["as_of"]), "lang": data["lang"],
        "pack_name": data["rule_pack"]["name"], "pack_version": data["rule_pack"]["version"],
        "pack_digest": data["rule_pack"]["digest"], "package_version": data["package"]["version"],
        "rules": data.get("rules"),
        "decisions": [{**d, "outcome": canonical(d["outcome"])} for d in data["decisions"]],
    }


def write_parquet(bodies: Iterable[tuple[str, str]], path: str | Path) -> int:
    import pyarrow as pa

    from tongcheng.arrowfiles import parquet_writer

    schema = _schema()
    n = 0
    with parquet_writer(path, schema, compression="zstd") as writer:
        rows: list[dict[str, Any]] = []
        for _, body in bodies:
            rows.append(_row(body))
            if len(rows) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                n += len(rows)
                rows = []
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            n += len(rows)
    return n
