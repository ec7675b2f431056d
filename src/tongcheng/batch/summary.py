"""What a screening found: rule × status × firmness, overall and by target city, added up chunk
by chunk; printed at the end and written as JSON beside the output (``OUTPUT.summary.json``).

Counted over every decided row, before ``--status`` keeps some of them: the summary describes
the population, the output file the persons asked for. Rows a rule erred on are counted apart,
per rule (``rule_errors``): a defect of the pack for its authors, not bad input.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl

from tongcheng import jsonio
from tongcheng.batch.engine import BatchEvaluator, firmness_column, status_column
from tongcheng.places import PlaceRegistry, default_registry

STATUSES = ("eligible", "ineligible", "undetermined", "not_applicable")
UNKNOWN = "unknown"
TOP_CITIES = 3



class ScreenSummary:
    """Counts of one screening: (rule, status, firmness) and (rule, city, status)."""

    def __init__(self, engine: BatchEvaluator, registry: PlaceRegistry | None = None) -> None:
        self.engine = engine
        self.registry = registry or default_registry()
        self.rules = [p.rule for p in engine.plans]
        self.counts: Counter[tuple[str, str, str]] = Counter()
        self.cities: Counter[tuple[str, str, str]] = Counter()
        self.rows = 0
        self.rule_errors: Counter[str] = Counter()  # rows rejected by each rule's error
        self.rule_error_rows = 0  # rows rejected by a rule error (one may name two rules)

    def refused(self, rejects: Any) -> None:
        """One chunk's rejects: those a rule erred on counted, per rule."""
        for reject in rejects:
            if reject.rules:
                self.rule_error_rows += 1
                self.rule_errors.update(reject.rules)

    def add(self, result: pl.DataFrame, targets: pl.DataFrame) -> None:
        """One chunk's decisions, and ``_row`` → ``target`` (place codes) of its rows."""
        if not result.height:
            return
        self.rows += result.height
        names, city = self._city(result.select("_row").join(
            targets, on="_row", how="left", maintain_order="left")["target"])
        for rule in self.rules:
            # (city, status, firmness) as one small integer per row, counted at once
            status = result[status_column(rule.id)]
            firm_col = firmness_column(rule.id)
            if firm_col in result.columns:
                firm = result[firm_col]
                firm_names = [*firm.dtype.categories.to_list(), None]  # type: ignore[attr-defined]
                firm_code = firm.to_physical().cast(pl.Int64).fill_null(len(firm_names) - 1)
            else:
                firm_names = [rule.firmness]
                firm_code = pl.Series([0] * result.height, dtype=pl.Int64)
            status_names = status.dtype.categories.to_list()  # type: ignore[attr-defined]
            width, statuses = len(firm_names), len(status_names)
            key = (city * statuses + status.to_physical().cast(pl.Int64)) * width + firm_code
            for k, n in key.value_counts().iter_rows():
                c, rest = divmod(k, statuses * width)
                s, f = divmod(rest, width)
                self.counts[(rule.id, status_names[s], firm_names[f])] += n
                self.cities[(rule.id, names[c], status_names[s])] += n

    def _city(self, codes: pl.Series) -> tuple[list[str], pl.Series]:
        """The cities of the target codes: their names, and per row the index of its name."""
        distinct = [c for c in codes.unique().to_list() if c is not None]
        cities = {c: self.registry.city_of(f"{c:06d}") or f"{c:06d}" for c in distinct}
        names = [UNKNOWN, *sorted(set(cities.values()))]
        index = {c: names.index(name) for c, name in cities.items()}
        return names, codes.replace_strict(index, default=0, return_dtype=pl.Int64)

    def state(self) -> str:
        """The counts as JSON text (a Spark partition's, sent to the driver to ``merge``)."""
        return json.dumps({"rows": self.rows, "rule_error_rows": self.rule_error_rows,
                           "rule_errors": dict(self.rule_errors),
                           "counts": [[*k, n] for k, n in self.counts.items()],
                           "cities": [[*k, n] for k, n in self.cities.items()]})

    def merge(self, state: str) -> None:
        """Add another tally's counts (``state``): the partitions' tallies make the run's."""
        data = json.loads(state)
        self.rows += data["rows"]
        self.rule_error_rows += data["rule_error_rows"]
        self.rule_errors.update(data["rule_errors"])
        for *k, n in data["counts"]:
            self.counts[tuple(k)] += n  # type: ignore[index]
        for *k, n in data["cities"]:
            self.cities[tuple(k)] += n  # type: ignore[index]

    def to_json(self, **head: Any) -> dict[str, Any]:
        info = self.engine.pack.info
        rules = []
        for rule in self.rules:
            statuses: dict[str, dict[str, int]] = {}
            for (rid, s, f), n in sorted(self.counts.items(), key=lambda kv: str(kv[0])):
                if rid == rule.id:
                    statuses.setdefault(s, {})[f if f is not None else "none"] = n
            by_city: dict[str, dict[str, int]] = {}
            for (rid, c, s), n in self.cities.items():
                if rid == rule.id:
                    by_city.setdefault(c, {})[s] = n
            cities = [{"city": c, **({"name": {"zh": self.registry.name(c, "zh"),
                                               "en": self.registry.name(c, "en")}}
                                     if c != UNKNOWN else {}),
                       "statuses": dict(sorted(v.items()))}
                      for c, v in sorted(by_city.items(), key=lambda kv: (
                          -kv[1].get("eligible", 0), -sum(kv[1].values()), kv[0]))]
            rules.append({"rule": rule.id, "title": {"zh": rule.title.zh, "en": rule.title.en},
                          "statuses": statuses,
                          "total": {s: sum(v.values()) for s, v in statuses.items()},
                          "by_target_city": cities})
        return {**head, "rule_pack": {"name": info.name, "version": info.version,
                                      "digest": info.digest},
                "decided": self.rows, "rule_error_rows": self.rule_error_rows,
                "rule_errors": dict(sorted(self.rule_errors.items())), "rules": rules}

    def write(self, path: str | Path, **head: Any) -> dict[str, Any]:
        data = self.to_json(**head)
        jsonio.write_file(path, data)  # (a file name that is not UTF-8: escaped)
        return data


