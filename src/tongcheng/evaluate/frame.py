"""What one rule's evaluation for one situation works in: the ``Frame`` (the situation, the
date, the rule's zones in force, its definitions, the memo shared by one evaluation) and the
``Recorder`` of what each clause read, for its line of the trace.

Both evaluators (the reference interpreter's closures and the compiled rules' generated code)
take the same frame, so that they read the situation the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from tongcheng import months as mo
from tongcheng.evaluate.values import Unknown, unknown_at
from tongcheng.pack.model import Clause, Rule, RulePack, Text, ZoneRef
from tongcheng.places import PlaceRegistry

# Fields whose None is a known value, not an unknown fact: an open period is still running; no
# service named means none in particular.
KNOWN_NONE = frozenset({"to", "service"})
# Field names that differ from the situation's keys.
ALIASES = {"from": "from_"}
# Fields of pack data (service items) that expressions may read.
_PACK_FIELDS = frozenset({"id", "zone", "channel"})
FACT_ROOTS = (
    "as_of", "target", "person", "insurance", "provident_fund", "cards", "request", "results",
    "project", "enterprise",
)


@attrs.define
class Recorder:
    """Facts and parameter values one clause used, for its line in the trace."""

    facts: dict[str, Any] = attrs.field(factory=dict)
    parameters: list[dict[str, Any]] = attrs.field(factory=list)
    notes: list[Text] = attrs.field(factory=list)
    enabled: bool = True  # False: nothing is kept (evaluations without traces)

    def merge(self, other: Recorder) -> None:
        self.facts.update(other.facts)
        for p in other.parameters:
            if p not in self.parameters:
                self.parameters.append(p)
        for n in other.notes:
            if n not in self.notes:
                self.notes.append(n)


# The recorder of every untraced frame: disabled, it keeps nothing (each write is guarded by
# ``enabled``), so one serves all and none is built per rule.
QUIET = Recorder(enabled=False)


@attrs.define
class Frame:
    """Everything one rule evaluation for one situation needs; discarded afterwards."""

    pack: RulePack
    registry: PlaceRegistry
    situation: Any
    as_of: date
    rule: Rule
    active_zones: tuple[ZoneRef, ...]
    lets: dict[str, Clause]
    let_cache: dict[str, tuple[Any, Recorder]] = attrs.field(factory=dict)
    recorder: Recorder = attrs.field(factory=Recorder)
    # Where the rule is asked: the target, or the place the rule names (a project's side).
    anchor: Any = None
    anchor_path: str = "target"
    # Zone memberships already decided in this evaluation (as_of is fixed): (zone, place); the
    # evaluator keeps its zone tests there too.
    memo: dict[tuple, Any] = attrs.field(factory=dict)
    trace: bool = True
    # Parameter values used below high confidence, or undated: kept with or without a trace,
    # since a decision resting on them must say so either way.
    flagged: list[dict[str, Any]] = attrs.field(factory=list)
    # Clause functions by id of the clause's expression (the compiled evaluator's generated
    # code); None: the reference closures.
    runners: Mapping[int, Any] | None = None
    # Set by the compiled decision when the scope came out unknown (``plan.decide`` then knows a
    # finite case that the scope does not read cannot settle the decision).
    scope_open: bool = False

    @property
    def as_of_month(self) -> int:
        return mo.month_of(self.as_of)

    @property
    def target(self) -> str | None:
        return self.anchor if isinstance(self.anchor, str) else None

    def anchor_value(self) -> Any:
        """The anchor place, or Unknown naming its path."""
        if isinstance(self.anchor, str):
            return self.anchor
        if isinstance(self.anchor, Unknown):
            return self.anchor
        return unknown_at(self.anchor_path)


Env = dict[str, tuple[Any, str | None]]