def keep(result: pl.DataFrame | None, engine: BatchEvaluator,
         statuses: Any) -> pl.DataFrame | None:
    """The rows ``--status`` asks for: some selected rule has one of the statuses."""
    if result is None or not statuses:
        return result
    cols = [status_column(p.rule.id) for p in engine.plans]
    return result.filter(pl.any_horizontal(
        [pl.col(c).cast(pl.String).is_in(list(statuses)) for c in cols]))


def targets_of(chunk: Any) -> pl.DataFrame:
    """``_row`` and ``target`` of a chunk's decided rows (columns and fallback rows alike)."""
    parts = [p.persons.select("_row", "target") for p in (chunk.population, chunk.extra)
             if p is not None]
    if not parts:
        return pl.DataFrame(schema={"_row": pl.Int64, "target": pl.Int32})
    return pl.concat(parts)


def render(data: dict[str, Any], lang: str = "zh", stream: Any = None) -> None:
    """The summary as a table on the terminal (stderr: stdout may carry data)."""
    from rich.console import Console
    from rich.table import Table

    from tongcheng.evaluate.decision import Status
    from tongcheng.render import STATUS_WORDS, WORDS

    console = Console(file=stream or sys.stderr, highlight=False,
                      width=None if (stream or sys.stderr).isatty() else 140)
    zh = lang == "zh"
    table = Table("规则" if zh else "rule", *[STATUS_WORDS[Status(s)][1][lang] for s in STATUSES],
                  "符合者最多的城市" if zh else "most eligible in", box=None, padding=(0, 1))
    for rule in data["rules"]:
        cells = []
        for s in STATUSES:
            by_firmness = rule["statuses"].get(s, {})
            total = sum(by_firmness.values())
            weak = {f: n for f, n in by_firmness.items() if f not in ("in_force", "none") and n}
            text = f"{total:,}"
            if s == "eligible" and weak:
                names = WORDS[lang]["firmness"]
                text += " (" + ", ".join(f"{names.get(f, f)} {n:,}" for f, n in weak.items())
                text += ")"
            cells.append(text)
        top = [c for c in rule["by_target_city"] if c["statuses"].get("eligible")][:TOP_CITIES]
        where = " · ".join(f"{c['name'][lang] if 'name' in c else c['city']} "
                           f"{c['statuses']['eligible']:,}" for c in top)
        table.add_row(rule["rule"], *cells, where)
    console.print(table)
